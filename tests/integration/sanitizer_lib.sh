# Sanitizer reports of every program an integration test runs (sourced by lib.sh and
# ingest_lib.sh, not a test itself). In a sanitized build ctest sets SEQGATE_SANITIZED=1 and the
# ASAN/UBSAN/TSAN_OPTIONS that make a report abort the program (tests/CMakeLists.txt). An abort
# alone is not enough here: seqgate-ingest and seqgated run in the background with stderr in a
# log file and their exit status is not always looked at, and some commands are expected to fail
# or have stderr discarded. So every report goes to a file in one directory (log_path, files are
# created only when there is something to report) and sanitizer_check, called by the scripts'
# EXIT traps after the background programs were stopped, prints them and fails the test. (One
# file prefix for all three: in an ASan+UBSan program the last log_path parsed wins anyway.)
SANITIZER_LOG_DIR=""
if [[ ${SEQGATE_SANITIZED:-0} == 1 ]]; then
  SANITIZER_LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/seqgate-sanitizer.XXXXXX")
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$SANITIZER_LOG_DIR/report"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$SANITIZER_LOG_DIR/report"
  export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$SANITIZER_LOG_DIR/report"
fi

# sanitizer_check — from an EXIT trap: exits 1 (after printing them) if any program reported.
sanitizer_check() {
  [[ -n $SANITIZER_LOG_DIR && -d $SANITIZER_LOG_DIR ]] || return 0
  local reports=()
  local f
  for f in "$SANITIZER_LOG_DIR"/*; do
    [[ -s $f ]] || continue
    # LeakSanitizer's exit-time check stops the world with ptrace; a process SIGKILLed in that
    # moment (the power-cut and kill tests do exactly that) leaves only "Unable to get registers
    # from thread N". That is a check that could not run, not a finding: say so, do not fail.
    if ! grep -qvE '^==[0-9]+==(Unable to get registers from thread [0-9]+\.|LeakSanitizer has encountered a fatal error\.|HINT: .*)?$' "$f"; then
      echo "note: LeakSanitizer could not inspect a process killed during its exit check (${f##*/})" >&2
      continue
    fi
    reports+=("$f")
  done
  if ((${#reports[@]} == 0)); then
    rm -rf "$SANITIZER_LOG_DIR"
    return 0
  fi
  echo "FAIL: ${#reports[@]} sanitizer report(s) from programs this test ran:" >&2
  for f in "${reports[@]}"; do
    echo "--- ${f##*/}" >&2
    cat "$f" >&2
  done
  rm -rf "$SANITIZER_LOG_DIR"
  exit 1
}
