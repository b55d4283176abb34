#!/usr/bin/env bash
# seqgated under a service manager, without systemd: python3 plays the notify socket and
# journald. The gateway must say READY=1 once its journal is open and the first watch pass
# reconciled it, keep STATUS= current ("N runs, M files queued, R MB/s"), ping WATCHDOG=1 from
# its loop, say RELOADING=1 then READY=1 on SIGHUP and STOPPING=1 on SIGTERM, and log to the
# journal with MESSAGE_ID, SEQGATE_EVENT, SEQGATE_RUN, SEQGATE_FILE, SEQGATE_BYTES, SEQGATE_SHA256.
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"
source "$SEQGATE_SOURCE_DIR/tests/integration/sd_lib.sh"
trap 'stop_listener; daemon_cleanup' EXIT

make_pki
write_config
start_server
"$SIM" ont --out "$INSTRUMENTS" --size 2M --duration 0 --seed 41 >/dev/null
write_daemon_config
GATEWAY_METRICS=$(free_port)
sed -i 's/^log_level = "debug"/log_level = "info"/; s/^metrics = ""/metrics = "127.0.0.1:'"$GATEWAY_METRICS"'"/' "$WORK/seqgated.toml"

start_listener
: > "$WORK/daemon.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/daemon.log") \
  SEQGATE_JOURNAL_SOCKET="$WORK/journal.sock" NOTIFY_SOCKET="$WORK/notify.sock" \
  WATCHDOG_USEC=400000 SEQGATED="$SEQGATED" CONFIG="$WORK/seqgated.toml" \
  bash -c 'export WATCHDOG_PID=$$; exec "$SEQGATED" --config "$CONFIG"' 2>>"$WORK/daemon.log" &
DAEMON_PID=$!
check "READY=1 once the journal is open and reconciled" wait_notified '^READY=1$'
check "STATUS= one line: runs, files queued, rate" wait_notified '^STATUS=[0-9]+ runs, [0-9]+ files queued, [0-9.]+ MB/s'
check "WATCHDOG=1 keeps coming" bash -c "for _ in \$(seq 1 200); do [ \$(grep -c WATCHDOG=1 '$WORK/notify.jsonl') -ge 3 ] && exit 0; sleep 0.1; done; exit 1"
delivered() { journal_has run_delivered "MESSAGE_ID=$(message_id run_delivered)" SYSLOG_IDENTIFIER=seqgated; }
check "journal: run_delivered with its MESSAGE_ID" wait_for 60 delivered
file=$(/usr/bin/python3 - "$WORK/journal.jsonl" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("SEQGATE_EVENT") == ["file_delivered"]:
        print(e["SEQGATE_RUN"][0] + "\t" + e["SEQGATE_FILE"][0] + "\t" + e["SEQGATE_SHA256"][0]); break
PY
)
IFS=$'\t' read -r run rel sha <<<"$file"
root=$(dirname "$(find "$INSTRUMENTS" -name 'final_summary_*.txt' | head -n 1)")
check "journal: file_delivered names run, file and the original's SHA-256 (sha256sum agrees)" \
  test "$sha" = "$(sha256sum "$root/$rel" | cut -c1-64)"
check "journal: file_delivered names run and file at PRIORITY=6" \
  journal_has file_delivered "SEQGATE_RUN=$run" "SEQGATE_FILE=$rel" PRIORITY=6

# /metrics agrees with the journal the daemon keeps.
curl -fsS "http://127.0.0.1:$GATEWAY_METRICS/metrics" > "$WORK/metrics.txt"
delivered_files=$(journal_sql "SELECT count(*) FROM files WHERE state='delivered'")
check "/metrics: seqgate_files{state=\"delivered\"} = $delivered_files, as in the journal" \
  grep -qx "seqgate_files{state=\"delivered\"} $delivered_files" "$WORK/metrics.txt"
check "/metrics: one delivered run, a last-delivery time" \
  bash -c 'grep -qx "seqgate_runs{state=\"delivered\"} 1" "$0" && grep -q "^seqgate_last_delivery_timestamp_seconds [1-9]" "$0"' "$WORK/metrics.txt"

# SIGHUP takes a new watch root without a restart.
mkdir -p "$WORK/instruments2"
"$SIM" ont --out "$WORK/instruments2" --size 2M --duration 0 --seed 42 >/dev/null
printf '\n[[watch.root]]\npath = "%s"\n' "$WORK/instruments2" >> "$WORK/seqgated.toml"
kill -HUP "$DAEMON_PID"
check "SIGHUP: RELOADING=1" wait_notified '^RELOADING=1'
check "journal: config_reloaded" bash -c "for _ in \$(seq 1 100); do grep -q config_reloaded '$WORK/journal.jsonl' && exit 0; sleep 0.1; done; exit 1"
two_receipts() { [[ $(receipts_count) -ge 2 ]]; }
check "the run under the reloaded root is delivered too" wait_for 60 two_receipts
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=""
check "exit 0 after SIGTERM (got $rc)" test "$rc" = 0
check "STOPPING=1 after SIGTERM" notified '^STOPPING=1$'
check "nothing fell back to stderr" test ! -s "$WORK/daemon.log"
finish
