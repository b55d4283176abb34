#!/usr/bin/env bash
# Power cuts, not just kills: the programs run with the power-cut test hook armed
# (SEQGATE_POWER_CUT_AFTER=N, see src/common/power_cut.h), which at the N-th durability
# operation reverts every write, creation, rename and removal not yet fsynced and SIGKILLs the
# process. One uncut run of each side lists the operations (<dir>/trace); the test then cuts at
# sampled points of that list and, after each cut, restarts without the hook:
#  (a) centre: seqgate-ingest cut during creation, PATCHes, verification, publication and the
#      receipt while `seqgatectl upload` sends a file. Right after the cut: the upload's offset is
#      not below what the client had recorded as acknowledged, and nothing but the complete,
#      verified file is under <storage>/lab-a/. After the restart the client finishes: one copy,
#      byte-identical, receipt verified, nothing quarantined.
#  (b) gateway: seqgated --once cut during a multi-file run delivery (its SQLite journal). Right
#      after the cut: the journal opens and every file it marks delivered is verified at the
#      centre. After a normal --once: every file delivered exactly once, byte-identical, the run
#      receipt complete.
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"

CENTRE_POINTS=${CENTRE_POINTS:-40}
GATEWAY_POINTS=${GATEWAY_POINTS:-32}
PATCH_SIZE=$((512 * 1024))
export STALL_SECONDS=3 MAX_ATTEMPTS=2

make_pki
write_config
make_data "$WORK/reads.fastq" 4 7
"$SEQGATECTL" pack "$WORK/reads.fastq" -o "$WORK/packed.zst" --frame-size 1MiB --threads 2 --json >/dev/null

# use_storage DIR — the next server start serves an empty, initialised storage DIR (so that
# the operations an armed server counts start with the first request, not with start-up).
use_storage() {
  STORAGE=$1
  if [[ -d "$WORK/storage-template" ]]; then cp -a "$WORK/storage-template" "$STORAGE"; else mkdir -p "$STORAGE"; fi
  sed -i "s|^storage = .*|storage = \"$STORAGE\"|" "$WORK/ingest.toml"
}
# start_armed_server N DIR — seqgate-ingest that cuts the power after operation N.
start_armed_server() {
  mkdir -p "$2"
  SEQGATE_POWER_CUT_AFTER=$1 SEQGATE_POWER_CUT_DIR=$2 start_server
}
# json_of FILE KEY — a top-level field of a JSON file ("" if absent).
json_of() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null || true; }
# pick_points TRACE MAX — the cut points: every operation but data writes, plus every 8th
# write, thinned evenly to at most MAX.
pick_points() {
  awk '$2 != "write" || NR % 8 == 0 { print $1 }' "$1" |
    awk -v max="$2" '{ p[NR] = $1 } END { step = NR > max ? NR / max : 1; for (i = 1; i <= NR && n < max; i += step) { print p[int(i)]; n++ } }'
}

# Published files under lab-a that are not the complete stream (must print nothing).
unverified_published() {
  local f
  while IFS= read -r f; do
    cmp -s "$f" "$WORK/packed.zst" || echo "  published but not the verified stream: ${f#"$STORAGE"/}"
  done < <(find "$STORAGE/lab-a" -type f 2>/dev/null || true)
}

echo "== (a) seqgate-ingest: one uncut delivery lists the operations"
use_storage "$WORK/storage-template"
start_server
stop_server
use_storage "$WORK/storage-cal"
start_armed_server 1000000000 "$WORK/pc-cal"
upload CAL "$WORK/reads.fastq" "$ENDPOINT" || { cat "$WORK/CAL.log"; }
stop_server
check "uncut delivery verified" test "$(receipt_field CAL status)" = verified
check "the packed stream is reproducible (stored = packed here)" cmp -s "$STORAGE/lab-a/CAL/reads/reads.fastq.zst" "$WORK/packed.zst"
TOTAL=$(wc -l < "$WORK/pc-cal/trace")
echo "     $TOTAL durability operations at the centre: $(awk '{print $2}' "$WORK/pc-cal/trace" | sort | uniq -c | tr -s ' ' | tr '\n' ',')"

cut=0 i=0 bad=0
T0=$SECONDS
for n in $(pick_points "$WORK/pc-cal/trace" "$CENTRE_POINTS"); do
  i=$((i + 1))
  name="C$n"
  use_storage "$WORK/storage-$name"
  start_armed_server "$n" "$WORK/pc-$name"
  BACKGROUND=1 upload "$name" "$WORK/reads.fastq" "$ENDPOINT"
  while kill -0 "$SERVER_PID" 2>/dev/null && kill -0 "$UPLOAD_PID" 2>/dev/null; do sleep 0.05; done
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
  kill -KILL "$UPLOAD_PID" 2>/dev/null || true
  wait "$UPLOAD_PID" 2>/dev/null || true
  if [[ ! -s "$WORK/pc-$name/cut" ]]; then
    echo "     (no cut at operation $n: the delivery needed fewer this time)"
    stop_server
    continue
  fi
  cut=$((cut + 1))
  what=$(cut -d'(' -f2 < "$WORK/pc-$name/cut" | cut -d' ' -f1)
  # What the disk holds right after the power cut.
  acked=$(json_of "$WORK/$name.state" acked_offset)
  acked=${acked:-0}
  progress=$( (find "$STORAGE/.uploads/lab-a" -name progress.json 2>/dev/null || true) | head -n 1)
  have=0
  [[ -n "$progress" ]] && have=$(json_of "$progress" offset)
  if ((have < acked)); then
    echo "FAIL - cut after op $n ($what): acknowledged $acked, the centre holds $have"
    bad=$((bad + 1))
  fi
  wrong=$(unverified_published)
  if [[ -n "$wrong" ]]; then
    echo "FAIL - cut after op $n ($what): $wrong"
    bad=$((bad + 1))
  fi
  # Restart without the hook; the client resumes from its state file.
  start_server
  if ! upload "$name" "$WORK/reads.fastq" "$ENDPOINT"; then
    echo "FAIL - cut after op $n ($what): the upload did not finish after the restart:"
    tail -n 5 "$WORK/$name.log"
    bad=$((bad + 1))
  elif [[ "$(receipt_field "$name" status)" != verified ]] || ! stored_matches "$name" "$WORK/reads.fastq" ||
    [[ "$( (find "$STORAGE/lab-a" -type f || true) | wc -l)" != 1 ]] ||
    [[ -n "$(find "$STORAGE/.quarantine" -type f || true)" ]]; then
    echo "FAIL - cut after op $n ($what): not exactly one verified, byte-identical copy"
    find "$STORAGE" -type f | sed 's/^/     /'
    bad=$((bad + 1))
  fi
  stop_server
done
echo "     $cut power cuts at the centre in $((SECONDS - T0)) s"
check "at least 30 power cuts at the centre ($cut)" test "$cut" -ge 30
report power_cuts_centre "$cut" "each: restart, resume, one verified byte-identical copy"
check "after every cut at the centre: nothing acknowledged lost, nothing unverified published, one verified copy ($bad failures)" test "$bad" = 0

echo "== (b) seqgated: one uncut delivery lists the journal's operations"
"$SIM" illumina --out "$INSTRUMENTS" --size 6M --duration 0 --seed 31 >/dev/null
# Journal rows marked delivered whose file the centre has not verified (must print nothing).
delivered_unverified() {
  local copy="$WORK/journal-copy"
  rm -rf "$copy" && mkdir -p "$copy"
  cp "$STATE"/journal.sqlite* "$copy/" 2>/dev/null || return 0  # cut before the journal existed
  /usr/bin/python3 - "$copy/journal.sqlite" "$STORAGE/.receipts/lab-a" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])  # a copy: recovering its WAL must not touch the real one
if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
    print("  journal fails integrity_check")
tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
rows = [] if "files" not in tables else db.execute(
    "SELECT r.name, f.rel_path, f.receipt FROM files f JOIN runs r ON r.id = f.run WHERE f.state = 'delivered'")
for name, path, receipt in rows:
    if not receipt:
        print("  %s/%s delivered in the journal without a receipt" % (name, path))
    if not os.path.exists(os.path.join(sys.argv[2], name, "files", path + ".json")):
        print("  %s/%s delivered in the journal, not verified at the centre" % (name, path))
PY
}
fresh_gateway() {  # fresh_gateway TAG — empty journal and an empty centre
  stop_server
  use_storage "$WORK/storage-$1"
  start_server
  STATE="$WORK/state-$1"
  write_daemon_config
}
fresh_gateway GCAL
mkdir -p "$WORK/pc-GCAL"
SEQGATE_POWER_CUT_AFTER=1000000000 SEQGATE_POWER_CUT_DIR="$WORK/pc-GCAL" \
  "$SEQGATED" --config "$WORK/seqgated.toml" --once >>"$WORK/daemon.log" 2>&1
check "uncut gateway delivery complete" run_receipts_complete 1
GTOTAL=$(wc -l < "$WORK/pc-GCAL/trace")
echo "     $GTOTAL journal operations: $(awk '{print $2}' "$WORK/pc-GCAL/trace" | sort | uniq -c | tr -s ' ' | tr '\n' ',')"

gcut=0 gbad=0
T0=$SECONDS
for k in $(seq 0 $((GATEWAY_POINTS - 1))); do
  n=$((1 + k * (GTOTAL - 2) / (GATEWAY_POINTS - 1)))  # the last operation may not recur
  fresh_gateway "G$n"
  mkdir -p "$WORK/pc-G$n"
  rc=0
  SEQGATE_POWER_CUT_AFTER=$n SEQGATE_POWER_CUT_DIR="$WORK/pc-G$n" \
    timeout 60 "$SEQGATED" --config "$WORK/seqgated.toml" --once >>"$WORK/daemon.log" 2>&1 || rc=$?
  if [[ ! -s "$WORK/pc-G$n/cut" ]]; then
    echo "     (no cut at journal operation $n, rc=$rc)"
    continue
  fi
  gcut=$((gcut + 1))
  what=$(cut -d'(' -f2 < "$WORK/pc-G$n/cut" | cut -d' ' -f1)
  wrong=$(delivered_unverified 2>&1 || echo "  cannot read the journal")
  if [[ -n "$wrong" ]]; then
    echo "FAIL - seqgated cut after journal op $n ($what): $wrong"
    gbad=$((gbad + 1))
  fi
  rc=0
  timeout 120 "$SEQGATED" --config "$WORK/seqgated.toml" --once >>"$WORK/daemon.log" 2>&1 || rc=$?
  if ((rc != 0)); then
    echo "FAIL - seqgated cut after journal op $n ($what): the restart exited $rc"
    tail -n 5 "$WORK/daemon.log"
    gbad=$((gbad + 1))
  elif ! out=$(check_delivered && delivered_once && run_receipts_complete 1); then
    echo "FAIL - seqgated cut after journal op $n ($what): $out"
    gbad=$((gbad + 1))
  fi
done
echo "     $gcut power cuts at the gateway in $((SECONDS - T0)) s"
check "at least 30 power cuts at the gateway ($gcut)" test "$gcut" -ge 30
report power_cuts_gateway "$gcut" "each: journal opens, every file once, nothing delivered unverified"
check "after every cut at the gateway: journal opens, nothing delivered unverified, every file once ($gbad failures)" test "$gbad" = 0
if ((FAILURES > 0)); then echo "--- server log (tail)"; tail -n 40 "$WORK/server.log"; fi
finish
