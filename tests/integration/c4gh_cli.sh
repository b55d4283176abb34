#!/usr/bin/env bash
# Crypt4GH end to end: seqgatectl c4gh keygen/decrypt and pack --recipient, checked by an
# independent reader (tests/peers/c4gh_reader.py on libsodium), the Go reference fixtures,
# zstd -d, sha256sum and md5sum.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FIX="$SEQGATE_SOURCE_DIR/tests/fixtures/crypt4gh"
READER="$SEQGATE_SOURCE_DIR/tests/peers/c4gh_reader.py"
/usr/bin/python3 -c 'import nacl.bindings' || fail "python3-nacl missing (scripts/install-deps.sh)"
sha() { sha256sum "$1" | cut -c1-64; }
# peer_decrypt SEC IN OUT [passphrase] — the independent reader; prints its exit code
peer_decrypt() {
  local rc=0
  C4GH_PASSPHRASE=${4:-} /usr/bin/python3 "$READER" --sec "$1" "$2" "$3" 2>peer.err || rc=$?
  echo "$rc"
}

# --- keys ---------------------------------------------------------------------------------------
PASS='tr0ub4dor&3 with spaces'
printf '%s\n' "$PASS" > alice.pass
"$SEQGATECTL" c4gh keygen --sec alice.sec --pub alice.pub --passphrase-file alice.pass
SEQGATE_C4GH_PASSPHRASE=bobpass "$SEQGATECTL" c4gh keygen --sec bob.sec --pub bob.pub
"$SEQGATECTL" c4gh keygen --sec carol.sec --pub carol.pub --no-passphrase
[[ $(stat -c %a alice.sec) == 600 && $(stat -c %a carol.sec) == 600 ]] || fail "secret keys not 0600"
head -1 alice.sec | grep -q 'BEGIN CRYPT4GH ENCRYPTED PRIVATE KEY' || fail "alice.sec label"
head -1 alice.pub | grep -q 'BEGIN CRYPT4GH PUBLIC KEY' || fail "alice.pub label"
grep -q "$PASS" alice.sec && fail "passphrase in the key file"
pass "keygen: scrypt-protected and plain keys, secret files 0600"
expect_fail "keygen without a passphrase source" "--no-passphrase" \
  "$SEQGATECTL" c4gh keygen --sec x.sec --pub x.pub
expect_fail "keygen over an existing key" "exists" \
  "$SEQGATECTL" c4gh keygen --sec carol.sec --pub y.pub --no-passphrase

# --- the Go reference file decrypts with our reader ---------------------------------------------
SEQGATE_C4GH_PASSPHRASE=password "$SEQGATECTL" c4gh decrypt "$FIX/sample.txt.enc" -o go.txt \
  --key "$FIX/crypt4gh-x25519-enc.sec.pem"
cmp go.txt "$FIX/sample.txt" || fail "Go fixture decrypts to something else"
[[ $(peer_decrypt "$FIX/crypt4gh-x25519-enc.sec.pem" "$FIX/sample.txt.enc" peer-go.txt password) == 0 ]] ||
  fail "the independent reader cannot read the Go fixture: $(cat peer.err)"
cmp peer-go.txt "$FIX/sample.txt" || fail "independent reader on the Go fixture"
pass "Go reference fixture: seqgatectl and the independent reader give sample.txt"
expect_fail "decrypt with a wrong passphrase" "wrong passphrase" \
  env SEQGATE_C4GH_PASSPHRASE=nope "$SEQGATECTL" c4gh decrypt "$FIX/sample.txt.enc" -o x \
  --key "$FIX/crypt4gh-x25519-enc.sec.pem"
expect_fail "decrypt a protected key without passphrase" "passphrase-protected" \
  "$SEQGATECTL" c4gh decrypt "$FIX/sample.txt.enc" -o x --key "$FIX/crypt4gh-x25519-enc.sec.pem"
[[ ! -e x ]] || fail "a failed decrypt left output"

# --- pack FASTQ → digests → zstd frames → Crypt4GH, two recipients --------------------------------
"$SEQGATE_SIM" reads --out r1.fq --size 6M --seed 3 --profile novaseq 2>/dev/null
"$SEQGATECTL" pack r1.fq -o r1.fq.zst.c4gh --recipient alice.pub --recipient bob.pub \
  --frame-size 1MiB --json > pack.json
[[ $(json_field pack.json crypt4gh) == True ]] || fail "pack.json says not encrypted"
[[ $(json_field pack.json original_sha256) == $(sha r1.fq) ]] || fail "original sha256"
[[ $(json_field pack.json encrypted_sha256) == $(sha r1.fq.zst.c4gh) ]] || fail "encrypted sha256"
[[ $(json_field pack.json encrypted_md5) == $(md5sum r1.fq.zst.c4gh | cut -c1-32) ]] ||
  fail "encrypted md5"
[[ $(json_field pack.json encrypted_size) == $(stat -c %s r1.fq.zst.c4gh) ]] || fail "encrypted size"
csize=$(json_field pack.json compressed_size)
want=$((16 + 2 * 108 + csize / 65536 * 65564 + (csize % 65536 ? csize % 65536 + 28 : 0)))
[[ $(stat -c %s r1.fq.zst.c4gh) == "$want" ]] || fail "object size is not header + segments"
head -c 8 r1.fq.zst.c4gh | grep -q crypt4gh || fail "no crypt4gh magic"
"$SEQGATECTL" pack r1.fq -o nomd5.c4gh --recipient alice.pub --no-md5 --json > nomd5.json
[[ $(json_field nomd5.json encrypted_md5) == null ]] || fail "--no-md5 still computed the object MD5"
[[ $(json_field nomd5.json encrypted_sha256) == $(sha nomd5.c4gh) ]] || fail "sha256 with --no-md5"
pass "pack --recipient: digests of original, compressed stream and object agree with coreutils"

SEQGATE_C4GH_PASSPHRASE="$PASS" "$SEQGATECTL" c4gh decrypt r1.fq.zst.c4gh -o ours.zst --key alice.sec \
  --passphrase-file alice.pass
[[ $(peer_decrypt bob.sec r1.fq.zst.c4gh peer.zst bobpass) == 0 ]] || fail "peer: $(cat peer.err)"
cmp ours.zst peer.zst || fail "the two readers disagree"
[[ $(stat -c %a ours.zst) == 600 ]] || fail "decrypted output is mode $(stat -c %a ours.zst), want 600"
[[ $(sha ours.zst) == $(json_field pack.json compressed_sha256) ]] || fail "compressed sha256"
[[ $(zstd -q -dc ours.zst | sha256sum | cut -c1-64) == $(sha r1.fq) ]] || fail "zstd -d round trip"
pass "both recipients decrypt (seqgatectl and libsodium reader; our plaintext is 0600); zstd -d gives the original"

# --- a stranger's key: clean refusal, no output ------------------------------------------------
[[ $(peer_decrypt carol.sec r1.fq.zst.c4gh carol.out) == 2 ]] || fail "peer accepted a wrong key"
[[ ! -e carol.out ]] || fail "peer left output for a wrong key"
expect_fail "seqgatectl decrypt with a non-recipient key" "other recipients" \
  "$SEQGATECTL" c4gh decrypt r1.fq.zst.c4gh -o carol.out --key carol.sec
[[ ! -e carol.out ]] || fail "seqgatectl left output for a wrong key"

# --- tampering: a byte in the body, a byte in the header --------------------------------------
# byte 100 lies in alice's header packet (16..124), byte 1000000 in a data segment
for at in 1000000 100; do
  cp r1.fq.zst.c4gh bad.c4gh
  # the byte there, inverted (writing a fixed value would leave it alone 1 time in 256)
  old=$(od -An -tu1 -j "$at" -N1 bad.c4gh | tr -d ' ')
  printf "\\$(printf '%03o' $((old ^ 0xff)))" | dd of=bad.c4gh bs=1 seek=$at conv=notrunc status=none
  [[ $(cmp -l r1.fq.zst.c4gh bad.c4gh | wc -l) == 1 ]] || fail "tamper did not change one byte"
  rc=$(peer_decrypt alice.sec bad.c4gh bad.peer "$PASS")
  [[ $rc != 0 && ! -e bad.peer ]] || fail "peer missed tampering at $at"
  needle="fails authentication"
  ((at > 1000)) || needle="header was altered"
  expect_fail "seqgatectl decrypt, byte $at altered" "$needle" \
    env SEQGATE_C4GH_PASSPHRASE="$PASS" "$SEQGATECTL" c4gh decrypt bad.c4gh -o bad.ours --key alice.sec
  [[ ! -e bad.ours ]] || fail "seqgatectl left output for a tampered file"
done
head -c 1000000 r1.fq.zst.c4gh | head -c 999990 > cut.c4gh
[[ $(peer_decrypt alice.sec cut.c4gh cut.peer "$PASS") == 3 ]] || fail "peer missed truncation"
expect_fail "seqgatectl decrypt a truncated object" "truncated" \
  env SEQGATE_C4GH_PASSPHRASE="$PASS" "$SEQGATECTL" c4gh decrypt cut.c4gh -o cut.ours --key alice.sec
pass "tampered header, tampered body and truncation rejected by both readers"

# --- plaintext sizes around the segment size (identity: the plaintext is the file) ------------
for n in 0 1 65535 65536 65537 3145728; do
  head -c "$n" /dev/urandom > "s$n"
  "$SEQGATECTL" pack "s$n" -o "s$n.c4gh" --encoding identity --recipient carol.pub --json > "s$n.json"
  want=$((124 + n / 65536 * 65564 + (n % 65536 ? n % 65536 + 28 : 0)))
  [[ $(stat -c %s "s$n.c4gh") == "$want" ]] || fail "size $n: object is $(stat -c %s "s$n.c4gh"), want $want"
  [[ $(peer_decrypt carol.sec "s$n.c4gh" "s$n.peer") == 0 ]] || fail "peer, size $n: $(cat peer.err)"
  cmp "s$n" "s$n.peer" || fail "peer round trip, size $n"
  "$SEQGATECTL" c4gh decrypt "s$n.c4gh" -o "s$n.ours" --key carol.sec
  cmp "s$n" "s$n.ours" || fail "seqgatectl round trip, size $n"
done
pass "sizes 0, 1, 65535, 65536, 65537 and 3 MiB round trip through both readers"

# --- already-compressed input passes through unchanged inside Crypt4GH --------------------------
head -c 2M r1.fq | gzip -c > part.fq.gz
"$SEQGATECTL" pack part.fq.gz -o part.c4gh --recipient carol.pub --json > gz.json
[[ $(json_field gz.json encoding) == identity ]] || fail "gzip input should pass through"
"$SEQGATECTL" c4gh decrypt part.c4gh -o - --key carol.sec | cmp - part.fq.gz || fail "gz inside c4gh"
pass "gzip input is encrypted as it is"

# --- reproducible encryption with a state directory --------------------------------------------
mkdir -m 700 state
"$SEQGATECTL" pack r1.fq -o a.c4gh --recipient alice.pub --c4gh-state state --json > a.json
"$SEQGATECTL" pack r1.fq -o a.c4gh.again --recipient alice.pub --c4gh-state state --json > b.json
[[ $(json_field a.json c4gh_params) == new ]] || fail "first pack should make parameters"
# a different output name is a different object: compare under the same name instead
mv a.c4gh first.c4gh
"$SEQGATECTL" pack r1.fq -o a.c4gh --recipient alice.pub --c4gh-state state --json > c.json
[[ $(json_field c.json c4gh_params) == reused ]] || fail "second pack should reuse parameters"
cmp first.c4gh a.c4gh || fail "same source, same state: bytes differ"
for f in state/*; do [[ $(stat -c %a "$f") == 600 ]] || fail "state file $f not 0600"; done
grep -rqa "$(head -c 16 r1.fq)" state && fail "plaintext in the state"
touch -d '2001-01-01' r1.fq
"$SEQGATECTL" pack r1.fq -o a.c4gh --recipient alice.pub --c4gh-state state --json > d.json
[[ $(json_field d.json c4gh_params) == new ]] || fail "a changed source must get a new key"
cmp -s first.c4gh a.c4gh && fail "a changed source reused the old ciphertext"
pass "--c4gh-state: the same source gives identical bytes; a changed one a new key"

# a file replaced by another of the same size and mtime (rename over it) gets a new key
head -c 300000 /dev/urandom > t1
head -c 300000 /dev/urandom > t2
touch -r t1 t2
cp -p t1 src.bin
"$SEQGATECTL" pack src.bin -o t.c4gh --encoding identity --recipient alice.pub --c4gh-state state --json > t1.json
mv t2 src.bin
"$SEQGATECTL" pack src.bin -o t.c4gh --encoding identity --recipient alice.pub --c4gh-state state --json > t2.json
[[ $(json_field t2.json c4gh_params) == new ]] || fail "a replaced file reused the old key"
pass "--c4gh-state: a file replaced by rename (same size, same mtime) gets a new key"
