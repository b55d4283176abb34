#!/usr/bin/env bash
# Soak: seqgated delivers many small runs of every instrument family plus one large run to
# seqgate-ingest through the fault proxy, which gives each new connection a random fault (cut
# either way, stall until the watchdog fires, latency, a flipped byte either way, refusal) drawn
# from a printed seed. New runs appear for SOAK_SECONDS (default 60; longer on request), then
# the backlog drains. At the end every shipped file is at the centre exactly once and
# decompresses (stock zstd) to the instrument's bytes, every run has a complete run receipt,
# nothing is quarantined or half-written, and neither daemon's memory grew: the late VmRSS
# samples stay within a generous bound of the early ones. Replay a failure with SOAK_SEED=<seed>.
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"
# report METRIC VALUE [NOTE]: the suites' figure line (ingest_lib.sh defines it where
# scripts/reliability.sh collects figures; printed only where it does not).
declare -F report >/dev/null || report() { echo "report: $1 = $2${3:+ ($3)}"; }

SOAK_SECONDS=${SOAK_SECONDS:-60}
DRAIN_SECONDS=${DRAIN_SECONDS:-$((150 + SOAK_SECONDS / 2))}
SEED=${SOAK_SEED:-$(( $(date +%s%N) / 1000 % 1000000 ))}
echo "soak: seed $SEED (SOAK_SEED=$SEED replays the faults and runs), $SOAK_SECONDS s of new runs"
SAMPLER_PID=""
soak_cleanup() {
  if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; fi
  daemon_cleanup
}
trap soak_cleanup EXIT

make_pki
write_config
start_server

# Faults per connection, in accept order, for more connections than a soak opens. seqgated
# keeps its connections alive, so every connection ends in a fault somewhere inside it (which
# opens the next one; a connection without one would carry the rest of the soak): up offsets within ~2 MB of upload, down offsets within ~30 KB of
# answers. A third also get latency. Stalls are rarer: each costs the stall watchdog (5 s).
/usr/bin/python3 - "$SEED" > "$WORK/soak.faults" <<'PY'
import random, sys
r = random.Random(int(sys.argv[1]))
kinds = [("cut-up", 25), ("cut-down", 12), ("flip-up", 18), ("flip-down", 8),
         ("refuse", 15), ("stall-up", 4), ("stall-down", 4)]
names = [k for k, _ in kinds]
weights = [w for _, w in kinds]
for conn in range(1, 30001):
    if r.random() < 0.33:
        print(f"{conn} latency ms={r.randint(2, 40)}")
    k = r.choices(names, weights)[0]
    if k == "cut-up":
        print(f"{conn} cut dir=up bytes={r.randint(1000, 2_000_000)}")
    elif k == "cut-down":
        print(f"{conn} cut dir=down bytes={r.randint(200, 30_000)}")
    elif k == "flip-up":
        print(f"{conn} flip dir=up offset={r.randint(1000, 2_000_000)}")
    elif k == "flip-down":
        print(f"{conn} flip dir=down offset={r.randint(200, 30_000)}")
    elif k == "refuse":
        print(f"{conn} refuse")
    elif k == "stall-up":
        print(f"{conn} stall dir=up after={r.randint(1000, 2_000_000)} secs=0")
    elif k == "stall-down":
        print(f"{conn} stall dir=down after={r.randint(200, 30_000)} secs=0")
PY
mapfile -t FAULT_LINES < "$WORK/soak.faults"
start_proxy "${FAULT_LINES[@]}"

write_daemon_config "$PROXY_ENDPOINT" "stall_seconds = 5"
start_daemon
INGEST_PID=$SERVER_PID

# VmRSS of both daemons every second: "elapsed_s seqgated_kB ingest_kB".
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
(
  t0=$SECONDS
  while kill -0 "$DAEMON_PID" 2>/dev/null; do
    echo "$((SECONDS - t0)) $(rss "$DAEMON_PID") $(rss "$INGEST_PID")"
    sleep 1
  done
) > "$WORK/rss.log" &
SAMPLER_PID=$!

# The small runs cycle through the families whose runs end with a marker and whose names
# follow the seed. PacBio's sim names every run alike (one run, at the start); MGI and generic
# folders complete only after 30 min without change (no marker), past any soak.
FAMILIES=(illumina ont element ultima)
RUNS=2
"$SIM" illumina --out "$INSTRUMENTS" --size 32M --duration 0 --seed "$SEED" >/dev/null
"$SIM" pacbio --out "$INSTRUMENTS" --size 2M --duration 0 --seed "$SEED" >/dev/null
START=$SECONDS
i=0
while ((SECONDS - START < SOAK_SECONDS)); do
  fam=${FAMILIES[i % ${#FAMILIES[@]}]}
  size=$(( (SEED + i * 7919) % 3 + 1 ))M
  "$SIM" "$fam" --out "$INSTRUMENTS" --size "$size" --duration 0 --seed $((SEED + 1 + i)) >/dev/null ||
    fail "seqgate-sim $fam --seed $((SEED + 1 + i)) failed"
  RUNS=$((RUNS + 1))
  i=$((i + 1))
  sleep 3
done
echo "soak: $RUNS runs written in $((SECONDS - START)) s; draining (≤ $DRAIN_SECONDS s)"
all_delivered() { [[ $(receipts_count) -ge $RUNS ]]; }
check "all $RUNS runs delivered (run receipts at the centre)" wait_for "$DRAIN_SECONDS" all_delivered
if ! all_delivered; then
  echo "  journal: $(journal_sql "SELECT state || ' ' || count(*) FROM files GROUP BY state" | tr '\n' ',')"
  journal_sql "SELECT rel_path, state, error FROM files WHERE state != 'delivered' LIMIT 10" | sed 's/^/  /'
fi
echo "soak: drained after $((SECONDS - START)) s"
check "every run receipt says complete" run_receipts_complete "$RUNS"
check "every shipped file at the centre exactly once, byte-identical after zstd -d" check_delivered
check "no file verified twice" delivered_once
check "nothing quarantined (every flipped byte was caught in transit)" \
  test "$(find "$STORAGE/.quarantine" -type f 2>/dev/null | wc -l)" = 0
check "no half-written file at the centre" test -z "$(find "$STORAGE" -name '*.tmp-*' -print -quit)"
check "the journal marks every file delivered" \
  test "$(journal_sql "SELECT count(*) FROM files WHERE state != 'delivered'")" = 0
check "seqgated still running" kill -0 "$DAEMON_PID"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""

# Flat memory: the highest late sample (last quarter) at most 1.5 × the highest early one
# (second tenth to third, after start-up) + 48 MiB. Generous: it catches growth per run or per
# retry over a soak, not allocator noise.
/usr/bin/python3 - "$WORK/rss.log" > "$WORK/rss.verdict" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 3]
n = len(rows)
ok = n >= 20
for col, name in ((1, "seqgated"), (2, "seqgate-ingest")):
    early = [r[col] for r in rows[n // 10: max(n // 10 + 1, n * 3 // 10)]]
    late = [r[col] for r in rows[n * 3 // 4:]]
    if not early or not late:
        ok = False
        continue
    bound = max(early) * 3 // 2 + 48 * 1024
    good = max(late) <= bound
    ok = ok and good
    print(f"  {name}: VmRSS early max {max(early)} kB, late max {max(late)} kB, bound {bound} kB,"
          f" overall max {max(r[col] for r in rows)} kB over {n} samples: {'ok' if good else 'GREW'}")
print("verdict", "ok" if ok else "grew")
PY
cat "$WORK/rss.verdict"
while read -r name early late; do
  report "soak_rss_${name}_kB" "$early → $late" "max VmRSS early → late"
done < <(/usr/bin/python3 -c '
import re, sys
for l in open(sys.argv[1]):
    m = re.match(r"  (\S+): VmRSS early max (\d+) kB, late max (\d+) kB", l)
    if m: print(m.group(1).replace("-", "_"), m.group(2), m.group(3))' "$WORK/rss.verdict")
check "memory flat (late VmRSS within bound of early)" grep -q "^verdict ok" "$WORK/rss.verdict"

# Counts for docs/reliability.md.
plog="$WORK/proxy.log"
conns=$(proxy_stat connections)
lat=$(awk -v n="$conns" '$1 <= n && $2 == "latency"' "$WORK/soak.faults" | wc -l)
files=$(shipped_files | wc -l)
orig=$(shipped_files | while IFS=$'\t' read -r root rel; do stat -c %s "$root/$rel"; done | awk '{s += $1} END {print s + 0}')
echo "soak counts (seed $SEED, $SOAK_SECONDS s of new runs, drained after $((SECONDS - START)) s):"
report soak_seed "$SEED"
report soak_seconds "$SOAK_SECONDS" "new runs for this long, then drained"
report soak_runs "$RUNS"
report soak_files "$files"
report soak_original_bytes "$orig"
report soak_stored_bytes "$(stored_bytes)"
report soak_uploads_at_centre "$(uploads_at_centre)" "files + manifests + creations whose answer was lost"
report soak_connections "$conns"
report soak_fault_cut_up "$(grep -c 'cut up after' "$plog")"
report soak_fault_cut_down "$(grep -c 'cut down after' "$plog")"
report soak_fault_stall_up "$(grep -c 'stalling up' "$plog")"
report soak_fault_stall_down "$(grep -c 'stalling down' "$plog")"
report soak_fault_flip "$(grep -c 'flipped byte' "$plog")"
report soak_fault_refused "$(grep -c 'refusing connection' "$plog")"
report soak_fault_latency "$lat" "connections with added latency"
report soak_gateway_retries "$(grep -c 'upload_retry' "$WORK/daemon.log")"
finish
