#!/usr/bin/env bash
# Sanitizer builds and their tests, with clang 14 (warnings are errors):
#   scripts/sanitize.sh asan [BUILD_DIR] [extra cmake args...]
#     AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer): builds everything and runs
#     every unit and integration test (default BUILD_DIR build/asan).
#   scripts/sanitize.sh tsan [BUILD_DIR] [extra cmake args...]
#     ThreadSanitizer: builds only the concurrency-heavy unit test binaries (and the programs the
#     TSan integration tests run) and runs those (default BUILD_DIR build/tsan).
# Any sanitizer report fails the test that caused it (tests/CMakeLists.txt sets the runtime
# options; tests/integration/sanitizer_lib.sh collects the reports of background programs).
# Prints the wall time of configure+build and of the tests separately.
# SANITIZE_STEPS=build or =test runs only that half (scripts/test.sh builds in the background
# while other tests run, then tests); the default is both.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case $mode in
  asan) sanitize=address,undefined ;;
  tsan) sanitize=thread ;;
  *) echo "usage: $0 asan|tsan [BUILD_DIR] [extra cmake args...]" >&2; exit 2 ;;
esac
dir=${2:-build/$mode}
shift $(($# >= 2 ? 2 : 1))
jobs=$(nproc)

# The concurrency-heavy unit test binaries (worker threads, shared limiter/queues, the SQLite
# journal used from several threads, the control server's threads, ingest's upload locks and
# verification, the inotify watcher, the shared buffer pool and the hash lanes that pair up
# hashing threads) and their ctest directories under tests/unit.
tsan_targets=(seqgate_unit_pipeline seqgate_unit_transfer seqgate_unit_journal seqgate_unit_control
              ingest_unit_tests seqgate_unit_bridge seqgate_unit_common)
tsan_unit_dirs=(pipeline transfer journal control ingest bridge common)
# Integration tests under TSan: the multi-threaded programs end to end — seqgate-ingest (Asio
# thread pool, verification threads), seqgatectl upload (curl multi + packing threads) and
# seqgated (workers, uploads, journal, control server), one test each where their threads meet
# most (a takeover mid-PATCH, faults under curl multi, SIGKILLs mid-delivery): the test command's
# 30 minutes allow these four. SEQGATE_TSAN_INTEGRATION='^(ingest|transfer|daemon)_' runs all 13
# (about 3 minutes more on 2 cores).
tsan_integration=${SEQGATE_TSAN_INTEGRATION:-'^(ingest_tus_core|ingest_crash|transfer_ingest_faults|daemon_kill)$'}
tsan_programs=(seqgate-ingest seqgatectl seqgated seqgate-sim seqgate-fault-proxy)

# CPU seconds (user+sys) of every child process so far: on a shared machine the honest cost.
cpu_file=$(mktemp)
trap 'rm -f "$cpu_file"' EXIT
child_cpu() {  # child_cpu VAR
  times >"$cpu_file"  # a builtin, so it must run in this shell (not in $(...)): line 2 = children
  printf -v "$1" '%s' "$(sed -n 2p "$cpu_file" |
    awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } printf "%d", n }')"
}

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

steps=${SANITIZE_STEPS:-build,test}
t0=$(date +%s)
if [[ $steps == *build* ]]; then
  # -O1: the sanitizers' recommended level; it compiles much faster than -O2 and still inlines
  # enough that the tests do not crawl. Line tables are all the reports need to name file:line.
  # No NDEBUG: assertions stay on in the sanitized build.
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    -DSEQGATE_WERROR=ON "-DSEQGATE_SANITIZE=$sanitize" "$@" >/dev/null
  if [[ $mode == asan ]]; then
    cmake --build "$dir" -j "$jobs"
  else
    cmake --build "$dir" -j "$jobs" --target "${tsan_targets[@]}" "${tsan_programs[@]}"
  fi
fi
t1=$(date +%s)
child_cpu c1

rc=0
if [[ $steps != *test* ]]; then
  echo "== $mode ($dir): configure+build $((t1 - t0)) s wall / ${c1} s CPU"
  exit 0
fi
if [[ $mode == asan ]]; then
  echo "== $mode: unit + integration tests"
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure || rc=$?
else
  echo "== $mode: concurrency-heavy unit tests"
  for d in "${tsan_unit_dirs[@]}"; do
    # -E: a directory may hold other test binaries that this build leaves out on purpose.
    ctest --test-dir "$dir/tests/unit/$d" -j "$jobs" --output-on-failure -E '_NOT_BUILT-' || rc=$?
  done
  echo "== $mode: integration tests $tsan_integration"
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure -L integration -R "$tsan_integration" || rc=$?
fi
t2=$(date +%s)
child_cpu c2

echo "== $mode ($dir): configure+build $((t1 - t0)) s wall / ${c1} s CPU," \
  "tests $((t2 - t1)) s wall / $((c2 - c1)) s CPU ($(nproc) cores, load now: $(cut -d' ' -f1-3 /proc/loadavg))"
if ((rc != 0)); then echo "== $mode: TESTS FAILED" >&2; fi
exit "$rc"
