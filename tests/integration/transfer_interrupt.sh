#!/usr/bin/env bash
# seqgatectl upload stopped by SIGTERM mid-PATCH and by SIGINT during a retry backoff: it exits
# promptly (well before the stall watchdog or the backoff would have ended it) with 128+signal
# and "interrupted; run again to resume", the acknowledged offset stays in the state file, and a
# second run resumes from it, re-sending at most one PATCH, and the centre's copy is identical.
source "$SEQGATE_SOURCE_DIR/tests/integration/transfer_lib.sh"

make_pki
chmod 600 "$WORK"/pki/*.key
write_config
start_server

DATA="$WORK/data.fastq"
make_data "$DATA" 12 4
PACKED=$(packed_size "$DATA")
SLACK=$((PACKED / 50 + 65536))
echo "data: $(stat -c %s "$DATA") bytes, packed $PACKED, PATCH $PATCH_SIZE"

acked() {
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["acked_offset"])' \
    "$WORK/$1.state" 2>/dev/null || echo 0
}
# exits_within PID SECONDS — the process ends within that many seconds (polled).
exits_within() {
  local i t0=$(date +%s.%N)
  for i in $(seq 1 $(($2 * 20))); do
    if ! kill -0 "$1" 2>/dev/null; then
      echo "     (gone $(/usr/bin/python3 -c "print(round($(date +%s.%N) - $t0, 2))") s after the signal)"
      return 0
    fi
    sleep 0.05
  done
  return 1
}
# signal_case NAME SIGNAL — UPLOAD_PID is running; stop it and check how it ended.
signal_case() {
  local name=$1 sig=$2 want rc=0
  kill "-$sig" "$UPLOAD_PID"
  # The stall watchdog (60 s) or the backoff would end it much later: 10 s is a bound on
  # "promptly" that no scheduling hiccup reaches, not a timing measurement.
  check "$name: exited within 10 s of SIG$sig" exits_within "$UPLOAD_PID" 10
  wait "$UPLOAD_PID" || rc=$?
  want=$((128 + $(kill -l "$sig")))
  check "$name: exit code $want (got $rc)" test "$rc" = "$want"
  check "$name: says how to go on" grep -q "interrupted; run again to resume" "$WORK/$name.log"
}

# --- SIGTERM in the middle of a PATCH that will never finish (upstream stalled forever).
start_proxy "1 stall dir=up after=$((PACKED / 2)) secs=0"
STALL_SECONDS=60 BACKGROUND=1 upload term "$DATA" "$PROXY_ENDPOINT"
for _ in $(seq 1 300); do [[ "$(acked term)" -gt 0 ]] && break; sleep 0.1; done
# Let the next PATCH run into the stall.
for _ in $(seq 1 100); do
  [[ "$(awk '$1 == "up_bytes" { print $2 }' "$WORK/proxy.stats" 2>/dev/null)" -ge $((PACKED / 2)) ]] && break
  sleep 0.1
done
ACKED=$(acked term)
check "term: some PATCHes were acknowledged first ($ACKED)" test "$ACKED" -gt 0
signal_case term TERM
check "term: the acknowledged offset is still in the state file" test "$(acked term)" -ge "$ACKED"
check "term: nothing was reported as sent" test ! -s "$WORK/term.receipt"
ACKED=$(acked term)

SAME_PORT=1 start_proxy ""  # the state file names the endpoint
if upload term "$DATA" "$PROXY_ENDPOINT"; then
  check "term: the second run resumed" grep -q "resuming .* from acknowledged offset $ACKED" "$WORK/term.log"
  check "term: verified" test "$(receipt_field term status)" = verified
  check "term: stored copy is byte-identical" stored_matches term "$DATA"
  resent=$(($(proxy_stat up_bytes) - (PACKED - ACKED)))
  check "term: the second run re-sent $resent ≤ one PATCH ($PATCH_SIZE) + $SLACK" \
    test "$resent" -le $((PATCH_SIZE + SLACK))
else
  fail "term: resumed upload failed: $(tail -n 3 "$WORK/term.log")"
fi

# --- SIGINT while waiting to retry (every connection refused: the backoff grows to 60 s).
start_proxy "all refuse"
MAX_ATTEMPTS=0 BACKGROUND=1 upload backoff "$DATA" "$PROXY_ENDPOINT"
for _ in $(seq 1 100); do grep -q "retrying in" "$WORK/backoff.log" && break; sleep 0.1; done
check "backoff: the upload is retrying" grep -q "retrying in" "$WORK/backoff.log"
signal_case backoff INT
start_proxy ""
if upload backoff "$DATA" "$PROXY_ENDPOINT"; then
  check "backoff: verified after the restart" test "$(receipt_field backoff status)" = verified
  check "backoff: stored copy is byte-identical" stored_matches backoff "$DATA"
else
  fail "backoff: upload after the interruption failed: $(tail -n 3 "$WORK/backoff.log")"
fi

finish
