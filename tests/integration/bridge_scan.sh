#!/usr/bin/env bash
# seqgatectl scan on hand-built run folders of several families: states, outcomes, what ships
# and why not, in text and JSON; a missing watch root fails with exit code 1.
set -euo pipefail
CTL="${SEQGATE_BIN_DIR:?}/seqgatectl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/watch"
old="2 hours ago"

mk() {  # mk <path> <content> [date]
  mkdir -p "$(dirname "$root/$1")"
  printf '%s' "$2" >"$root/$1"
  touch -d "${3:-$old}" "$root/$1"
}

# Illumina NovaSeq X: completed, with a finished on-board analysis and raw CBCL.
x=20240202_LH00217_0044_A2255J2LT3
mk $x/RunInfo.xml "<RunInfo><Run Id=\"$x\"><Flowcell>2255J2LT3</Flowcell><Instrument>LH00217</Instrument><Date>20240202</Date></Run></RunInfo>"
mk $x/RunParameters.xml "<RunParameters><Side>A</Side></RunParameters>"
mk $x/Data/Intensities/BaseCalls/L001/C1.1/L001_1.cbcl "cbcl"
mk $x/RTAComplete.txt ""
mk $x/CopyComplete.txt ""
mk $x/RunCompletionStatus.xml "<RunCompletionStatus><RunStatus>RunCompleted</RunStatus></RunCompletionStatus>"
mk $x/Analysis/1/Data/BCLConvert/fastq/S1_S1_L001_R1_001.fastq.gz "@r1"
mk $x/Analysis/1/Data/Secondary_Analysis_Complete.txt ""
mk $x/Analysis/1/CopyComplete.txt ""

# Illumina NextSeq 2000 still copying.
n=240722_VH00123_12_AAAFFF2M5
mk $n/RunInfo.xml "<RunInfo><Run Id=\"$n\"><Flowcell>AAAFFF2M5</Flowcell><Instrument>VH00123</Instrument><Date>240722</Date></Run></RunInfo>"
mk $n/RTAComplete.txt ""

# ONT crashed run: reads stranded in queued_reads/, silent for 8 hours.
o=ont/proj/s1/20240101_1200_PC24B123_PAK12345_abcdef12
mk $o/fastq_pass/PAK12345_pass_abcdef12_0.fastq.gz "@a" "8 hours ago"
mk $o/queued_reads/r.fastq "@q" "8 hours ago"
touch -d "8 hours ago" "$root/$o/fastq_pass" "$root/$o/queued_reads" "$root/$o"

# Element AVITI failed run.
e=aviti/AV234/20240101_AV234_myrun
mk $e/RunParameters.json '{"RunID":"AV1-42","FlowcellID":"2345678","RunType":"Sequencing"}'
mk $e/Samples/P1/S1/S1_R1.fastq.gz "@e"
mk $e/RunUploaded.json '{"outcome":"OutcomeFailed"}'

# A broken Ultima marker.
u=Runs/412345-20240101_1200
mk $u/412345_LibraryInfo.xml "<x/>"
mk $u/UploadCompleted.json '{"truncated'

# A file name that is not UTF-8 (charset mismatch on a share) must not break JSON output.
mk "$x/Analysis/1/Data/BCLConvert/fastq/$(printf 'bad\xff')_R1_001.fastq.gz" "@r2"

"$CTL" scan "$root" >"$work/scan.txt"
grep -q "run $x  \[illumina, NovaSeq X\]" "$work/scan.txt"
grep -q "state       completed (RunCompleted)" "$work/scan.txt"
grep -q "not shipped 1 files: raw/intermediate data" "$work/scan.txt"
grep -q "PROBLEM     UploadCompleted.json: malformed JSON" "$work/scan.txt"

"$CTL" scan "$root" --json >"$work/scan.json"
python3 - "$work/scan.json" "$x" "$n" <<'PY'
import json, sys
runs = {r["run_id"]: r for r in json.load(open(sys.argv[1]))}
x, n = sys.argv[2], sys.argv[3]
assert set(runs) == {x, n, "abcdef12", "AV1-42", "412345"}, sorted(runs)
for r in runs.values():
    for k in ("run_id", "family", "state", "outcome", "files"):
        assert k in r, (r["run_id"], k)
    for f in r["files"]:
        assert {"path", "size", "ready"} <= set(f), f
def files(r): return {f["path"]: f for f in runs[r]["files"]}
assert runs[x]["state"] == "completed" and runs[x]["outcome"] == "RunCompleted"
fx = files(x)
assert fx["Analysis/1/Data/BCLConvert/fastq/S1_S1_L001_R1_001.fastq.gz"]["ready"] is True
assert fx["Analysis/1/Data/BCLConvert/fastq/bad\ufffd_R1_001.fastq.gz"]["ready"] is True
cbcl = fx["Data/Intensities/BaseCalls/L001/C1.1/L001_1.cbcl"]
assert cbcl["ready"] is False and "not shipped by default" in cbcl["reason"], cbcl
assert runs[n]["state"] == "in progress"
assert files(n)["RunInfo.xml"]["reason"] == "run copying (waiting for CopyComplete.txt)"
assert runs["abcdef12"]["family"] == "ont"
assert runs["abcdef12"]["state"] == "aborted" and runs["abcdef12"]["outcome"] == "Crashed"
assert runs["AV1-42"]["state"] == "failed" and runs["AV1-42"]["outcome"] == "OutcomeFailed"
assert files("AV1-42")["Samples/P1/S1/S1_R1.fastq.gz"]["ready"] is True
assert runs["412345"]["state"] == "in progress"
assert any("UploadCompleted.json" in p for p in runs["412345"]["problems"])
print("bridge_scan: json ok")
PY

# Overrides: --exclude wins; --include ships CBCL.
"$CTL" scan "$root/$x" --json --exclude '*.fastq.gz' --include '*.cbcl' >"$work/o.json"
python3 - "$work/o.json" <<'PY'
import json, sys
(run,) = json.load(open(sys.argv[1]))
f = {x["path"]: x for x in run["files"]}
assert f["Data/Intensities/BaseCalls/L001/C1.1/L001_1.cbcl"]["ready"] is True
fq = f["Analysis/1/Data/BCLConvert/fastq/S1_S1_L001_R1_001.fastq.gz"]
assert fq["ready"] is False and fq["reason"] == "excluded by operator glob '*.fastq.gz'", fq
PY

# MGI has no marker: without its lane report the run waits; an operator can mark it complete.
mk mgi/V300012345/L01/V300012345_L01_read_1.fq.gz "@m"
"$CTL" scan "$root/mgi" --json >"$work/m.json"
"$CTL" scan "$root/mgi" --json --mark-complete V300012345 >"$work/mc.json"
python3 - "$work/m.json" "$work/mc.json" <<'PY'
import json, sys
(before,), (after,) = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert before["state"] == "in progress", before["state"]
assert "L01/*.summaryReport.html" in before["detail"], before["detail"]
assert (after["state"], after["outcome"]) == ("completed", "MarkedComplete"), after["state"]
assert all(f["ready"] for f in after["files"] if f["ships"])
PY
if "$CTL" scan "$root/mgi" --mark-complete NOPE >/dev/null 2>&1; then
  echo "--mark-complete of an unknown run succeeded" >&2
  exit 1
fi

# A watch root that is not there is an error, not an empty listing.
if "$CTL" scan "$work/nope" 2>"$work/err.txt"; then
  echo "scan of a missing root succeeded" >&2
  exit 1
fi
grep -q "watch root unavailable" "$work/err.txt"
echo "bridge_scan: all checks passed"
