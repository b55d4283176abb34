# Shared helpers for integration scripts: sourced, not run. Every script gets a private scratch
# directory that is removed on exit, and `fail` that names the check that broke.
set -euo pipefail

: "${SEQGATE_BIN_DIR:?run through ctest, or set SEQGATE_BIN_DIR to the build bin directory}"
SEQGATECTL="$SEQGATE_BIN_DIR/seqgatectl"
SEQGATE_SIM="$SEQGATE_BIN_DIR/seqgate-sim"

# shellcheck source=sanitizer_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/sanitizer_lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seqgate-it-XXXXXX")
cleanup() { chmod -R u+rwX "$WORK" 2>/dev/null || true; rm -rf "$WORK"; sanitizer_check; }
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# json_field FILE KEY — prints one top-level field of a JSON object (python3 is always present).
json_field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("null" if v is None else v)' "$1" "$2"; }

# expect_fail "what" "message substring" cmd... — the command must fail and say the substring.
expect_fail() {
  local what=$1 needle=$2
  shift 2
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  [[ $rc -ne 0 ]] || fail "$what: expected failure, got success: $out"
  [[ $out == *"$needle"* ]] || fail "$what: message lacks '$needle': $out"
  local nl=$'\n'
  pass "$what (exit $rc: ${out%%"$nl"*})"
}
