#!/usr/bin/env bash
# The README's first command: the whole sequencer-to-centre loop on one machine. It installs
# dependencies, builds, makes a demo PKI with the openssl CLI, starts seqgate-ingest (the centre)
# and seqgated (the gateway) from config/demo/, lets seqgate-sim write an Illumina and a Nanopore
# run over time, shows live progress, and finally checks that every file at the centre
# decompresses to the byte-identical original.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZE=${SEQGATE_QUICKSTART_SIZE:-256M}
DEMO=${SEQGATE_DEMO_DIR:-$ROOT/out/quickstart}

echo "== 1/6 dependencies (Debian packages)"
./scripts/install-deps.sh

echo "== 2/6 build"
cmake -S . -B build/quickstart -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build/quickstart
BIN=$ROOT/build/quickstart/bin

echo "== 3/6 demo PKI (openssl): a centre CA, the centre's server certificate, the lab's client certificate"
rm -rf "$DEMO"
mkdir -p "$DEMO/pki" "$DEMO/instruments" "$DEMO/centre" "$DEMO/gateway"
(
  cd "$DEMO/pki"
  key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }
  key ca.key
  openssl req -x509 -new -key ca.key -out ca.crt -subj "/CN=demo centre CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  issue() {  # issue NAME CN EXTENSIONS
    key "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
    printf '%b\n' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 30 \
      -extfile "$1.ext" 2>/dev/null
  }
  issue centre localhost "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth"
  issue demo-lab demo-lab "extendedKeyUsage=clientAuth"
  openssl genpkey -algorithm ed25519 -out receipt.key 2>/dev/null
  chmod 600 receipt.key
)

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TUS_PORT=$(port); IM_PORT=$(port); GM_PORT=$(port)
fill() {
  sed -e "s|@DEMO@|$DEMO|g" -e "s|@TUS_PORT@|$TUS_PORT|g" -e "s|@INGEST_METRICS_PORT@|$IM_PORT|g" \
      -e "s|@GATEWAY_METRICS_PORT@|$GM_PORT|g" "$1" > "$2"
}
fill config/demo/seqgate-ingest.toml.in "$DEMO/seqgate-ingest.toml"
fill config/demo/seqgated.toml.in "$DEMO/seqgated.toml"

INGEST_PID="" GATEWAY_PID=""
stop_all() {
  [[ -n $GATEWAY_PID ]] && kill -TERM "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null
  [[ -n $INGEST_PID ]] && kill -TERM "$INGEST_PID" 2>/dev/null && wait "$INGEST_PID" 2>/dev/null
  return 0
}
trap stop_all EXIT

echo "== 4/6 start the centre (seqgate-ingest) and the gateway (seqgated); logs in $DEMO/*.log"
"$BIN/seqgate-ingest" --config "$DEMO/seqgate-ingest.toml" > "$DEMO/centre.log" 2>&1 &
INGEST_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$IM_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
"$BIN/seqgated" --check-config --config "$DEMO/seqgated.toml"
"$BIN/seqgated" --config "$DEMO/seqgated.toml" > "$DEMO/gateway.log" 2>&1 &
GATEWAY_PID=$!
export SEQGATE_CONTROL_SOCKET=$DEMO/gateway/seqgated.sock

echo "== 5/6 two instruments write runs ($SIZE Illumina, and a Nanopore run) while the gateway watches"
"$BIN/seqgate-sim" illumina --out "$DEMO/instruments" --size "$SIZE" --duration 8 --seed 7 &
SIM1=$!
"$BIN/seqgate-sim" ont --out "$DEMO/instruments" --size 64M --duration 6 --seed 8 &
SIM2=$!
wait "$SIM1" "$SIM2"
delivered() {
  "$BIN/seqgatectl" runs --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
runs = json.load(sys.stdin)["runs"]
print(sum(1 for r in runs if r.get("run_receipt") == "complete"))' 2>/dev/null || echo 0
}
deadline=$((SECONDS + 600))
while (($(delivered) < 2)); do
  if ((SECONDS > deadline)); then echo "quickstart: runs not delivered in time; see $DEMO/gateway.log" >&2; exit 1; fi
  if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then echo "quickstart: seqgated stopped; see $DEMO/gateway.log" >&2; exit 1; fi
  "$BIN/seqgatectl" watch --count 1 2>/dev/null || true
  sleep 2
done
"$BIN/seqgatectl" runs

echo "== 6/6 check at the centre with independent tools: every file the instruments wrote and the gateway shipped"
checked=0
while IFS=$'\t' read -r root rel; do
  copy=$(find "$DEMO/centre/demo-lab" -type f \( -path "*/$rel" -o -path "*/$rel.zst" \) | head -n 1)
  if [[ -z $copy ]]; then echo "quickstart: $rel is not at the centre" >&2; exit 1; fi
  if [[ $copy == *.zst ]]; then
    zstd -q -dc "$copy" | cmp -s - "$root/$rel" || { echo "quickstart: $rel differs (zstd -d)" >&2; exit 1; }
  else
    cmp -s "$copy" "$root/$rel" || { echo "quickstart: $rel differs" >&2; exit 1; }
  fi
  checked=$((checked + 1))
done < <("$BIN/seqgatectl" scan "$DEMO/instruments" --json --settle 0 | /usr/bin/python3 -c '
import json, sys
for run in json.load(sys.stdin):
    for f in run.get("files", []):
        if f.get("ships"):
            print(run["root"] + "\t" + f["path"])')
echo "$checked files at the centre are byte-identical to the instruments' originals (zstd -d, cmp)"
for r in "$DEMO"/centre/.receipts/demo-lab/*/run.json; do
  echo "run receipt $(basename "$(dirname "$r")"): $(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["receipt"]["status"])' "$r"), signed by the centre"
done
echo "quickstart: OK"
