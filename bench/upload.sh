#!/usr/bin/env bash
# Upload throughput of `seqgatectl upload` against one `curl` PATCH of the same packed bytes,
# both to seqgate-ingest over loopback mutual TLS, in the same invocation; then the same with
# 50 ms RTT added by the fault proxy. seqgate packs on the fly and sends PATCHes with sha256
# Upload-Checksum: 64 MiB by default, and for identity data (read from the file as it is sent)
# growing up to 1 GiB while the answer to each costs over 1/20 of its time; curl sends the
# pre-packed stream in one PATCH without a checksum. The centre verifies both end to end. Each
# round also prints the CPU seconds per GiB that each side spent (client command;
# seqgate-ingest): client and centre share this machine's cores, so the client's own hashing
# (SHA-256 of the original, SHA-256 per PATCH) is taken from the centre.
#
# usage: bench/upload.sh [BUILD_DIR] [SIZE_MIB] [ROUNDS] [DATA]   DATA: random (identity, the
#        transfer path alone; default) or fastq (zstd packing on the fly as well).
#        UPLOAD_ARGS="--no-md5 ..." passes extra flags to seqgatectl upload (for breakdowns).
#        SEQGATE_BENCH_PIN=1 gives each side a core of its own, as two machines would have:
#        the centre on the last CPU, the clients (and the fault proxy) on CPU 0. Without it both
#        share every core, and the ratio follows the two sides' CPU seconds added up.
set -euo pipefail
if [[ ${SEQGATE_BENCH_PIN:-0} == 1 && -z ${SEQGATE_BENCH_PINNED:-} ]]; then
  (($(nproc) >= 2)) || { echo "SEQGATE_BENCH_PIN needs two CPUs" >&2; exit 2; }
  SEQGATE_BENCH_PINNED=$(($(nproc) - 1)) exec taskset -c 0 "$0" "$@"
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export SEQGATE_BIN_DIR=$(cd "${1:-$ROOT/build/dev}" && pwd)/bin SEQGATE_SOURCE_DIR=$ROOT
SIZE_MIB=${2:-1024}
ROUNDS=${3:-3}
KIND=${4:-random}
source "$ROOT/tests/integration/transfer_lib.sh"

make_pki
chmod 600 "$WORK"/pki/*.key
write_config
start_server
if [[ -n ${SEQGATE_BENCH_PINNED:-} ]]; then  # the centre's CPU (nproc sees only CPU 0 now)
  taskset -a -p -c "$SEQGATE_BENCH_PINNED" "$SERVER_PID" > /dev/null
  echo "pinned: centre on CPU $SEQGATE_BENCH_PINNED, clients on CPU 0"
fi
DATA="$WORK/data.$KIND"
if [[ $KIND == random ]]; then
  head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$DATA"
else
  make_data "$DATA" $((SIZE_MIB * 1049 / 1000)) 3
fi
"$SEQGATECTL" pack "$DATA" -o "$WORK/packed" --json > "$WORK/pack.json"
PACKED=$(stat -c %s "$WORK/packed")
json_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
ENC=$(json_field "$WORK/pack.json" encoding)
[[ $ENC == zstd ]] && ENC=zstd-seekable
SHA=$(json_field "$WORK/pack.json" original_sha256)
echo "data: $KIND, $(stat -c %s "$DATA") bytes, packed $PACKED bytes ($ENC)"

now() { date +%s.%N; }
# CPU seconds (user + system) of the client command and of seqgate-ingest, per contender and
# round: the two share this machine's cores, so whatever one side spends the other cannot.
cpu_timed() {
  local TIMEFORMAT="%U %S"
  { time "$@" 2>&3; } 3>&2 2>"$WORK/client.cpu"
}
client_cpu() { awk '{print $1 + $2}' "$WORK/client.cpu"; }
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$SERVER_PID/stat"; }
per_gib() { /usr/bin/python3 -c "print(round(($1) * 1073741824 / $PACKED, 2))"; }
mbps() { /usr/bin/python3 -c "print(round($1 / 1e6 / ($3 - $2), 1))"; }

# curl_once ENDPOINT RUN — one POST, then the whole packed stream in one PATCH.
curl_once() {
  local ep=$1 run=$2 meta loc code
  meta="seqgate-encoding $(b64 "$ENC"),seqgate-run $(b64 "$run"),seqgate-path $(b64 data),seqgate-sha256 $(b64 "$SHA")"
  loc=$(tcurl lab-a -X POST "$ep" -H "Tus-Resumable: 1.0.0" -H "Upload-Length: $PACKED" \
    -H "Upload-Metadata: $meta" -D - -o /dev/null | header_of /dev/stdin Location)
  code=$(cpu_timed tcurl lab-a --max-time 3600 -X PATCH "${ep%/files/}$loc" -H "Tus-Resumable: 1.0.0" \
    -H "Upload-Offset: 0" -H "Content-Type: application/offset+octet-stream" -H "Expect:" \
    -T "$WORK/packed" -o /dev/null -w '%{http_code}')
  [[ $code == 204 ]] || { echo "curl PATCH answered $code" >&2; return 1; }
}

# seqgate_once ENDPOINT RUN
seqgate_once() {
  rm -f "$WORK/$2.state"
  PATCH_SIZE=$((64 * 1024 * 1024)) upload_bench "$2" "$1"
}
upload_bench() {
  cpu_timed "$SEQGATECTL" upload "$DATA" --endpoint "$2" --client-cert "$WORK/pki/lab-a.crt" \
    --client-key "$WORK/pki/lab-a.key" --ca "$WORK/pki/ca.crt" --run "$1" --path data \
    --state "$WORK/$1.state" -q ${UPLOAD_ARGS:-} > "$WORK/$1.receipt"
  [[ $(receipt_field "$1" status) == verified ]] || { echo "not verified: $1" >&2; return 1; }
}

compare() {  # compare LABEL ENDPOINT TARGET
  local label=$1 ep=$2 target=$3 best_s=0 best_c=0 r t0 t1 s c
  for r in $(seq 1 "$ROUNDS"); do
    c0=$(server_cpu); t0=$(now); seqgate_once "$ep" "s$label$r"; t1=$(now); c1=$(server_cpu)
    s=$(mbps "$PACKED" "$t0" "$t1")
    local s_cpu
    s_cpu="client $(per_gib "$(client_cpu)") + centre $(per_gib "$c1 - $c0")"
    rm -rf "$STORAGE/lab-a/s$label$r"
    c0=$(server_cpu); t0=$(now); curl_once "$ep" "c$label$r"; t1=$(now); c1=$(server_cpu)
    c=$(mbps "$PACKED" "$t0" "$t1")
    rm -rf "$STORAGE/lab-a/c$label$r"
    echo "$label round $r: seqgatectl upload $s MB/s | curl PATCH $c MB/s (packed bytes on the wire)"
    echo "  CPU-s per GiB: seqgate $s_cpu | curl client $(per_gib "$(client_cpu)") + centre $(per_gib "$c1 - $c0")"
    best_s=$(/usr/bin/python3 -c "print(max($best_s, $s))")
    best_c=$(/usr/bin/python3 -c "print(max($best_c, $c))")
  done
  local ratio
  ratio=$(/usr/bin/python3 -c "print(round($best_s / $best_c, 2))")
  echo "$label best: seqgate $best_s MB/s, curl $best_c MB/s → ${ratio}× (target ≥ $target×)"
}

compare loopback "$ENDPOINT" 0.9
start_proxy "all latency ms=25"
compare rtt50ms "$PROXY_ENDPOINT" 0.8
