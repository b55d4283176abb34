#!/usr/bin/env bash
# The bridge against the simulator: every family and outcome seqgate-sim can play is seen by
# seqgatectl scan in the state and outcome it signals; instrument checksums match the files;
# the simulator is deterministic; and a run written over time, watched as the daemon would,
# yields its events in order with no file announced before it is final.
set -euo pipefail
BIN="${SEQGATE_BIN_DIR:?}"
SIM="$BIN/seqgate-sim"
CTL="$BIN/seqgatectl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0
# family outcome -> expected "state outcome" ('-' = empty outcome)
check() {
  local fam=$1 outcome=$2 want_state=$3 want_outcome=$4
  shift 4
  n=$((n + 1))
  local out="$work/$n-$fam-$outcome"
  "$SIM" "$fam" --out "$out" --duration 0 --size 256K --seed 7 --outcome "$outcome" "$@" >/dev/null 2>&1
  "$CTL" scan "$out" --json --settle 0 --stall 0 --stability 0 >"$out.json"
  python3 - "$out.json" "$fam" "$want_state" "$want_outcome" <<'PY'
import hashlib, json, os, sys
path, fam, want_state, want_outcome = sys.argv[1:]
runs = json.load(open(path))
assert len(runs) == 1, (path, [r["root"] for r in runs])
r = runs[0]
assert r["family"] == fam, r["family"]
got = (r["state"], r["outcome"] or "-")
assert got == (want_state, want_outcome), (path, got, r["detail"])
assert not r["problems"], r["problems"]
for f in r["files"]:
    if "source_checksum" in f:
        data = open(os.path.join(r["root"], f["path"]), "rb").read()
        assert hashlib.sha256(data).hexdigest() == f["source_checksum"]["hex"], f["path"]
if want_state == "completed":  # everything ships except what failed or aborted units hold
    bad_units = {u["name"] for u in r["units"] if u["state"] != "completed"}
    waiting = [f["path"] for f in r["files"]
               if f["ships"] and not f["ready"] and f.get("unit") not in bad_units]
    assert not waiting, waiting
PY
}

check illumina completed completed RunCompleted
check illumina failed failed RunErrored
check illumina aborted aborted UserEndedEarly
check illumina stalled stalled -
check illumina completed completed CompletedAsPlanned --model nextseq2000 --requeue
check illumina completed completed CompletedAsPlanned --model miseq
check illumina failed failed ExceptionEndedEarly --model novaseq6000
check ont completed completed Completed
check ont aborted aborted Crashed
check ont stalled stalled -
check pacbio completed completed Completed --cells 3
check pacbio aborted completed PartiallyCompleted
check pacbio stalled stalled -
check pacbio completed completed Completed --model sequel2
check element completed completed OutcomeCompleted
check element failed failed OutcomeFailed
check element stalled stalled -
check ultima completed completed UploadCompleted
check ultima stalled stalled -
check mgi completed completed Completed
check mgi stalled stalled -
echo "bridge_sim: every family and outcome recognised"

# Outcomes a family cannot signal are refused, not faked.
set +e
"$SIM" ultima --out "$work/x" --outcome failed --duration 0 2>/dev/null
rc=$?
set -e
[[ $rc -eq 2 ]] || { echo "ultima --outcome failed: exit $rc, want 2" >&2; exit 1; }

# Same seed, same bytes.
for d in a b; do "$SIM" ont --out "$work/det-$d" --duration 0 --size 128K --seed 11 >/dev/null 2>&1; done
(cd "$work/det-a" && find . -type f | sort | xargs sha256sum) >"$work/a.sum"
(cd "$work/det-b" && find . -type f | sort | xargs sha256sum) >"$work/b.sum"
cmp "$work/a.sum" "$work/b.sum"

# Live: a NextSeq 2000 run with a requeued analysis, written over 6 s, watched meanwhile.
live="$work/live"
mkdir -p "$live"
# Not --until-done: between the failed Analysis/1 and the requeued Analysis/2 the run is
# legitimately complete for a moment (completed, resumed, completed), and stopping there
# would make this test depend on timing.
"$CTL" scan "$live" --follow 30 --interval 0.5 --settle 1 >"$work/events.jsonl" &
watcher=$!
sleep 0.5
"$SIM" illumina --model nextseq2000 --requeue --out "$live" --duration 6 --size 2M --seed 3 \
  >"$work/root.txt" 2>/dev/null
wait "$watcher"
python3 - "$work/events.jsonl" "$(cat "$work/root.txt")" <<'PY'
import json, os, sys
events = [json.loads(l) for l in open(sys.argv[1])]
root = sys.argv[2]
kinds = [e["event"] for e in events]
assert kinds[0] == "run_discovered", kinds[:3]
assert kinds[-1] == "run_completed", kinds[-3:]
# Any completion before the last was followed by a resumption (the requeue window).
for i, k in enumerate(kinds[:-1]):
    if k == "run_completed":
        assert "run_resumed" in kinds[i + 1:], kinds
assert "file_changed" not in kinds, [e for e in events if e["event"] == "file_changed"]
ready = {e["path"]: e for e in events if e["event"] == "file_ready"}
units = {(e["unit"], e["state"]) for e in events if e["event"] == "unit_changed"}
assert ("Analysis/1", "failed") in units and ("Analysis/2", "completed") in units, units
assert not any(p.startswith("Analysis/1/") for p in ready), "failed analysis shipped"
fastq = [p for p in ready if p.endswith(".fastq")]
assert len(fastq) == 4, fastq
for p, e in ready.items():  # announced once, at its final size
    assert e["size"] == os.path.getsize(os.path.join(root, p)), (p, e["size"])
    assert [x["path"] for x in events if x["event"] == "file_ready"].count(p) == 1, p
assert all(ready[p].get("source_checksum", {}).get("algorithm") == "sha256" for p in fastq)
print(f"bridge_sim: live run ok ({len(events)} events, {len(ready)} files ready)")
PY
echo "bridge_sim: all checks passed"
