#!/usr/bin/env bash
# seqgate-sim reads checked by independent tools: size semantics, determinism (sha256sum),
# realistic compressibility (the zstd CLI), pairing, and exit codes.
# Self-contained on purpose (no shared helpers): it must run from any commit that has it.
set -euo pipefail

: "${SEQGATE_BIN_DIR:?run through ctest, or set SEQGATE_BIN_DIR to the build bin directory}"
SEQGATE_SIM="$SEQGATE_BIN_DIR/seqgate-sim"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seqgate-sim-reads-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

mib=$((1 << 20))

# ratio100 FILE — zstd -3 compression ratio of FILE, times 100.
ratio100() {
  local size compressed
  size=$(stat -c %s "$1")
  compressed=$(zstd -3 -q -c "$1" | wc -c)
  echo $((size * 100 / compressed))
}
# as_ratio R100 — "4.58" for 458.
as_ratio() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# --- 64 MiB of NovaSeq reads ---------------------------------------------------------------------
"$SEQGATE_SIM" reads --out a.fq --size 64M --seed 11 --profile novaseq 2>summary.txt ||
  fail "reads exited non-zero: $(cat summary.txt)"
grep -Eq 'records.* bytes .*MB/s' summary.txt || fail "no summary line: $(cat summary.txt)"
echo "  $(cat summary.txt)"
size=$(stat -c %s a.fq)
((size >= 64 * mib)) || fail "output $size is smaller than --size 64M"
((size < 64 * mib + 1000)) || fail "output $size overshoots 64M by more than one record"
[[ $(tail -c 1 a.fq | od -An -c | tr -d ' ') == '\n' ]] || fail "output does not end with a newline"
lines=$(wc -l < a.fq)
((lines % 4 == 0)) || fail "$lines lines is not a whole number of records"
[[ $(awk 'NR % 4 == 1 && !/^@A00123:45:HABCDEFXX:1:[0-9]+:[0-9]+:[0-9]+ 1:N:0:[ACGTN+]+$/' a.fq |
  head -1) == "" ]] || fail "a header does not look like NovaSeq"
[[ $(awk 'NR % 4 == 0 && /[^#8F-]/' a.fq | head -1) == "" ]] || fail "quality outside #-8F"
pass "64M: $size bytes, $((lines / 4)) whole records, NovaSeq headers and binned qualities"

r=$(ratio100 a.fq)
((r >= 250 && r <= 800)) || fail "zstd -3 ratio $(as_ratio "$r") is outside 2.5..8"
pass "zstd -3 ratio $(as_ratio "$r") is in the realistic band 2.5..8"

"$SEQGATE_SIM" reads --out b.fq --size 64M --seed 11 --profile novaseq 2>/dev/null
"$SEQGATE_SIM" reads --out c.fq --size 64M --seed 12 --profile novaseq 2>/dev/null
sha_a=$(sha256sum a.fq | cut -c1-64)
[[ $(sha256sum b.fq | cut -c1-64) == "$sha_a" ]] || fail "same seed gave different bytes"
[[ $(sha256sum c.fq | cut -c1-64) != "$sha_a" ]] || fail "another seed gave the same bytes"
pass "same seed: identical sha256 ($sha_a); another seed differs"
rm -f b.fq c.fq

# --- paired reads -----------------------------------------------------------------------------------
"$SEQGATE_SIM" reads --out p_R1.fq --out2 p_R2.fq --size 8M --seed 3 2>/dev/null
[[ $(wc -l < p_R1.fq) == $(wc -l < p_R2.fq) ]] || fail "R1 and R2 have different record counts"
cmp -s <(awk 'NR % 4 == 1 {print $1}' p_R1.fq) <(awk 'NR % 4 == 1 {print $1}' p_R2.fq) ||
  fail "R1 and R2 read names differ"
[[ $(awk 'NR % 4 == 1 && $2 !~ /^1:/' p_R1.fq | head -1) == "" ]] || fail "R1 header without 1:"
[[ $(awk 'NR % 4 == 1 && $2 !~ /^2:/' p_R2.fq | head -1) == "" ]] || fail "R2 header without 2:"
pass "paired: same names, 1: and 2:, same record count"

# --- the other profiles ----------------------------------------------------------------------------
"$SEQGATE_SIM" reads --out h.fq --size 16M --profile hiseq --read-length 101 2>/dev/null
r=$(ratio100 h.fq)
((r >= 200 && r <= 500)) || fail "hiseq zstd -3 ratio $(as_ratio "$r") is outside 2..5"
[[ $(awk 'NR % 4 == 2 && length($0) != 101' h.fq | head -1) == "" ]] || fail "--read-length 101"
pass "hiseq: 101-base reads, zstd -3 ratio $(as_ratio "$r")"

"$SEQGATE_SIM" reads --out o.fq --size 32M --profile ont 2>/dev/null
r=$(ratio100 o.fq)
((r >= 150 && r <= 400)) || fail "ont zstd -3 ratio $(as_ratio "$r") is outside 1.5..4"
mean=$(awk 'NR % 4 == 2 {n++; s += length($0)} END {print int(s / n)}' o.fq)
((mean > 1000)) || fail "ont mean read length $mean is not long"
grep -Eq '^@[0-9a-f-]{36} runid=[0-9a-f]{40} read=[0-9]+ ch=[0-9]+ start_time=' o.fq ||
  fail "ont header format"
pass "ont: mean length $mean, zstd -3 ratio $(as_ratio "$r")"

# --- exit codes ---------------------------------------------------------------------------------------
expect_exit() {  # expect_exit CODE "what" "message substring" cmd...
  local code=$1 what=$2 needle=$3 out rc=0
  shift 3
  out=$("$@" 2>&1) || rc=$?
  [[ $rc -eq $code ]] || fail "$what: exit $rc, expected $code: $out"
  [[ $out == *"$needle"* ]] || fail "$what: message lacks '$needle': $out"
  pass "$what (exit $rc)"
}
expect_exit 2 "unknown profile" "pacbio" "$SEQGATE_SIM" reads --out x.fq --size 1M --profile pacbio
expect_exit 2 "bad size" "12Q" "$SEQGATE_SIM" reads --out x.fq --size 12Q
expect_exit 2 "missing --out" "--out" "$SEQGATE_SIM" reads --size 1M
expect_exit 2 "paired ont" "ont" "$SEQGATE_SIM" reads --out x.fq --out2 y.fq --size 1M --profile ont
expect_exit 2 "negative seed" "negative" "$SEQGATE_SIM" reads --out x.fq --size 1M --seed -1
expect_exit 2 "no subcommand" "" "$SEQGATE_SIM"
expect_exit 1 "unwritable output" "$WORK/missing/x.fq" \
  "$SEQGATE_SIM" reads --out "$WORK/missing/x.fq" --size 1M
expect_exit 0 "help" "--profile" "$SEQGATE_SIM" reads --help
