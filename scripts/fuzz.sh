#!/usr/bin/env bash
# Runs every libFuzzer target of a SEQGATE_FUZZ=ON build for SECONDS each, nproc at a time,
# each on a scratch copy of its kept seed corpus and regressions (the repository is never
# written). Fails if any target finds a crash, leak, timeout or OOM, printing the reproducer and
# the command that replays it. Writes BUILD_DIR/fuzz-summary.json (docs/reliability.md).
#
#   scripts/fuzz.sh BUILD_DIR [SECONDS=60]
#
# Build: cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
#          -DSEQGATE_SANITIZE=address,undefined -DSEQGATE_FUZZ=ON && cmake --build build/fuzz
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 BUILD_DIR [SECONDS=60]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)/tests/fuzz
jobs=$(nproc)

targets=()
for dir in "$src"/corpus/*/; do
  t=$(basename "$dir")
  if [[ ! -x $build/bin/fuzz_$t ]]; then
    echo "fuzz: $build/bin/fuzz_$t missing: configure $build with clang and -DSEQGATE_FUZZ=ON" >&2
    exit 2
  fi
  targets+=("$t")
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/seqgate-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
keep="$build/fuzz-artifacts"  # reproducers outlive the scratch folder
rm -rf "$keep"

# run_one <target>: fuzzes one target; its log, artifacts and result stay in $scratch/<target>.
run_one() {
  local t=$1 w="$scratch/$1"
  mkdir -p "$w/corpus" "$w/artifacts" "$w/tmp"
  cp "$src/corpus/$t"/* "$w/corpus/"
  if [[ -d $src/regressions/$t ]]; then
    find "$src/regressions/$t" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$w/corpus/" \;
  fi
  local dict=()
  [[ -f $src/dict/$t.dict ]] && dict=("-dict=$src/dict/$t.dict")
  local rc=0
  # TMPDIR: whatever a target writes (ingest storage, stream files) stays in the scratch folder.
  TMPDIR="$w/tmp" "$build/bin/fuzz_$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$w/artifacts/" \
    "$w/corpus" >"$w/log" 2>&1 || rc=$?
  echo "$rc" >"$w/rc"
}
export -f run_one
export scratch src build seconds

printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'

# Summary: one line per target, and the JSON.
failed=0
python3 - "$scratch" "$build/fuzz-summary.json" "$seconds" "${targets[@]}" <<'PY' || failed=1
import json, os, re, sys
scratch, out, seconds, targets = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
summary, bad = {}, False
for t in targets:
    w = os.path.join(scratch, t)
    log = open(os.path.join(w, "log"), errors="replace").read()
    rc = int(open(os.path.join(w, "rc")).read())
    stat = dict(re.findall(r"^stat::(\w+):\s+(\d+)", log, re.M))
    cov = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)/(\d+)(\w*)b?", log)
    artifacts = sorted(os.listdir(os.path.join(w, "artifacts")))
    corpus = os.listdir(os.path.join(w, "corpus"))
    entry = {
        "seconds": seconds,
        "executions": int(stat.get("number_of_executed_units", 0)),
        "exec_per_second": int(stat.get("average_exec_per_sec", 0)),
        "peak_rss_mb": int(stat.get("peak_rss_mb", 0)),
        "coverage": int(cov[-1][0]) if cov else 0,
        "features": int(cov[-1][1]) if cov else 0,
        "corpus_files": len(corpus),
        "corpus_bytes": sum(os.path.getsize(os.path.join(w, "corpus", f)) for f in corpus),
        "crashes": len(artifacts),
        "exit_code": rc,
    }
    kind = ""
    for k in ("ERROR: AddressSanitizer", "runtime error", "ERROR: LeakSanitizer",
              "ERROR: libFuzzer: timeout", "ERROR: libFuzzer: out-of-memory", "deadly signal"):
        if k in log:
            kind = k.replace("ERROR: ", "")
            break
    if rc != 0 or artifacts:
        bad = True
        entry["failure"] = kind or "exit code %d" % rc
        entry["reproducers"] = artifacts
    summary[t] = entry
    print("fuzz %-16s %s  %9d execs  %6d/s  cov %5d  ft %6d  corpus %5d  %s" % (
        t, "FAIL" if t in summary and "failure" in entry else "ok  ", entry["executions"],
        entry["exec_per_second"], entry["coverage"], entry["features"], entry["corpus_files"],
        entry.get("failure", "")))
json.dump(summary, open(out, "w"), indent=1, sort_keys=True)
print("fuzz: summary in " + out)
sys.exit(1 if bad else 0)
PY

# Reproducers: keep them, say how to replay them and where a fixed one goes.
for t in "${targets[@]}"; do
  w="$scratch/$t"
  if [[ $(cat "$w/rc") != 0 ]] || [[ -n $(ls -A "$w/artifacts") ]]; then
    mkdir -p "$keep/$t"
    cp "$w/log" "$keep/$t/log"
    echo "== fuzz_$t failed; its log: $keep/$t/log"
    grep -m1 -E "ERROR: |runtime error|deadly signal" "$w/log" || true
    for a in "$w"/artifacts/*; do
      [[ -e $a ]] || continue
      cp "$a" "$keep/$t/"
      echo "   reproducer: $keep/$t/$(basename "$a")"
      echo "   replay:     $build/bin/fuzz_$t $keep/$t/$(basename "$a")"
      echo "   once fixed: cp $keep/$t/$(basename "$a") $src/regressions/$t/"
    done
  fi
done
exit "$failed"
