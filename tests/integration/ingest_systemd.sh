#!/usr/bin/env bash
# seqgate-ingest under a service manager, without systemd: python3 plays systemd's notify
# socket and journald's native socket. The server must say READY=1 once it listens, keep
# STATUS= current (connections, uploads, bytes, last problem), ping WATCHDOG=1 when given
# WATCHDOG_USEC (and WATCHDOG_PID naming it, as systemd sets it), say STOPPING=1 on SIGTERM, and send journal entries with MESSAGE_ID,
# SEQGATE_EVENT and one SEQGATE_<KEY> per field. Without the journal it writes readable lines.
source "$(dirname "$0")/ingest_lib.sh"

source "$(dirname "$0")/sd_lib.sh"
trap 'stop_listener; cleanup' EXIT

make_pki
write_config

echo "== under a service manager, with the journal"
start_listener
: > "$WORK/server.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/server.log") \
  SEQGATE_JOURNAL_SOCKET="$WORK/journal.sock" NOTIFY_SOCKET="$WORK/notify.sock" \
  WATCHDOG_USEC=400000 INGEST="$INGEST" CONFIG="$WORK/ingest.toml" \
  bash -c 'export WATCHDOG_PID=$$; exec "$INGEST" --config "$CONFIG"' 2>>"$WORK/server.log" &
SERVER_PID=$!
check "READY=1 once listening" wait_notified '^READY=1$'
check "the metrics listener answers once READY was sent" curl -fsS "http://127.0.0.1:$METRICS_PORT/healthz" -o /dev/null
check "STATUS= while recovering" notified '^STATUS=recovering uploads$'
check "STATUS= with connections, uploads, bytes" notified '^STATUS=[0-9]+ connections, [0-9]+ uploads in progress, 0 B received$'
check "WATCHDOG=1 pinged" wait_notified '^WATCHDOG=1$'
check "WATCHDOG=1 keeps coming" bash -c "for _ in \$(seq 1 200); do [ \$(grep -c WATCHDOG=1 '$WORK/notify.jsonl') -ge 3 ] && exit 0; sleep 0.1; done; exit 1"

head -c 100000 /dev/urandom > "$WORK/blob"
META="seqgate-run $(b64 RUN_S),seqgate-path $(b64 blob.bin)"
U=$(create lab-a 100000 "$META")
check "upload accepted" test "$(patch lab-a "$U" 0 "$WORK/blob")" = 204
status_of badname "$ENDPOINT" >/dev/null  # a valid certificate for no site: a warning
check "STATUS= shows the bytes and the last problem (within its 5 s refresh)" \
  wait_notified '^STATUS=[0-9]+ connections, [0-9]+ uploads in progress, 97.66 KiB received, last problem: tls.no_site: remote=127.0.0.1'

check "journal: ingest.listening with its MESSAGE_ID, identifier, priority and fields" \
  journal_has ingest.listening "MESSAGE_ID=$(message_id ingest.listening)" SYSLOG_IDENTIFIER=seqgate-ingest \
  PRIORITY=6 "SEQGATE_TUS=127.0.0.1:$TUS_PORT" "SEQGATE_STORAGE=$STORAGE"
check "journal: upload.created names site, upload and run" \
  journal_has upload.created "MESSAGE_ID=$(message_id upload.created)" SEQGATE_SITE=lab-a \
  "SEQGATE_UPLOAD=${U#/files/}" SEQGATE_RUN=RUN_S SEQGATE_PATH=blob.bin
check "journal: the readable MESSAGE" grep -q "\"MESSAGE\": \[\"upload.created: site=lab-a upload=${U#/files/}" "$WORK/journal.jsonl"
check "journal: the warning at PRIORITY=4" journal_has tls.no_site PRIORITY=4 "MESSAGE_ID=$(message_id tls.no_site)"

kill -TERM "$SERVER_PID"
RC=0
wait "$SERVER_PID" || RC=$?
SERVER_PID=""
check "exit status 0 after SIGTERM (got $RC)" test "$RC" = 0
check "STOPPING=1 after SIGTERM" notified '^STOPPING=1$'
check "STOPPING=1 came after READY=1" /usr/bin/python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if d.index("READY=1") < d.index("STOPPING=1") else 1)' "$WORK/notify.jsonl"
check "journal: ingest.stopped" journal_has ingest.stopped "MESSAGE_ID=$(message_id ingest.stopped)"
check "nothing fell back to stderr" test ! -s "$WORK/server.log"
stop_listener

echo "== journal socket unreachable: readable lines with a <priority> prefix on the stream"
: > "$WORK/server.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/server.log") SEQGATE_JOURNAL_SOCKET="$WORK/absent.sock" \
  "$INGEST" --config "$WORK/ingest.toml" 2>>"$WORK/server.log" &
SERVER_PID=$!
check "fallback line" bash -c "for _ in \$(seq 1 100); do grep -q '^<6>seqgate-ingest: info ingest.listening: tus=127.0.0.1:$TUS_PORT ' '$WORK/server.log' && exit 0; sleep 0.1; done; exit 1"
stop_server TERM

echo "== stderr redirected elsewhere (JOURNAL_STREAM names another file): plain lines"
: > "$WORK/server.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/pki/ca.crt") SEQGATE_JOURNAL_SOCKET="$WORK/absent.sock" \
  "$INGEST" --config "$WORK/ingest.toml" 2>>"$WORK/server.log" &
SERVER_PID=$!
check "plain line" bash -c "for _ in \$(seq 1 100); do grep -q '^seqgate-ingest: info ingest.listening: tus=127.0.0.1:$TUS_PORT ' '$WORK/server.log' && exit 0; sleep 0.1; done; exit 1"
stop_server TERM
check "clean stop logged" grep -q '^seqgate-ingest: info ingest.stopped$' "$WORK/server.log"

finish
