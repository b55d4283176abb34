#!/usr/bin/env bash
# Wall-clock jumps, forwards and backwards, on either side while runs are moving. The real
# programs run with tests/tools/clock_shift preloaded, reading their offset from a file the test
# rewrites; the monotonic clock is left alone, as a real clock step leaves it.
# What depends on the clock, and what must hold:
#   centre: upload expiry (Upload-Expires is wall time) — a forward jump must not expire an
#     upload its client is still sending (410 / swept), also across a restart of the centre;
#     an idle one still expires; receipts carry the centre's wall time (recorded, never compared
#     by the gateway; checked here to prove the jump reached the centre).
#   gateway: the watcher's settle / stall windows and scan interval — a backward jump must not
#     freeze settling (a file seen before the jump never "settles"), a forward one must not
#     declare a run stalled; retry backoff and the stall watchdog already run on the monotonic
#     clock (condition-variable waits, curl's low-speed timer) and are exercised on the way.
#   both: TLS certificates are checked against the wall clock — correctly so; the test's
#     certificates are valid from a day before to a day after, so jumps of 20 h stay inside.
# Not covered: the bandwidth schedule follows local wall time by design (a window is a time of
# day), and no bearer tokens exist (the site identity is the certificate).
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"
# report METRIC VALUE [NOTE]: the suites' figure line (ingest_lib.sh defines it where
# scripts/reliability.sh collects figures; printed only where it does not).
declare -F report >/dev/null || report() { echo "report: $1 = $2${3:+ ($3)}"; }

SHIFT_LIB="$SEQGATE_BIN_DIR/libclock_shift.so"
[[ -f $SHIFT_LIB ]] || { echo "FAIL - $SHIFT_LIB missing (tests/tools/clock_shift)"; exit 1; }
# faked CLOCK FILE PROGRAM — a wrapper that runs PROGRAM with its wall clock offset by FILE's
# contents ("+0", "+20h", "-20h"), re-read at most every 200 ms (tests/tools/clock_shift).
faked() {
  echo "+0" > "$2"
  cat > "$1" <<SH
#!/bin/sh
LD_PRELOAD=$SHIFT_LIB SEQGATE_CLOCK_SHIFT_FILE=$2 exec "$3" "\$@"
SH
  chmod +x "$1"
}
# jump CLOCK_FILE OFFSET — written by rename, so a reader never sees a half-written file; then
# long enough for every reader's cache to expire.
jump() { echo "$2" > "$1.new"; mv "$1.new" "$1"; sleep 0.5; }
# seconds_ahead ISO_TIME — how far ISO_TIME (a receipt's) is ahead of the real clock now.
seconds_ahead() {
  /usr/bin/python3 -c 'import datetime,sys; t=datetime.datetime.fromisoformat(sys.argv[1].replace("Z","+00:00")); print(int((t-datetime.datetime.now(datetime.timezone.utc)).total_seconds()))' "$1"
}

# Certificates valid from a day ago: made with the clock a day back.
echo "-1d" > "$WORK/pki.clock"
LD_PRELOAD=$SHIFT_LIB SEQGATE_CLOCK_SHIFT_FILE="$WORK/pki.clock" make_pki
chmod 600 "$WORK"/pki/*.key
check "the test's certificates start a day back (the clock shift works on openssl)" \
  bash -c "(( \$(date -d \"\$(openssl x509 -in '$WORK/pki/server.crt' -noout -startdate | cut -d= -f2)\" +%s) < \$(date +%s) - 82800 ))"
CENTRE_CLOCK="$WORK/centre.clock"
GATEWAY_CLOCK="$WORK/gateway.clock"
faked "$WORK/ingest-faked" "$CENTRE_CLOCK" "$INGEST"
faked "$WORK/seqgated-faked" "$GATEWAY_CLOCK" "$SEQGATED"
INGEST="$WORK/ingest-faked"
SEQGATED="$WORK/seqgated-faked"

# Uploads idle for 4 s expire; the sweep looks every second.
write_config "[limits]" "upload_expiry_seconds = 4" "cleanup_interval_seconds = 1"
start_server
DATA="$WORK/data.fastq"
make_data "$DATA" 12 9

echo "# the centre's clock jumps 20 h forward during an upload"
IDLE=$(create lab-b 100 "")
start_proxy "all throttle bps=1500000"
BACKGROUND=1 upload fwd "$DATA" "$PROXY_ENDPOINT"
for _ in $(seq 1 300); do [[ -s "$WORK/fwd.state" ]] && grep -q '"acked_offset": *[1-9]' "$WORK/fwd.state" && break; sleep 0.1; done
jump "$CENTRE_CLOCK" "+20h"
rc=0; wait "$UPLOAD_PID" || rc=$?
check "the upload completes across the jump (rc=$rc)" test "$rc" = 0
check "receipt verified" test "$(receipt_field fwd status)" = verified
check "one upload from start to end (no 410, not swept, not restarted)" \
  test "$(find "$STORAGE/.uploads/lab-a" -mindepth 1 -maxdepth 1 -type d | wc -l)" = 1
check "no transient failure on the way" bash -c "! grep -q 'transient failure' '$WORK/fwd.log'"
check "stored copy is byte-identical" stored_matches fwd "$DATA"
FWD_AHEAD=$(seconds_ahead "$(receipt_field fwd time)")
check "the receipt carries the centre's clock, 20 h ahead (${FWD_AHEAD} s)" test "$FWD_AHEAD" -gt 70000 -a "$FWD_AHEAD" -lt 74000
gone() { [[ ! -e "$STORAGE/.uploads/lab-b/${IDLE#/files/}" ]]; }
check "an upload idle past its expiry is still swept" wait_for 30 gone

echo "# the centre's clock jumps 20 h back during an upload"
BACKGROUND=1 upload back "$DATA" "$PROXY_ENDPOINT"
for _ in $(seq 1 300); do [[ -s "$WORK/back.state" ]] && grep -q '"acked_offset": *[1-9]' "$WORK/back.state" && break; sleep 0.1; done
jump "$CENTRE_CLOCK" "-20h"
rc=0; wait "$UPLOAD_PID" || rc=$?
check "the upload completes across the jump (rc=$rc)" test "$rc" = 0
check "receipt verified, byte-identical" bash -c "[[ \$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"receipt\"][\"status\"])' '$WORK/back.receipt') == verified ]]"
check "stored copy is byte-identical" stored_matches back "$DATA"
BACK_AHEAD=$(seconds_ahead "$(receipt_field back time)")
check "the receipt carries the centre's clock, 20 h back (${BACK_AHEAD} s)" test "$BACK_AHEAD" -lt -70000 -a "$BACK_AHEAD" -gt -74000

# Live uploads renew their expiry with every commit, so the dangerous moment is a gap: here the
# centre restarts with its clock 20 h ahead (a bad RTC at boot) while a gateway is away. Its
# start-up sweep and the first HEAD must not take the half-done upload for an expired one.
echo "# the centre restarts 20 h ahead while an upload is half done"
BACKGROUND=1 upload restart "$DATA" "$PROXY_ENDPOINT"
for _ in $(seq 1 300); do [[ -s "$WORK/restart.state" ]] && grep -q '"acked_offset": *[1-9]' "$WORK/restart.state" && break; sleep 0.1; done
kill -KILL "$UPLOAD_PID"; wait "$UPLOAD_PID" 2>/dev/null || true
HALF=$(basename "$(ls -td "$STORAGE/.uploads/lab-a"/*/ | head -n 1)")
stop_server
echo "+20h" > "$CENTRE_CLOCK"
start_server
rc=0; upload restart "$DATA" "$PROXY_ENDPOINT" || rc=$?
check "the gateway resumes after the restart (rc=$rc)" test "$rc" = 0
check "it resumed the half-done upload (not expired, not restarted from zero)" \
  test "$(receipt_field restart upload)" = "$HALF"
check "stored copy is byte-identical" stored_matches restart "$DATA"
jump "$CENTRE_CLOCK" "+0"
stop_proxy

echo "# the gateway's clock jumps back, then forward, while runs settle"
write_daemon_config "$ENDPOINT"
sed -i 's/^settle_seconds = 1$/settle_seconds = 4/' "$WORK/seqgated.toml"
start_daemon
check "seqgated is ready" wait_for 30 grep -q daemon_ready "$WORK/daemon.log"
"$SIM" illumina --out "$INSTRUMENTS" --size 2M --duration 0 --seed 51 >/dev/null
check "run 1 delivered" wait_for 90 bash -c "[[ \$(find '$STORAGE/.receipts/lab-a' -name run.json | wc -l) -ge 1 ]]"
"$SIM" ont --out "$INSTRUMENTS" --size 2M --duration 0 --seed 52 >/dev/null
check "run 2 discovered" wait_for 30 grep -q "run_discovered.*PAK" "$WORK/daemon.log"
# Its files are inside their 4 s settle window now: a wall clock 20 h back must not hold them.
jump "$GATEWAY_CLOCK" "-20h"
check "run 2 (seen before the backward jump) settles and is delivered" \
  wait_for 90 bash -c "[[ \$(find '$STORAGE/.receipts/lab-a' -name run.json | wc -l) -ge 2 ]]"
"$SIM" element --out "$INSTRUMENTS" --size 2M --duration 8 --seed 53 >/dev/null &
SIM_PID=$!
sleep 3
jump "$GATEWAY_CLOCK" "+20h"
wait "$SIM_PID"
check "run 3 (written across the forward jump) is delivered" \
  wait_for 90 bash -c "[[ \$(find '$STORAGE/.receipts/lab-a' -name run.json | wc -l) -ge 3 ]]"
# The journal stamps deliveries with the gateway's wall clock: proof the jump reached seqgated.
RUN3_AHEAD=$(( $(journal_sql "SELECT max(delivered_ns) FROM runs") / 1000000000 - $(date +%s) ))
check "run 3's delivery carries the gateway's clock, 20 h ahead (${RUN3_AHEAD} s)" \
  test "$RUN3_AHEAD" -gt 70000 -a "$RUN3_AHEAD" -lt 74000
check "no run was declared stalled by the forward jump" bash -c "! grep -q run_stalled '$WORK/daemon.log'"
check "no file was shipped before it settled (no source change seen)" bash -c "! grep -q source_changed '$WORK/daemon.log'"
check "every shipped file arrived byte-identical" check_delivered
check "no file verified twice" delivered_once
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
if ((FAILURES > 0)); then echo "--- daemon log (tail)"; tail -n 40 "$WORK/daemon.log"; fi
report clock_jumps_centre 3 "+20 h and -20 h during uploads, restart 20 h ahead"
report clock_jumps_gateway 2 "-20 h while a run settles, +20 h while a run is written"
finish
