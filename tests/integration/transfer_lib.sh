# Shared helpers for the transfer_*.sh integration tests (sourced, not a test itself): builds on
# ingest_lib.sh (throw-away PKI, seqgate-ingest on loopback) and adds test data, the fault proxy,
# and `seqgatectl upload` as site lab-a.
# shellcheck source=ingest_lib.sh
source "$SEQGATE_SOURCE_DIR/tests/integration/ingest_lib.sh"
SEQGATE_TRANSFER_LIB=1  # sourced: s3_lib.sh after daemon_lib.sh must not start a second $WORK

SEQGATECTL="$SEQGATE_BIN_DIR/seqgatectl"
FAULT_PROXY="$SEQGATE_BIN_DIR/seqgate-fault-proxy"
PROXY_PID=""
PATCH_SIZE=$((2 * 1024 * 1024))

transfer_cleanup() {
  if [[ -n "$PROXY_PID" ]]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
  cleanup
}
trap transfer_cleanup EXIT

# make_data FILE MEGABYTES SEED — deterministic FASTQ-like text (compresses about 2.5×).
make_data() {
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import random, sys
path, mb, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
target = mb * 1000 * 1000
with open(path, "w") as f:
    n = 0
    i = 0
    while n < target:
        rec = "@read%d\n%s\n+\n%s\n" % (i, "".join(r.choices("ACGT", k=90)), "".join(r.choices("FGHI#:", k=90)))
        f.write(rec)
        n += len(rec)
        i += 1
PY
}

# start_proxy FAULT_LINES... — a fresh fault proxy in front of the ingest server (or of
# UPSTREAM_PORT); its port in
# PROXY_PORT, its endpoint in PROXY_ENDPOINT. Connection numbers start at 1 again. With
# SAME_PORT=1 it listens on the previous PROXY_PORT (a resumed upload keeps its endpoint).
start_proxy() {
  stop_proxy
  local listen="127.0.0.1:0"
  [[ "${SAME_PORT:-0}" == 1 ]] && listen="127.0.0.1:$PROXY_PORT"
  printf '%s\n' "$@" > "$WORK/faults"
  rm -f "$WORK/proxy.port" "$WORK/proxy.stats"
  "$FAULT_PROXY" --listen "$listen" --upstream "127.0.0.1:${UPSTREAM_PORT:-$TUS_PORT}" --faults "$WORK/faults" \
    --stats "$WORK/proxy.stats" --port-file "$WORK/proxy.port" 2>>"$WORK/proxy.log" &
  PROXY_PID=$!
  for _ in $(seq 1 50); do [[ -s "$WORK/proxy.port" ]] && break; sleep 0.1; done
  PROXY_PORT=$(cat "$WORK/proxy.port")
  PROXY_ENDPOINT="https://localhost:$PROXY_PORT/files/"
}

stop_proxy() {
  if [[ -n "$PROXY_PID" ]]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
  PROXY_PID=""
}

# proxy_stat NAME — connections / up_bytes / down_bytes forwarded so far.
proxy_stat() {
  sleep 0.3  # the proxy rewrites its stats file within 200 ms of a change
  awk -v k="$1" '$1 == k { print $2 }' "$WORK/proxy.stats"
}

# upload NAME FILE ENDPOINT [extra seqgatectl args] — uploads as lab-a into run NAME; receipt in
# $WORK/NAME.receipt, progress notes in $WORK/NAME.log; returns seqgatectl's exit code. With
# BACKGROUND=1 it starts seqgatectl in the background instead and sets UPLOAD_PID.
# STALL_SECONDS (3) and MAX_ATTEMPTS (12) override those options.
upload() {
  local name=$1 file=$2 endpoint=$3
  shift 3
  if [[ "${BACKGROUND:-0}" == 1 ]]; then
    upload_cmd "$name" "$file" "$endpoint" "$@" > "$WORK/$name.receipt" 2>> "$WORK/$name.log" &
    UPLOAD_PID=$!
    return 0
  fi
  upload_cmd "$name" "$file" "$endpoint" "$@" > "$WORK/$name.receipt" 2>> "$WORK/$name.log"
}
upload_cmd() {
  local name=$1 file=$2 endpoint=$3
  shift 3
  exec_or_run "$SEQGATECTL" upload "$file" --endpoint "$endpoint" --client-cert "$WORK/pki/lab-a.crt" \
    --client-key "$WORK/pki/lab-a.key" --ca "$WORK/pki/ca.crt" --run "$name" \
    --path "reads/$(basename "$file")" --state "$WORK/$name.state" --frame-size 1MiB \
    --patch-size "$PATCH_SIZE" --max-patch-size "${MAX_PATCH_SIZE:-$PATCH_SIZE}" --threads 2 --stall-seconds "${STALL_SECONDS:-3}" --connect-timeout 5 \
    --max-attempts "${MAX_ATTEMPTS:-12}" "$@"
}
# In a background subshell `exec` makes $! the program itself, so it can be SIGKILLed.
exec_or_run() { if [[ $BASHPID != "$$" ]]; then exec "$@"; else "$@"; fi; }

# receipt_field NAME KEY — a field of the receipt document's "receipt" object.
receipt_field() {
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["receipt"][sys.argv[2]])' \
    "$WORK/$1.receipt" "$2"
}

# stored_matches NAME FILE — the verified copy decompresses to FILE's bytes (zstd + sha256sum).
stored_matches() {
  local stored="$STORAGE/lab-a/$1/reads/$(basename "$2")"
  if [[ -f "$stored.zst" ]]; then
    [[ "$(zstd -dc "$stored.zst" | sha256sum | cut -d' ' -f1)" == "$(sha256_of "$2")" ]]
  else  # identity (already compressed): stored as sent, under its own name
    [[ -f "$stored" ]] && cmp -s "$stored" "$2"
  fi
}

# packed_size FILE — the size of the stream seqgatectl uploads for FILE (same frame size).
packed_size() {
  "$SEQGATECTL" pack "$1" -o "$WORK/packed.tmp" --frame-size 1MiB --threads 2 --json >/dev/null
  stat -c %s "$WORK/packed.tmp"
}
