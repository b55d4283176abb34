#!/usr/bin/env bash
# The README's first command: on a fresh Debian 12 machine, set up, build, and run the main job
# on an embedded default. Today that is the gateway's pack stage end to end: generate a
# NovaSeq-style FASTQ, pack it exactly as the gateway would upload it, and verify the result
# with seqgate's verifier and with the stock zstd and sha256sum tools.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZE=${SEQGATE_QUICKSTART_SIZE:-256M}

echo "== 1/4 dependencies (Debian packages)"
./scripts/install-deps.sh

echo "== 2/4 build"
cmake -S . -B build/quickstart -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build/quickstart
BIN=$ROOT/build/quickstart/bin

DEMO=${SEQGATE_DEMO_DIR:-$ROOT/out/quickstart}
mkdir -p "$DEMO"
echo "== 3/4 generate a $SIZE FASTQ and pack it (output in $DEMO)"
"$BIN/seqgate-sim" reads --out "$DEMO/sample_R1.fastq" --size "$SIZE" --seed 42 --profile novaseq
"$BIN/seqgatectl" pack "$DEMO/sample_R1.fastq" -o "$DEMO/sample_R1.fastq.zst"

echo "== 4/4 verify against independent tools"
sha=$(sha256sum "$DEMO/sample_R1.fastq" | cut -c1-64)
md5=$(md5sum "$DEMO/sample_R1.fastq" | cut -c1-32)
# seqgate's verifier decompresses every frame, checks the seek table and both digests...
"$BIN/seqgatectl" verify "$DEMO/sample_R1.fastq.zst" --sha256 "$sha" --md5 "$md5"
# ...and stock zstd, which knows nothing of seqgate, gives back the same bytes.
via_zstd=$(zstd -q -dc "$DEMO/sample_R1.fastq.zst" | sha256sum | cut -c1-64)
if [[ $via_zstd != "$sha" ]]; then
  echo "quickstart: MISMATCH: zstd -d gives $via_zstd, original is $sha" >&2
  exit 1
fi
echo "zstd -d | sha256sum = $via_zstd = sha256sum of the original"
echo "quickstart: OK"
