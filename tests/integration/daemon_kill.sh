#!/usr/bin/env bash
# Crash safety of the whole loop: seqgated is killed with SIGKILL at 10 random moments and
# seqgate-ingest at 5, while a multi-file Illumina run and a Nanopore run are delivered through
# a byte-counting proxy. Afterwards: every shipped file is at the centre exactly once and
# byte-identical, nothing was verified twice, both run receipts are complete, and the bytes
# sent over the wire exceed what had to be sent by at most one PATCH per upload in flight per
# kill.
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"

KILLS_DAEMON=10
KILLS_CENTRE=5
PARALLEL=2
PATCH=$((1024 * 1024))

make_pki
write_config
start_server
start_proxy ""   # no faults: it only counts the bytes between gateway and centre
"$SIM" illumina --out "$INSTRUMENTS" --size 96M --duration 0 --seed 21 >/dev/null
"$SIM" ont --out "$INSTRUMENTS" --size 32M --duration 0 --seed 22 >/dev/null
# A bandwidth cap stretches the delivery over several seconds so the kills land mid-flight.
write_daemon_config "$PROXY_ENDPOINT" 'bandwidth = "12MB/s"'

RANDOM=4242  # reproducible kill moments
start_daemon
# The service observes files settle before it ships them: the kills start once uploads run.
for _ in $(seq 1 100); do grep -q upload_created "$WORK/daemon.log" && break; sleep 0.1; done
kills=0
centre_kills=0
while ((kills < KILLS_DAEMON)); do
  sleep "0.$((3 + RANDOM % 6))"
  kill -KILL "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  kills=$((kills + 1))
  echo "-- killed seqgated ($kills), $(uploads_at_centre) uploads at the centre so far" >> "$WORK/daemon.log"
  if ((centre_kills < KILLS_CENTRE && kills % 2 == 0)); then
    stop_server KILL
    centre_kills=$((centre_kills + 1))
    start_server
  fi
  start_daemon
done
resumed=$(grep -c 'upload_created.*state=resuming' "$WORK/daemon.log" || true)
echo "  $resumed uploads resumed after a kill"
check "kills landed mid-upload (uploads were resumed: $resumed)" test "$resumed" -ge 3
check "seqgated was killed $KILLS_DAEMON times and seqgate-ingest $KILLS_CENTRE times" \
  test "$kills,$centre_kills" = "$KILLS_DAEMON,$KILLS_CENTRE"
report sigkill_seqgated "$kills" "mid-delivery, random moments"
report sigkill_ingest "$centre_kills"

# Then let it finish.
for _ in $(seq 1 240); do
  n=$( (find "$STORAGE/.receipts/lab-a" -name run.json 2>/dev/null || true) | wc -l)
  ((n >= 2)) && break
  sleep 0.5
done
sleep 1
check "every shipped file is at the centre once, byte-identical" check_delivered
check "nothing was verified twice" delivered_once
check "both runs have complete run receipts" run_receipts_complete 2

sent=$(proxy_stat up_bytes)
need=$(stored_bytes)
slack=$(( (KILLS_DAEMON + KILLS_CENTRE) * PARALLEL * PATCH + need / 50 + 4 * 1024 * 1024 ))
echo "  bytes on the wire $sent, stored $need, allowed re-send $slack"
check "re-sent bytes stay within one PATCH per upload per kill" test "$sent" -le $((need + slack))

kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=""
check "SIGTERM stops seqgated cleanly (rc=$rc)" test "$rc" = 0
if ((FAILURES > 0)); then echo "--- daemon log (tail)"; tail -n 80 "$WORK/daemon.log"; fi
finish
