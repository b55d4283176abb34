#!/usr/bin/env bash
# End-to-end delivery time of a 1 GiB run against `zstd -3 -T2` alone on the same bytes, in the
# same invocation. seqgated --once starts on a run folder whose completion marker is already
# written, and exits when the centre's signed run receipt is recorded — so the time covers
# discovery, packing (SHA-256 + MD5 + zstd), mutual-TLS upload and the centre's end-to-end
# verification (decompress, re-hash) of every file and of the run. Both daemons and zstd share
# the same cores.
#
#   bench/daemon.sh [BIN_DIR] [SIZE] [ROUNDS]      defaults: build/quickstart/bin 1G 3
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-build/quickstart/bin}" && pwd)
SIZE=${2:-1G}
ROUNDS=${3:-3}
export SEQGATE_BIN_DIR=$BIN SEQGATE_SOURCE_DIR=$PWD
source tests/integration/daemon_lib.sh   # PKI, centre, gateway config; cleans up on exit

make_pki
write_config
sed -i 's/log_level = "debug"/log_level = "info"/' "$WORK/ingest.toml"
start_server
"$SIM" illumina --out "$INSTRUMENTS" --size "$SIZE" --duration 0 --seed 5 >/dev/null
write_daemon_config
sed -i 's/^log_level = "debug"/log_level = "info"/; s/^patch_size = "1MiB"/patch_size = "64MiB"/; s/^frame_size = "256KiB"/frame_size = "8MiB"/' "$WORK/seqgated.toml"
mapfile -t FILES < <(shipped_files | awk -F'\t' '{print $1 "/" $2}')
bytes=$(cat "${FILES[@]}" | wc -c)
echo "run: ${#FILES[@]} shipped files, $bytes bytes"

now() { date +%s.%N; }
ratios=()
for r in $(seq 1 "$ROUNDS"); do
  sync; sleep 1
  t0=$(now)
  zstd -3 -T2 -q -c "${FILES[@]}" > /dev/null
  t1=$(now)
  rm -rf "$STATE" "$STORAGE"; mkdir -p "$STORAGE"
  stop_server TERM; start_server
  sync; sleep 1
  t2=$(now)
  "$SEQGATED" --once --config "$WORK/seqgated.toml" > "$WORK/once.log" 2>&1
  t3=$(now)
  check_delivered > /dev/null || { echo "round $r: delivery check FAILED"; exit 1; }
  z=$(/usr/bin/python3 -c "print($t1 - $t0)"); d=$(/usr/bin/python3 -c "print($t3 - $t2)")
  ratio=$(/usr/bin/python3 -c "print($d / $z)")
  ratios+=("$ratio")
  printf 'round %d: zstd -3 -T2 %.2f s, seqgated --once to run receipt %.2f s, ratio %.2f\n' "$r" "$z" "$d" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'median ratio %.2f (target <= 2.0)\n' "$median"
