#!/usr/bin/env bash
# Crypt4GH cost benchmark: seqgatectl pack of the same generated FASTQ with and without
# --recipient, interleaved per round in one invocation, medians reported as a ratio (machines
# are noisy; CPU seconds user+sys are steadier than wall time and reported too).
#
#   bench/c4gh.sh [BUILD_DIR=build/bench] [SIZE_MIB=1024] [ROUNDS=3]
#
# Target: encryption adds at most 15% to pack time. Measured with the default digests (SHA-256 +
# MD5 of the original and, when encrypting, of the object) and with --no-md5 (SHA-256 only).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${1:-$ROOT/build/bench}")
SIZE_MIB=${2:-1024}
ROUNDS=${3:-3}
BIN=$BUILD/bin
if [[ ! -x $BIN/seqgatectl || ! -x $BIN/seqgate-sim ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$BUILD" --target seqgatectl seqgate-sim >/dev/null
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seqgate-c4gh-bench-XXXXXX")
# Outputs go to tmpfs when there is one, so disk writeback does not drown the pipeline's cost.
OUT=$WORK
if [[ -d /dev/shm && -w /dev/shm ]]; then OUT=$(mktemp -d /dev/shm/seqgate-c4gh-bench-XXXXXX); fi
trap 'rm -rf "$WORK" "$OUT"' EXIT
cd "$WORK"

echo "generating ${SIZE_MIB} MiB FASTQ (seqgate-sim, NovaSeq profile)..."
"$BIN/seqgate-sim" reads --out in.fq --size "${SIZE_MIB}M" --seed 1 --profile novaseq 2>/dev/null
cat in.fq >/dev/null  # both contenders start from a warm page cache
"$BIN/seqgatectl" c4gh keygen --sec node.sec --pub node.pub --no-passphrase

# run NAME CMD... — appends "NAME wall user sys maxrss_kb" to times.txt
run() {
  local name=$1
  shift
  /usr/bin/time -f "$name %e %U %S %M" -a -o times.txt "$@" >/dev/null 2>&1
}
: > times.txt
for ((i = 0; i < ROUNDS; i++)); do
  run pack "$BIN/seqgatectl" pack in.fq -o "$OUT/out.zst" --threads 2
  rm -f "$OUT/out.zst"
  run pack_c4gh "$BIN/seqgatectl" pack in.fq -o "$OUT/out.c4gh" --threads 2 --recipient node.pub
  rm -f "$OUT/out.c4gh"
  run pack_nomd5 "$BIN/seqgatectl" pack in.fq -o "$OUT/out.zst" --threads 2 --no-md5
  rm -f "$OUT/out.zst"
  run pack_c4gh_nomd5 "$BIN/seqgatectl" pack in.fq -o "$OUT/out.c4gh" --threads 2 --no-md5 \
    --recipient node.pub
  rm -f "$OUT/out.c4gh"
done
# Correctness of what was measured: the encrypted object decrypts to the packed stream.
"$BIN/seqgatectl" pack in.fq -o "$OUT/out.zst" --threads 2 >/dev/null
"$BIN/seqgatectl" pack in.fq -o "$OUT/out.c4gh" --threads 2 --recipient node.pub >/dev/null
"$BIN/seqgatectl" c4gh decrypt "$OUT/out.c4gh" -o - --key node.sec | cmp - "$OUT/out.zst"

/usr/bin/python3 - "$SIZE_MIB" "$ROUNDS" <<'PY'
import statistics, sys
size, rounds = sys.argv[1], sys.argv[2]
wall, cpu, rss = {}, {}, {}
for line in open("times.txt"):
    name, e, u, s, kb = line.split()
    wall.setdefault(name, []).append(float(e))
    cpu.setdefault(name, []).append(float(u) + float(s))
    rss[name] = max(rss.get(name, 0), int(kb))
w = {k: statistics.median(v) for k, v in wall.items()}
c = {k: statistics.median(v) for k, v in cpu.items()}
print(f"\nmedian of {rounds} rounds on a {size} MiB FASTQ (2 threads):")
for n in ["pack", "pack_c4gh", "pack_nomd5", "pack_c4gh_nomd5"]:
    print(f"  {n:16s} wall {w[n]:7.2f} s   cpu(user+sys) {c[n]:7.2f} s   peak {rss[n]/1024:6.1f} MiB")
print()
for base, enc in [("pack", "pack_c4gh"), ("pack_nomd5", "pack_c4gh_nomd5")]:
    wr, cr = w[enc] / w[base], c[enc] / c[base]
    print(f"  {enc:16s} vs {base:11s}: encryption adds {100*(wr-1):+5.1f}% wall, "
          f"{100*(cr-1):+5.1f}% cpu  (target <= +15%: {'met' if wr <= 1.15 else 'MISSED'} on wall)")
PY
