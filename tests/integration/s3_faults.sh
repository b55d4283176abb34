#!/usr/bin/env bash
# seqgatectl s3 upload → fault proxy (tests/tools/fault_proxy) → fake S3 over TLS. After every
# fault of the proxy — cut after N bytes (either direction), stall (watchdog), latency + throttle,
# a flipped byte (TLS refuses the record, the part is re-sent), refused connections, a lost answer
# — the object is byte-identical (cmp, md5sum) with the ETag python computes, and no more than
# the parts in flight at the fault were sent again.
source "$SEQGATE_SOURCE_DIR/tests/integration/s3_lib.sh"

s3_setup
DATA="$WORK/data.bin"
head -c $((16 * MIB + 4321)) /dev/urandom > "$DATA"  # 4 parts of 5 MiB
SIZE=$(stat -c %s "$DATA")
PART=$((5 * MIB))
ETAG=$(expected_etag "$DATA" $PART)
start_fake
UPSTREAM_PORT=$FAKE_PORT
export UPSTREAM_PORT

# run_case NAME "what" FAULT_LINES... — one upload through a fresh proxy with those faults.
run_case() {
  local name=$1 what=$2
  shift 2
  start_proxy "$@"
  if ! ENDPOINT="https://localhost:$PROXY_PORT" PARALLEL=2 s3_upload "$name" "$DATA" "f/$name.bin"; then
    fail "$name ($what): upload failed: $(tail -n 5 "$WORK/$name.log")"
    return
  fi
  check "$name ($what): object byte-identical (cmp, md5sum)" object_matches "f/$name.bin" "$DATA"
  check "$name: ETag $ETAG" test "$(out_field "$name" etag)" = "$ETAG"
  local sent
  sent=$(out_field "$name" bytes_sent)
  check "$name: re-sent at most the 2 parts in flight (sent $sent of $SIZE)" test "$sent" -le $((SIZE + 2 * PART))
}

run_case clean "no fault" ""
check "clean: no retries" test "$(out_field clean retries)" = 0
run_case cut_up "connection cut mid-part" "2 cut dir=up bytes=$((3 * MIB))"
check "cut_up: needed another connection" test "$(proxy_stat connections)" -ge 4
run_case cut_down "server side cut during the TLS handshake" "2 cut dir=down bytes=100"
run_case refuse "two refused connections" "1 refuse" "2 refuse"
check "refuse: needed at least 5 connections" test "$(proxy_stat connections)" -ge 5
STALL_SECONDS=2 run_case stall "part stalled until the watchdog fires" "2 stall dir=up after=$((2 * MIB)) secs=0"
check "stall: the stall watchdog fired" grep -qi "curl error 28" "$WORK/stall.log"
run_case flip "a flipped byte: TLS refuses it, the part is re-sent" "2 flip dir=up offset=$((4 * MIB))"
check "flip: the part was retried" test "$(out_field flip retries)" -ge 1
run_case lost_answer "a part's answer is lost" "2 stall dir=down peer=$((PART + 1000)) secs=0"
run_case latency "40 ms RTT, 8 MB/s" "all latency ms=20" "all throttle bps=8000000"

finish
