#!/usr/bin/env bash
# Benchmark: CPU cost of a firmware-bridge reconciliation scan.
#
#   bench/scan.sh [FILES] [RUNS]
#
# 1. One NovaSeq-X-like run folder with FILES files (default 100,000: CBCL tiles per lane and
#    cycle, InterOp, on-board analysis FASTQ): `seqgatectl scan RUN --no-files` CPU time
#    (user+sys) and peak RSS, cold-ish and warm, plus the full per-file JSON listing.
# 2. RUNS run folders (default 50) of FILES/RUNS files each under one watch root: the CPU of
#    one reconciliation pass over all of them, and what that is as a share of one core for a
#    60 s reconciliation interval (the daemon's idle cost while watching them).
# Needs python3 and GNU time (/usr/bin/time). Uses $SEQGATECTL, else builds build/bench.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-100000}
runs=${2:-50}

ctl=${SEQGATECTL:-}
if [[ -z "$ctl" ]]; then
  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build/bench --target seqgatectl >/dev/null
  ctl=build/bench/bin/seqgatectl
fi
[[ -x /usr/bin/time ]] || { echo "bench/scan.sh: needs GNU time (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$files" "$runs" <<'PY'
import os, sys
work, files, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def make_run(root, run_id, n):
    os.makedirs(root)
    def w(rel, data=b""):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    w("RunInfo.xml", f'<RunInfo><Run Id="{run_id}"><Flowcell>FC{run_id[-6:]}</Flowcell>'
      f'<Instrument>LH00217</Instrument><Date>20240202</Date></Run></RunInfo>'.encode())
    w("RunParameters.xml", b"<RunParameters><Side>A</Side></RunParameters>")
    for m in ("RTAComplete.txt", "CopyComplete.txt", "Analysis/1/CopyComplete.txt",
              "Analysis/1/Data/Secondary_Analysis_Complete.txt"):
        w(m)
    made = 6
    fastq = max(1, n // 50)
    for i in range(fastq):
        w(f"Analysis/1/Data/BCLConvert/fastq/S{i}_S{i}_L00{i % 8 + 1}_R1_001.fastq.gz", b"@r\n")
    made += fastq
    i = 0
    while made < n:
        lane, cycle, tile = i % 8 + 1, (i // 8) % 318 + 1, i // (8 * 318)
        w(f"Data/Intensities/BaseCalls/L00{lane}/C{cycle}.1/L00{lane}_{tile + 1}.cbcl", b"c")
        made += 1
        i += 1

make_run(os.path.join(work, "one", "20240202_LH00217_0044_A2255J2LT3"),
         "20240202_LH00217_0044_A2255J2LT3", files)
for r in range(runs):
    rid = f"20240202_LH00217_{r:04d}_A22{r:06d}"
    make_run(os.path.join(work, "many", rid), rid, max(10, files // runs))
PY
# Old enough to be settled and past the stability windows.
find "$work" -exec touch -h -d "3 hours ago" {} +

measure() {  # measure <label> <args...>: prints user+sys seconds and peak RSS
  local label=$1
  shift
  /usr/bin/time -f "%U %S %M" -o "$work/time" "$ctl" scan "$@" >/dev/null
  awk -v l="$label" '{ printf "%-40s cpu %6.3f s (user %s, sys %s)  peak RSS %6.1f MiB\n",
                          l, $1 + $2, $1, $2, $3 / 1024 }' "$work/time"
}

run="$work/one/20240202_LH00217_0044_A2255J2LT3"
echo "== one run, $(find "$run" -type f | wc -l) files"
measure "scan --no-files (first)" "$run" --no-files
measure "scan --no-files (warm)" "$run" --no-files
measure "scan --no-files (warm)" "$run" --no-files
measure "scan --json (every file listed)" "$run" --json
echo "== $runs runs under one watch root, $(find "$work/many" -type f | wc -l) files in all"
measure "one reconciliation pass" "$work/many" --no-files
/usr/bin/time -f "%U %S" -o "$work/time" "$ctl" scan "$work/many" --no-files >/dev/null
awk '{ printf "  every run rescanned each pass, at a 60 s interval: %.3f %% of one core\n",
            ($1 + $2) / 60 * 100 }' "$work/time"

# Steady state while watching, as the daemon does (seqgatectl scan --follow runs the same
# WatchLoop): finished runs are rescanned every 10th pass, discovery every pass. The first
# seconds (discovery, announcing every file) are taken out by differencing two durations.
follow() {  # follow <seconds>: CPU seconds of watching "many" with a 2 s pass interval
  /usr/bin/time -f "%U %S" -o "$work/ftime" "$ctl" scan "$work/many" --follow "$1" \
    --interval 2 --settle 0 >/dev/null 2>&1
  awk '{ print $1 + $2 }' "$work/ftime"
}
short=$(follow 6)
long=$(follow 46)
awk -v s="$short" -v l="$long" 'BEGIN {
  per_pass = (l - s) / 20
  printf "watching %s runs: %.4f s CPU per 2 s pass in steady state (%.2f %% of one core);\n", '"$runs"', per_pass, per_pass / 2 * 100
  printf "  at a 60 s interval: %.4f %% of one core\n", per_pass / 60 * 100 }' 
