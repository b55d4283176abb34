#!/usr/bin/env bash
# Regenerates docs/reliability.md: runs the full test command (scripts/test.sh) with the
# figures switched on — every integration suite's `report` lines, the fuzzers' summary, the
# phases' test counts and times — and renders them. One command, nothing typed by hand.
#
#   scripts/reliability.sh [FUZZ_SECONDS=30]    (longer fuzzing on request, e.g. 600)
set -euo pipefail
cd "$(dirname "$0")/.."
export SEQGATE_REPORT_DIR="$PWD/build/reliability"
export SEQGATE_FUZZ_SECONDS="${1:-30}"
rm -rf "$SEQGATE_REPORT_DIR"
mkdir -p "$SEQGATE_REPORT_DIR"
./scripts/test.sh 2>&1 | tee "$SEQGATE_REPORT_DIR/test.log"
/usr/bin/python3 scripts/render_reliability.py "$SEQGATE_REPORT_DIR" > docs/reliability.md.new
mv docs/reliability.md.new docs/reliability.md
echo "reliability: docs/reliability.md rewritten from $SEQGATE_REPORT_DIR"
