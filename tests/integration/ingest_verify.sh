#!/usr/bin/env bash
# End-to-end verification: zstd-seekable uploads packed by seqgatectl are verified frame by
# frame and by the original's SHA-256/MD5, stored under <site>/<run>/<path>.zst and decompress
# with the zstd CLI to the original; corrupted frames, plain zstd without a seek table and wrong
# digests are quarantined with the reason in a signed receipt that an independent Ed25519
# check (openssl pkeyutl) accepts. Also: late digests, deduplication, run manifests, receipts
# across a restart.
source "$(dirname "$0")/ingest_lib.sh"
SEQGATECTL="$SEQGATE_BIN_DIR/seqgatectl"
[[ -x "$SEQGATECTL" ]] || { echo "seqgatectl not built"; exit 1; }

make_pki
write_config
start_server
H="Tus-Resumable: 1.0.0"

# A FASTQ-like original that compresses, packed into several frames.
/usr/bin/python3 - "$WORK/reads.fastq" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(40000):
        seq = "".join(random.choice("ACGT") for _ in range(100))
        f.write(f"@read{i}\n{seq}\n+\n{'I' * 100}\n")
PY
"$SEQGATECTL" pack "$WORK/reads.fastq" -o "$WORK/reads.zst" --encoding zstd --frame-size 1MiB --json > "$WORK/pack.json"
SHA=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["original_sha256"])' "$WORK/pack.json")
MD5=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["original_md5"])' "$WORK/pack.json")
FRAMES=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["frames"])' "$WORK/pack.json")
SIZE=$(stat -c %s "$WORK/reads.zst")
check "pack made several frames" test "$FRAMES" -ge 3
check "pack's digest is the original's" test "$SHA" = "$(sha256_of "$WORK/reads.fastq")"

# upload_file CLIENT FILE METADATA → upload path; sends the file in two PATCHes.
upload_file() {
  local who=$1 file=$2 md=$3 size half url
  size=$(stat -c %s "$file")
  half=$((size / 2))
  url=$(create "$who" "$size" "$md")
  dd if="$file" of="$WORK/part1" bs="$half" count=1 status=none
  dd if="$file" of="$WORK/part2" bs="$half" skip=1 status=none
  [[ "$(patch "$who" "$url" 0 "$WORK/part1")" == 204 ]] || echo "first PATCH failed" >&2
  [[ "$(patch "$who" "$url" "$half" "$WORK/part2")" == 204 ]] || echo "second PATCH failed" >&2
  echo "$url"
}
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["receipt"].get(sys.argv[2], ""))' "$1" "$2"; }
meta() {  # meta run path encoding sha [md5]
  local m="seqgate-run $(b64 "$1"),seqgate-path $(b64 "$2"),seqgate-encoding $(b64 "$3")"
  [[ -n "${4:-}" ]] && m+=",seqgate-sha256 $(b64 "$4")"
  [[ -n "${5:-}" ]] && m+=",seqgate-md5 $(b64 "$5")"
  echo "$m"
}

echo "== verified zstd-seekable upload"
U=$(upload_file lab-a "$WORK/reads.zst" "$(meta RUN_A fastq/reads.fastq zstd-seekable "$SHA" "$MD5")")
tcurl lab-a "$BASE$U" -o "$WORK/r1.json"
check "receipt status verified" test "$(field "$WORK/r1.json" status)" = verified
check "receipt sha256 = original's" test "$(field "$WORK/r1.json" sha256)" = "$SHA"
check "receipt md5 = original's" test "$(field "$WORK/r1.json" md5)" = "$MD5"
check "receipt frames = packer's" test "$(field "$WORK/r1.json" frames)" = "$FRAMES"
check "receipt sizes" test "$(field "$WORK/r1.json" packed_size)/$(field "$WORK/r1.json" original_size)" = "$SIZE/$(stat -c %s "$WORK/reads.fastq")"
check "receipt names site, run, path, server" test "$(field "$WORK/r1.json" site)/$(field "$WORK/r1.json" run)/$(field "$WORK/r1.json" path)/$(field "$WORK/r1.json" server)" = "lab-a/RUN_A/fastq/reads.fastq/test-centre"
FINAL="$STORAGE/lab-a/RUN_A/fastq/reads.fastq.zst"
# Verified, durable bytes leave the page cache as they are acknowledged: the centre never reads
# them again. (Before anything below reads the file back in.)
RESIDENT=$(fincore --noheadings --bytes --output RES "$FINAL")
check "stored data left the page cache once acknowledged ($RESIDENT of $SIZE bytes cached)" \
  test "$RESIDENT" -le $((SIZE / 4))
check "stored with .zst suffix, byte-identical" cmp -s "$WORK/reads.zst" "$FINAL"
check "zstd CLI decompresses the stored file to the original" bash -c "zstd -dc '$FINAL' | cmp -s - '$WORK/reads.fastq'"
check "nothing left in the upload folder but state" test ! -e "$STORAGE/.uploads/lab-a/${U#/files/}/data"

echo "== receipts are signed"
"$INGEST" --config "$WORK/ingest.toml" --print-public-key > "$WORK/pub.pem"
tcurl lab-a "$BASE/.well-known/seqgate/receipt-key" -o "$WORK/pub-served.pem"
check "served public key = printed public key" cmp -s "$WORK/pub.pem" "$WORK/pub-served.pem"
check "--verify-receipt accepts it" "$INGEST" --verify-receipt "$WORK/r1.json" --public-key "$WORK/pub.pem"
/usr/bin/python3 - "$WORK/r1.json" "$WORK" <<'PY'
import base64, json, sys
doc = json.load(open(sys.argv[1]))
open(sys.argv[2] + "/canon", "wb").write(json.dumps(doc["receipt"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
open(sys.argv[2] + "/sig", "wb").write(base64.b64decode(doc["signature"]["value"]))
doc["receipt"]["status"] = "quarantined"
open(sys.argv[2] + "/canon-forged", "wb").write(json.dumps(doc["receipt"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
PY
check "openssl verifies the Ed25519 signature independently" \
  openssl pkeyutl -verify -pubin -inkey "$WORK/pub.pem" -rawin -in "$WORK/canon" -sigfile "$WORK/sig"
check "openssl rejects a forged receipt" \
  bash -c "! openssl pkeyutl -verify -pubin -inkey '$WORK/pub.pem' -rawin -in '$WORK/canon-forged' -sigfile '$WORK/sig' >/dev/null 2>&1"

echo "== corrupted frame → quarantine"
cp "$WORK/reads.zst" "$WORK/bad.zst"
printf '\xff\xff\xff\xff' | dd of="$WORK/bad.zst" bs=1 seek=$((SIZE / 3)) conv=notrunc status=none
U2=$(upload_file lab-a "$WORK/bad.zst" "$(meta RUN_A fastq/bad.fastq zstd-seekable "$SHA")")
tcurl lab-a "$BASE$U2" -o "$WORK/r2.json"
check "corrupted upload quarantined" test "$(field "$WORK/r2.json" status)" = quarantined
check "reason given: $(field "$WORK/r2.json" reason)" test -n "$(field "$WORK/r2.json" reason)"
check "quarantined data kept for inspection" cmp -s "$WORK/bad.zst" "$STORAGE/.quarantine/lab-a/${U2#/files/}.data"
check "nothing stored under the run" test ! -e "$STORAGE/lab-a/RUN_A/fastq/bad.fastq.zst"

echo "== plain zstd (no seek table) declared seekable → quarantine"
zstd -q -c "$WORK/reads.fastq" > "$WORK/plain.zst"
U3=$(upload_file lab-a "$WORK/plain.zst" "$(meta RUN_A fastq/plain.fastq zstd-seekable "$SHA")")
tcurl lab-a "$BASE$U3" -o "$WORK/r3.json"
check "no seek table → quarantined" test "$(field "$WORK/r3.json" status)" = quarantined
check "reason mentions the seek table: $(field "$WORK/r3.json" reason)" bash -c "grep -qi 'seek' <<<'$(field "$WORK/r3.json" reason)'"

echo "== identity: wrong digest → quarantine; late digest on the completing PATCH → verified"
head -c 500000 /dev/urandom > "$WORK/id.bin"
U4=$(upload_file lab-a "$WORK/id.bin" "$(meta RUN_A raw/id.bin identity "$(printf '0%.0s' {1..64})")")
tcurl lab-a "$BASE$U4" -o "$WORK/r4.json"
check "wrong sha256 → quarantined" test "$(field "$WORK/r4.json" status)" = quarantined
check "reason says sha256 mismatch" bash -c "grep -q 'sha256 mismatch' <<<'$(field "$WORK/r4.json" reason)'"
U5=$(create lab-a 500000 "$(meta RUN_A raw/late.bin identity)")
dd if="$WORK/id.bin" of="$WORK/id.1" bs=250000 count=1 status=none
dd if="$WORK/id.bin" of="$WORK/id.2" bs=250000 skip=1 status=none
patch lab-a "$U5" 0 "$WORK/id.1" >/dev/null
check "late digest on the completing PATCH → 204" test "$(patch lab-a "$U5" 250000 "$WORK/id.2" -H "Upload-Metadata: seqgate-sha256 $(b64 "$(sha256_of "$WORK/id.bin")"),seqgate-md5 $(b64 "$(md5_of "$WORK/id.bin")")")" = 204
tcurl lab-a "$BASE$U5" -o "$WORK/r5.json"
check "late-declared upload verified" test "$(field "$WORK/r5.json" status)" = verified
check "late md5 computed" test "$(field "$WORK/r5.json" md5)" = "$(md5_of "$WORK/id.bin")"
check "identity file stored without suffix" cmp -s "$WORK/id.bin" "$STORAGE/lab-a/RUN_A/raw/late.bin"
check "late metadata with other keys → 400" test "$(patch lab-a "$U5" 500000 /dev/null -H "Upload-Metadata: seqgate-run $(b64 X)")" = 400

echo "== deduplication"
tcurl lab-a -X POST "$ENDPOINT" -H "$H" -H "Upload-Length: $SIZE" -H "Upload-Metadata: $(meta RUN_A fastq/reads.fastq zstd-seekable "$SHA")" -D "$WORK/dup.h" -o "$WORK/dup.json"
check "same site/run/path/sha256 → 201 with the existing upload" test "$(header_of "$WORK/dup.h" Location)" = "$U"
check "duplicate flagged" test "$(header_of "$WORK/dup.h" Seqgate-Duplicate)" = 1
check "answer carries the existing receipt" cmp -s "$WORK/dup.json" "$WORK/r1.json"
check "another site is not deduplicated against lab-a" test "$(header_of <(tcurl lab-b -X POST "$ENDPOINT" -H "$H" -H "Upload-Length: $SIZE" -H "Upload-Metadata: $(meta RUN_A fastq/reads.fastq zstd-seekable "$SHA")" -D - -o /dev/null) Seqgate-Duplicate)" = ""

head -c 1000 /dev/urandom > "$WORK/other.bin"
U6=$(upload_file lab-a "$WORK/other.bin" "$(meta RUN_A raw/late.bin identity "$(sha256_of "$WORK/other.bin")")")
tcurl lab-a "$BASE$U6" -o "$WORK/r6.json"
check "different content for a stored name → quarantined, stored file untouched" \
  bash -c "[[ '$(field "$WORK/r6.json" status)' == quarantined ]] && cmp -s '$WORK/id.bin' '$STORAGE/lab-a/RUN_A/raw/late.bin'"
check "reason names the conflict" bash -c "grep -q 'already holds different content' <<<'$(field "$WORK/r6.json" reason)'"

echo "== run manifest"
cat > "$WORK/manifest.json" <<JSON
{"run": "RUN_A", "files": [
  {"path": "fastq/reads.fastq", "sha256": "$SHA"},
  {"path": "raw/late.bin", "sha256": "$(sha256_of "$WORK/id.bin")"}]}
JSON
M=$(upload_file lab-a "$WORK/manifest.json" "seqgate-kind $(b64 manifest),seqgate-run $(b64 RUN_A),seqgate-sha256 $(b64 "$(sha256_of "$WORK/manifest.json")")")
tcurl lab-a "$BASE$M" -o "$WORK/m.json"
RUNSTATUS=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["receipt"]["run_receipt"]["status"])' "$WORK/m.json")
check "run receipt complete when every file is verified" test "$RUNSTATUS" = complete
check "run receipt stored and signed" "$INGEST" --verify-receipt "$STORAGE/.receipts/lab-a/RUN_A/run.json" --public-key "$WORK/pub.pem"
check "manifest itself stored in the run" cmp -s "$WORK/manifest.json" "$STORAGE/lab-a/RUN_A/seqgate-manifest.json"
cat > "$WORK/manifest2.json" <<JSON
{"run": "RUN_A", "files": [
  {"path": "fastq/reads.fastq", "sha256": "$SHA"},
  {"path": "fastq/bad.fastq", "sha256": "$SHA"},
  {"path": "raw/id.bin", "sha256": "$(sha256_of "$WORK/id.bin")"}]}
JSON
M2=$(upload_file lab-a "$WORK/manifest2.json" "seqgate-kind $(b64 manifest),seqgate-run $(b64 RUN_A),seqgate-path $(b64 manifest-2.json)")
tcurl lab-a "$BASE$M2" -o "$WORK/m2.json"
/usr/bin/python3 - "$WORK/m2.json" > "$WORK/m2.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["receipt"]["run_receipt"]
print(r["status"], " ".join(f'{f["path"]}={f["status"]}' for f in r["files"]))
PY
check "run receipt incomplete with quarantined/missing files: $(cat "$WORK/m2.txt")" \
  test "$(cat "$WORK/m2.txt")" = "incomplete fastq/reads.fastq=verified fastq/bad.fastq=missing raw/id.bin=missing"

echo "== receipts survive a restart"
stop_server TERM
start_server
tcurl lab-a "$BASE$U" -o "$WORK/r1-again.json"
check "receipt fetched after restart is the same document" cmp -s "$WORK/r1.json" "$WORK/r1-again.json"
tcurl lab-a -I "$BASE$U" -H "$H" -D "$WORK/hr.h" -o /dev/null
check "HEAD after restart: complete, receipt status verified" test "$(header_of "$WORK/hr.h" Upload-Offset)/$(header_of "$WORK/hr.h" Seqgate-Receipt-Status)" = "$SIZE/verified"
check "other site cannot read the receipt" test "$(status_of lab-b "$BASE$U")" = 404
curl -s "http://127.0.0.1:$METRICS_PORT/metrics" > "$WORK/metrics.txt"
finish
