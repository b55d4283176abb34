#!/usr/bin/env bash
# seqgatectl pack/verify/extract checked by independent tools: the zstd CLI, sha256sum, md5sum.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

# --- a realistic FASTQ from the generator ------------------------------------------------------
"$SEQGATE_SIM" reads --out r1.fq --size 48M --seed 7 --profile novaseq 2>/dev/null
sha=$(sha256sum r1.fq | cut -c1-64)
md5=$(md5sum r1.fq | cut -c1-32)

"$SEQGATECTL" pack r1.fq -o r1.fq.zst --json --frame-size 1MiB > pack.json
[[ $(json_field pack.json encoding) == zstd ]] || fail "FASTQ should be compressed"
[[ $(json_field pack.json original_sha256) == "$sha" ]] || fail "sha256 differs from sha256sum"
[[ $(json_field pack.json original_md5) == "$md5" ]] || fail "md5 differs from md5sum"
[[ $(json_field pack.json original_size) == $(stat -c %s r1.fq) ]] || fail "original_size"
[[ $(json_field pack.json compressed_size) == $(stat -c %s r1.fq.zst) ]] || fail "compressed_size"
[[ $(json_field pack.json compressed_sha256) == $(sha256sum r1.fq.zst | cut -c1-64) ]] ||
  fail "compressed_sha256 differs from sha256sum of the output"
size=$(stat -c %s r1.fq)
[[ $(json_field pack.json frames) == $(((size + 1048575) / 1048576)) ]] || fail "one frame per MiB"
pass "pack digests agree with sha256sum and md5sum"

# stock zstd reads our stream (skipping the seek table) and gives back the original
zstd -q -t r1.fq.zst || fail "zstd -t rejects the stream"
[[ $(zstd -q -dc r1.fq.zst | sha256sum | cut -c1-64) == "$sha" ]] || fail "zstd -d round trip"
pass "zstd -d decompresses to the byte-identical original"

# the seek table lets a reader take a range from the middle
"$SEQGATECTL" extract r1.fq.zst --offset 20000001 --length 3000000 > mid.bin
cmp mid.bin <(tail -c +20000002 r1.fq | head -c 3000000) || fail "extracted range differs"
pass "range extracted through the seek table matches the original"

# identical bytes whatever the thread count
for t in 1 2 4; do
  "$SEQGATECTL" pack r1.fq -o "t$t.zst" --threads "$t" --frame-size 1MiB >/dev/null
done
cmp t1.zst t2.zst && cmp t1.zst t4.zst && cmp t1.zst r1.fq.zst || fail "output depends on threads"
pass "1, 2 and 4 threads give identical output"

# verify: exit 0 only on a match, and say what differed otherwise
"$SEQGATECTL" verify r1.fq.zst --sha256 "$sha" --md5 "$md5" >/dev/null || fail "verify good file"
bad_sha=$(printf '%064d' 0)
expect_fail "verify with a wrong sha256" "sha256 mismatch" \
  "$SEQGATECTL" verify r1.fq.zst --sha256 "$bad_sha"
expect_fail "verify with a wrong md5" "md5 mismatch" \
  "$SEQGATECTL" verify r1.fq.zst --sha256 "$sha" --md5 "$(printf '%032d' 0)"
cp r1.fq.zst flipped.zst
printf '\x55' | dd of=flipped.zst bs=1 seek=5000000 conv=notrunc status=none
expect_fail "verify a corrupted stream" "corruption" "$SEQGATECTL" verify flipped.zst --sha256 "$sha"
head -c 10000000 r1.fq.zst > cut.zst
expect_fail "verify a truncated stream" "corruption" "$SEQGATECTL" verify cut.zst --sha256 "$sha"
expect_fail "verify with a malformed digest" "hexadecimal" "$SEQGATECTL" verify r1.fq.zst --sha256 xyz

# --- already-compressed inputs pass through unchanged, by magic not by name --------------------
head -c 3M r1.fq > plain.fq
gzip -c plain.fq > gz.data
bzip2 -c plain.fq > bz.data
xz -T1 -c plain.fq > xz.data
zstd -q -c plain.fq > zst.data
{ printf 'CRAM\x03\x01'; head -c 2M /dev/urandom; } > cram.data
{ printf '\x1f\x8b\x08\x04\0\0\0\0\0\xff\x06\0BC\x02\0'; head -c 2M /dev/urandom; } > bam.data
{ printf '\x8bPOD\r\n\x1a\n'; head -c 2M /dev/urandom; } > pod5.data
head -c 2M /dev/urandom > ora.data  # unknown compressed format: caught by the content probe
for f in gz:gzip bz:bzip2 xz:xz zst:zstd cram:cram bam:bgzf pod5:pod5 ora:incompressible; do
  name=${f%%:*} want=${f##*:}
  "$SEQGATECTL" pack "$name.data" -o "$name.out" --json > "$name.json"
  [[ $(json_field "$name.json" encoding) == identity ]] || fail "$name should pass through"
  [[ $(json_field "$name.json" detected_format) == "$want" ]] || fail "$name detected as $(json_field "$name.json" detected_format)"
  cmp "$name.data" "$name.out" || fail "$name output differs from input"
  [[ $(json_field "$name.json" original_sha256) == $(sha256sum "$name.data" | cut -c1-64) ]] ||
    fail "$name sha256"
  "$SEQGATECTL" verify "$name.out" --sha256 "$(sha256sum "$name.data" | cut -c1-64)" \
    --encoding identity >/dev/null || fail "$name verify"
done
pass "gzip, bzip2, xz, zstd, CRAM, BAM/BGZF, POD5 and incompressible data pass through unchanged"

# a config rule overrides detection per glob
cat > enc.toml <<'TOML'
[pipeline]
[[pipeline.encoding]]
glob = "*.keep"
encoding = "identity"
TOML
cp plain.fq plain.keep
"$SEQGATECTL" pack plain.keep -o keep.out --config enc.toml --json > keep.json
[[ $(json_field keep.json encoding) == identity ]] || fail "glob override ignored"
cmp plain.keep keep.out || fail "identity override changed bytes"
pass "per-glob override from the config"

# --- bad input: clear errors, nothing half-written ----------------------------------------------
expect_fail "missing file" "not found" "$SEQGATECTL" pack nope.fq -o out1.zst
mkdir adir
expect_fail "directory" "directory, not a regular file" "$SEQGATECTL" pack adir -o out2.zst
mkfifo fifo
expect_fail "FIFO (must not hang)" "FIFO" timeout 10 "$SEQGATECTL" pack fifo -o out3.zst
cp plain.fq secret.fq && chmod 000 secret.fq
if [[ $(id -u) -eq 0 ]]; then  # root reads anything: drop to nobody for a real EACCES
  chmod 777 "$WORK"
  expect_fail "permission denied" "permission denied" \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$SEQGATECTL" pack secret.fq -o "$WORK/out4.zst"
else
  expect_fail "permission denied" "permission denied" "$SEQGATECTL" pack secret.fq -o out4.zst
fi
expect_fail "bad level" "level" "$SEQGATECTL" pack plain.fq -o out5.zst --level 42
expect_fail "bad frame size" "frame size" "$SEQGATECTL" pack plain.fq -o out6.zst --frame-size 1K
for o in out1.zst out2.zst out3.zst out4.zst out5.zst out6.zst; do
  [[ ! -e $o ]] || fail "$o was left behind by a failed pack"
done
[[ -z $(find . -name '.*partial*') ]] || fail "temporary output left behind"
pass "failed packs leave no output"

: > empty.fq
"$SEQGATECTL" pack empty.fq -o empty.out --json > empty.json
[[ $(json_field empty.json original_sha256) == $(sha256sum empty.fq | cut -c1-64) ]] || fail "empty sha"
[[ $(json_field empty.json frames) == 0 && ! -s empty.out ]] || fail "empty output"
pass "empty file"

# a file that grows while being packed: never a silently wrong digest
cp r1.fq grow.fq
( while :; do echo "@x" >> grow.fq; done ) &
writer=$!
sleep 0.2
rc=0
out=$("$SEQGATECTL" pack grow.fq -o grow.zst --threads 1 2>&1) || rc=$?
kill "$writer"; wait "$writer" 2>/dev/null || true
[[ $rc -ne 0 && $out == *"source changed"* ]] || fail "growing file: rc=$rc $out"
[[ ! -e grow.zst ]] || fail "growing file left an output"
pass "a growing source fails with 'source changed'"

# a sparse file over 4 GiB: 32-bit boundaries in offsets, sizes and seek table sums
truncate -s 4100M sparse.bin
printf 'islands in the sparse sea' | dd of=sparse.bin bs=1 seek=4294967290 conv=notrunc status=none
printf 'and one more' | dd of=sparse.bin bs=1 seek=1000 conv=notrunc status=none
"$SEQGATECTL" pack sparse.bin -o sparse.zst --json > sparse.json
sparse_sha=$(sha256sum sparse.bin | cut -c1-64)
[[ $(json_field sparse.json original_sha256) == "$sparse_sha" ]] || fail "sparse sha256"
[[ $(json_field sparse.json original_md5) == $(md5sum sparse.bin | cut -c1-32) ]] || fail "sparse md5"
[[ $(json_field sparse.json original_size) == 4299161600 ]] || fail "sparse size"
[[ $(zstd -q -dc sparse.zst | sha256sum | cut -c1-64) == "$sparse_sha" ]] || fail "sparse zstd -d"
"$SEQGATECTL" extract sparse.zst --offset 4294967290 --length 25 | grep -q "islands in the sparse sea" ||
  fail "extract across 4 GiB"
pass "sparse 4.1 GB file: digests, zstd -d and extraction across the 4 GiB boundary"
rm -f sparse.bin sparse.zst
echo "pack_cli: all checks passed"
