#!/usr/bin/env bash
# seqgatectl upload → fault proxy → seqgate-ingest over mutual TLS. After every fault the upload
# completes, the centre verifies it (the stored file decompresses to the original), and the bytes
# sent beyond the stream itself stay within one PATCH (plus TLS/HTTP overhead).
source "$SEQGATE_SOURCE_DIR/tests/integration/transfer_lib.sh"

make_pki
chmod 600 "$WORK"/pki/*.key
write_config
start_server

DATA="$WORK/data.fastq"
make_data "$DATA" 12 1
PACKED=$(packed_size "$DATA")
# TLS records, handshakes and HTTP heads: 2 % of the stream + 64 KiB is generous and still far
# below resending the file.
SLACK=$((PACKED / 50 + 65536))
echo "data: $(stat -c %s "$DATA") bytes, packed $PACKED, PATCH $PATCH_SIZE"

# run_case NAME "expectation" FAULT_LINES... — one upload through a fresh proxy with those faults.
FAULT_CASES=0
run_case() {
  local name=$1 what=$2
  shift 2
  FAULT_CASES=$((FAULT_CASES + 1))
  start_proxy "$@"
  if ! upload "$name" "$DATA" "$PROXY_ENDPOINT"; then
    fail "$name: upload failed: $(tail -n 3 "$WORK/$name.log")"
    return
  fi
  local up resent status
  up=$(proxy_stat up_bytes)
  resent=$((up - PACKED))
  status=$(receipt_field "$name" status)
  check "$name: receipt says verified (got $status)" test "$status" = verified
  check "$name: stored copy is byte-identical to the original" stored_matches "$name" "$DATA"
  check "$name: $what; re-sent $resent bytes ≤ one PATCH ($PATCH_SIZE) + $SLACK" \
    test "$resent" -le $((PATCH_SIZE + SLACK))
}

run_case clean "no fault, no retry" ""
check "clean: no retries logged" bash -c "! grep -q 'transient failure' '$WORK/clean.log'"
# MD5 is left to the verifying centre by default; --local-md5 declares ours for it to check.
MD5=$(md5sum < "$DATA" | cut -d' ' -f1)
check "clean: MD5 taken from the centre's receipt, equal to md5sum's" test "$(receipt_field clean md5)" = "$MD5"
check "clean: MD5 not computed on the gateway" grep -q "MD5 of the original: from the centre's receipt" "$WORK/clean.log"
check "clean: nothing declared an MD5" bash -c "! grep -q declared_md5 '$WORK/clean.receipt'"
start_proxy ""
upload local-md5 "$DATA" "$PROXY_ENDPOINT" --local-md5 || fail "local-md5: upload failed"
check "--local-md5: our MD5 declared and checked by the centre" test "$(receipt_field local-md5 declared_md5)" = "$MD5"
check "--local-md5: receipt verified" test "$(receipt_field local-md5 status)" = verified
check "clean: sent no more than the stream + overhead" test "$(($(proxy_stat up_bytes) - PACKED))" -le "$SLACK"
check "clean: checksummed PATCHes against an extension server" grep -q "sha256 chunk checksums" "$WORK/clean.log"

run_case cut_up "connection cut mid-PATCH" "1 cut dir=up bytes=$((PACKED / 2))"
# The cut PATCH is sent again on a new connection: by our retry loop, or — now that TLS sessions
# resume cheaply — by curl itself, which re-sends a request whose reused connection died.
check "cut_up: the cut PATCH went out again on a new connection" test "$(proxy_stat connections)" -ge 2

run_case cut_down "answer stream cut" "1 cut dir=down bytes=9000"
run_case refuse "two refused connections" "1 refuse" "2 refuse"
check "refuse: needed at least 3 connections" test "$(proxy_stat connections)" -ge 3

run_case stall "upload stalled until the watchdog fires" "1 stall dir=up after=$((PACKED / 3)) secs=0"
check "stall: the stall watchdog timed out" grep -qi "timeout: curl error 28" "$WORK/stall.log"

run_case flip "a flipped byte (TLS rejects the record)" "1 flip dir=up offset=$((PACKED / 2))"
run_case latency "50 ms RTT and a 4 MB/s link" "all latency ms=25" "all throttle bps=4000000"

# The answer to the only (hence last) PATCH is lost: HEAD and the receipt settle it, nothing
# is sent twice.
PATCH_SIZE=$((64 * 1024 * 1024))
start_proxy "1 stall dir=down peer=$PACKED secs=0"
if upload lost_answer "$DATA" "$PROXY_ENDPOINT"; then
  check "lost_answer: verified" test "$(receipt_field lost_answer status)" = verified
  check "lost_answer: settled by HEAD, body sent once" \
    test "$(($(proxy_stat up_bytes) - PACKED))" -le "$SLACK"
  check "lost_answer: the watchdog fired" grep -q "transient failure" "$WORK/lost_answer.log"
else
  fail "lost_answer: upload failed: $(tail -n 3 "$WORK/lost_answer.log")"
fi
PATCH_SIZE=$((2 * 1024 * 1024))

# kill_and_resume NAME — the process dies mid-upload; run again, it resumes from its state file.
kill_and_resume() {
  local name=$1
  start_proxy "all throttle bps=600000"
  BACKGROUND=1 upload "$name" "$DATA" "$PROXY_ENDPOINT"
  acked_now() {
    /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["acked_offset"])' \
      "$WORK/$name.state" 2>/dev/null || echo 0
  }
  for _ in $(seq 1 200); do [[ "$(acked_now)" -gt 0 ]] && break; sleep 0.1; done
  kill -KILL "$UPLOAD_PID" 2>/dev/null || true
  wait "$UPLOAD_PID" 2>/dev/null || true
  local acked
  acked=$(acked_now)
  check "$name: some PATCHes were acknowledged before the kill ($acked)" test "$acked" -gt 0
  SAME_PORT=1 start_proxy ""
  if upload "$name" "$DATA" "$PROXY_ENDPOINT"; then
    check "$name: the second run resumed" grep -q "resuming" "$WORK/$name.log"
    check "$name: verified" test "$(receipt_field "$name" status)" = verified
    check "$name: stored copy is byte-identical" stored_matches "$name" "$DATA"
    check "$name: the second run sent only the rest (+ ≤ one PATCH)" \
      test "$(($(proxy_stat up_bytes) - (PACKED - acked)))" -le $((PATCH_SIZE + SLACK))
  else
    fail "$name: resumed upload failed: $(tail -n 3 "$WORK/$name.log")"
  fi
}
kill_and_resume killed

# Several files at once on one transfer loop (three connections in flight); a file that cannot
# be read fails alone with its reason while the others are delivered.
for i in 1 2 3; do make_data "$WORK/multi$i.fastq" 4 $((10 + i)); done
mkfifo "$WORK/fifo.fastq"
mkdir -p "$WORK/multi-state"
start_proxy "all throttle bps=1000000"
if "$SEQGATECTL" upload "$WORK"/multi1.fastq "$WORK"/multi2.fastq "$WORK"/multi3.fastq \
    "$WORK/fifo.fastq" --endpoint "$PROXY_ENDPOINT" --client-cert "$WORK/pki/lab-a.crt" \
    --client-key "$WORK/pki/lab-a.key" --ca "$WORK/pki/ca.crt" --run multi --parallel 3 \
    --state "$WORK/multi-state" --frame-size 1MiB --patch-size "$PATCH_SIZE" --threads 2 \
    --max-attempts 12 > "$WORK/multi.receipt" 2> "$WORK/multi.log"; then
  fail "multi: a FIFO among the files should fail the command"
else
  check "multi: the FIFO failed alone, with its reason" grep -q "fifo.fastq: invalid argument" "$WORK/multi.log"
  for i in 1 2 3; do
    check "multi: file $i verified and byte-identical" bash -c \
      "zstd -dc '$STORAGE/lab-a/multi/multi$i.fastq.zst' | cmp -s - '$WORK/multi$i.fastq'"
  done
  check "multi: three uploads were in flight at once ($(proxy_stat max_concurrent))" \
    test "$(proxy_stat max_concurrent)" -ge 3
  check "multi: one state file per file" test "$(ls "$WORK/multi-state" | wc -l)" -ge 3
fi

# Bandwidth: a schedule window that covers every day caps the send rate.
T0=$(date +%s%N)
if upload capped "$DATA" "$ENDPOINT" --bwlimit "daily 00:00-24:00 2MB/s; unlimited"; then
  ms=$((($(date +%s%N) - T0) / 1000000))
  floor=$((PACKED / 2000 * 8 / 10))  # 80 % of the time the bytes need at 2 MB/s, in ms
  check "capped: --bwlimit 2MB/s took ${ms} ms (≥ $floor ms)" test "$ms" -ge "$floor"
else
  fail "capped: upload failed: $(tail -n 3 "$WORK/capped.log")"
fi

# Two uploads at once under one 2 MB/s cap share one token bucket: their sum stays under it.
make_data "$WORK/shared2.fastq" 12 7
mkdir -p "$WORK/shared-state"
BOTH=$((PACKED + $(packed_size "$WORK/shared2.fastq")))
T0=$(date +%s%N)
if "$SEQGATECTL" upload "$DATA" "$WORK/shared2.fastq" --endpoint "$ENDPOINT" \
    --client-cert "$WORK/pki/lab-a.crt" --client-key "$WORK/pki/lab-a.key" --ca "$WORK/pki/ca.crt" \
    --run shared --parallel 2 --state "$WORK/shared-state" --frame-size 1MiB \
    --patch-size "$PATCH_SIZE" --threads 2 --bwlimit 2MB/s > "$WORK/shared.receipt" 2> "$WORK/shared.log"; then
  ms=$((($(date +%s%N) - T0) / 1000000))
  floor=$((BOTH / 2000 * 8 / 10))  # 80 % of the time both streams need at 2 MB/s, in ms
  check "shared cap: two parallel uploads under 2MB/s took ${ms} ms (≥ $floor ms)" test "$ms" -ge "$floor"
  check "shared cap: both delivered" test "$(grep -c 'receipt status verified' "$WORK/shared.log")" = 2
else
  fail "shared cap: upload failed: $(tail -n 3 "$WORK/shared.log")"
fi

# Identity data (already compressed: BAM, CRAM…) is not buffered: each chunk is read from the
# source file as it is sent, and the centre checks it against the Upload-Checksum taken when the
# packer read it. The same faults, the same promises.
FASTQ_DATA=$DATA FASTQ_PACKED=$PACKED
DATA="$WORK/data.bam"
head -c 9000000 /dev/urandom > "$DATA"
PACKED=$(stat -c %s "$DATA")
run_case id_clean "identity, no fault" ""
check "id_clean: stored as sent, under its own name" cmp -s "$STORAGE/lab-a/id_clean/reads/data.bam" "$DATA"
check "id_clean: no retries" bash -c "! grep -q 'transient failure' '$WORK/id_clean.log'"
run_case id_cut_up "identity, connection cut mid-PATCH" "1 cut dir=up bytes=$((PACKED / 2))"
run_case id_stall "identity, stalled until the watchdog fires" "1 stall dir=up after=$((PACKED / 3)) secs=0"
kill_and_resume id_killed

# A state file whose source changed since (here: its mtime) is not resumed: a new upload.
start_proxy "all throttle bps=600000"
BACKGROUND=1 upload id_changed "$DATA" "$PROXY_ENDPOINT"
for _ in $(seq 1 200); do grep -q '"acked_offset": [1-9]' "$WORK/id_changed.state" 2>/dev/null && break; sleep 0.1; done
kill -KILL "$UPLOAD_PID" 2>/dev/null || true
wait "$UPLOAD_PID" 2>/dev/null || true
touch -d "+1 minute" "$DATA"
# rerun_as_new NAME FILE — runs NAME's upload of FILE again, whose source changed since its
# state file was written: a new upload instead of a resume, verified, stored byte-identical.
rerun_as_new() {
  local name=$1 file=$2
  SAME_PORT=1 start_proxy ""
  if upload "$name" "$file" "$PROXY_ENDPOINT"; then
    check "$name: the changed source was noticed" grep -q "changed after it was packed" "$WORK/$name.log"
    check "$name: a new upload instead of resuming" grep -q "starting a new upload" "$WORK/$name.log"
    check "$name: verified" test "$(receipt_field "$name" status)" = verified
    check "$name: stored copy is byte-identical" stored_matches "$name" "$file"
  else
    fail "$name: run again, the upload failed: $(tail -n 3 "$WORK/$name.log")"
  fi
}
rerun_as_new id_changed "$DATA"

# A source cut short while a PATCH's body is being read from it (the check before each PATCH
# saw it whole): the read comes up short, the PATCH is abandoned unfinished — the centre keeps
# no part of a checksummed body — and the file fails as changed, at once, not after retries.
head -c 9000000 /dev/urandom > "$WORK/trunc.bam"
start_proxy "all throttle bps=1000000"
PATCH_SIZE=$((8 * 1024 * 1024)) BACKGROUND=1 upload id_truncated "$WORK/trunc.bam" "$PROXY_ENDPOINT"
# Once the PATCH body flows (the throttled link holds a quarter second of it, so the uploader
# has read at most a few MB), the file loses its tail at 7 MB, inside the 8 MiB PATCH.
for _ in $(seq 1 200); do
  (($(awk '$1 == "up_bytes" { print $2 }' "$WORK/proxy.stats" 2>/dev/null || echo 0) > 200000)) && break
  sleep 0.05
done
truncate -s 7000000 "$WORK/trunc.bam"
rc=0
wait "$UPLOAD_PID" || rc=$?
check "id_truncated: the upload failed (exit $rc)" test "$rc" -ne 0
check "id_truncated: the short read inside the PATCH body was named" \
  grep -q "trunc.bam' ends at 7000000, inside the body being sent" "$WORK/id_truncated.log"
check "id_truncated: failed at once, no retries" bash -c "! grep -q 'transient failure' '$WORK/id_truncated.log'"
check "id_truncated: nothing stored at the centre" test ! -e "$STORAGE/lab-a/id_truncated/reads/trunc.bam"
# Run again, the shortened file is a new file: a new upload, verified, byte-identical.
rerun_as_new id_truncated "$WORK/trunc.bam"

# Over a 50 ms round trip every PATCH waits for its answer: identity PATCHes, which cost no
# memory, grow fourfold while that wait is over 1/20 of their time, up to --max-patch-size. A cut then
# costs at most one PATCH of the grown size.
head -c 30000000 /dev/urandom > "$WORK/grow.bam"
start_proxy "all latency ms=25"
if MAX_PATCH_SIZE=8MiB upload id_grow "$WORK/grow.bam" "$PROXY_ENDPOINT"; then
  check "id_grow: verified" test "$(receipt_field id_grow status)" = verified
  check "id_grow: stored copy is byte-identical" stored_matches id_grow "$WORK/grow.bam"
  check "id_grow: PATCHes grew from 2 MiB to the 8 MiB allowed" grep -q "PATCH size → 8 MiB" "$WORK/id_grow.log"
  check "id_grow: never past --max-patch-size" bash -c "! grep -q 'PATCH size → 16 MiB' '$WORK/id_grow.log'"
  check "id_grow: an 8 MiB PATCH went out" grep -q "+8388608 → 204" "$WORK/id_grow.log"
else
  fail "id_grow: upload failed: $(tail -n 3 "$WORK/id_grow.log")"
fi
start_proxy "all latency ms=25" "1 cut dir=up bytes=20000000"
if MAX_PATCH_SIZE=8MiB upload id_grow_cut "$WORK/grow.bam" "$PROXY_ENDPOINT"; then
  resent=$(($(proxy_stat up_bytes) - 30000000))
  check "id_grow_cut: verified" test "$(receipt_field id_grow_cut status)" = verified
  check "id_grow_cut: stored copy is byte-identical" stored_matches id_grow_cut "$WORK/grow.bam"
  check "id_grow_cut: re-sent $resent ≤ one grown PATCH (8 MiB) + $SLACK" \
    test "$resent" -le $((8 * 1024 * 1024 + SLACK))
else
  fail "id_grow_cut: upload failed: $(tail -n 3 "$WORK/id_grow_cut.log")"
fi
DATA=$FASTQ_DATA PACKED=$FASTQ_PACKED

# TLS: the key must be private, and the centre's identity is always checked.
chmod 640 "$WORK/pki/lab-a.key"
if upload badkey "$DATA" "$ENDPOINT"; then fail "badkey: a group-readable key was used"; else
  check "badkey: refused with the reason" grep -q "chmod 600" "$WORK/badkey.log"
fi
chmod 600 "$WORK/pki/lab-a.key"
if upload wrongca "$DATA" "$ENDPOINT" --ca "$WORK/pki/other.crt"; then
  fail "wrongca: the server was trusted without its CA"
else
  check "wrongca: fails permanently, not after 12 attempts" bash -c "! grep -q 'giving up' '$WORK/wrongca.log'"
fi
PIN="sha256//$(openssl x509 -in "$WORK/pki/server.crt" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
check "pin: the right pinned key is accepted" upload pinned "$DATA" "$ENDPOINT" --pin "$PIN"
if upload badpin "$DATA" "$ENDPOINT" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; then
  fail "badpin: a wrong pin was accepted"
else
  check "badpin: refused" grep -qi "pin" "$WORK/badpin.log"
fi

# A file larger than the centre accepts fails at once with the reason (413 is permanent).
stop_server
write_config "[limits]" "max_upload_size = 1000000"
start_server
if upload toolarge "$DATA" "$ENDPOINT"; then
  fail "toolarge: a file over Tus-Max-Size was accepted"
else
  check "toolarge: refused with the reason" grep -q "Tus-Max-Size" "$WORK/toolarge.log"
  check "toolarge: no retries" bash -c "! grep -q 'transient failure' '$WORK/toolarge.log'"
fi

report proxy_fault_cases "$FAULT_CASES" "cut, stall, flip, refuse, latency… each survived byte-identical"
finish
