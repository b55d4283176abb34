#!/usr/bin/env bash
# Receive + verify throughput of seqgate-ingest against @tus/server (npm, FileStore), both over
# loopback mutual TLS, fed the same ~1 GiB zstd-seekable stream by the same client (curl, one
# PATCH streamed from disk) in the same invocation. seqgate-ingest verifies every frame and
# the original's SHA-256 + MD5 before its 204; @tus/server only stores the bytes.
#
#   bench/ingest.sh [BIN_DIR] [ROUNDS]      BIN_DIR defaults to build/ingest/bin
# Prints one line per run and a summary; exits non-zero if any seqgate upload is not verified.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/ingest/bin}
ROUNDS=${2:-3}
BIN=$(cd "$BIN" && pwd)
PEERS=$(cd tests/peers && pwd)
[[ -d "$PEERS/node_modules/@tus/server" ]] || (cd "$PEERS" && npm ci --no-audit --no-fund --silent)
export SEQGATE_BIN_DIR=$BIN SEQGATE_SOURCE_DIR=$PWD
source tests/integration/ingest_lib.sh   # PKI, config and server helpers; cleans up on exit

make_pki
write_config "threads = 2"
sed -i 's/log_level = "debug"/log_level = "info"/' "$WORK/ingest.toml"
start_server

echo "== input: base64 text of 1 GiB random bytes, packed zstd-seekable (8 MiB frames)"
head -c 1073741824 /dev/urandom | base64 -w 100 > "$WORK/orig"
"$BIN/seqgatectl" pack "$WORK/orig" -o "$WORK/packed.zst" --encoding zstd --json > "$WORK/pack.json"
rm -f "$WORK/orig"
SIZE=$(stat -c %s "$WORK/packed.zst")
SHA=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["original_sha256"])' "$WORK/pack.json")
MD5=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["original_md5"])' "$WORK/pack.json")
echo "packed size: $SIZE bytes"

echo "== @tus/server 2.4.5 + FileStore behind Node https (client certificate required too)"
TUS_JS_PORT=$(free_port)
mkdir -p "$WORK/tus-node-store"
cat > "$WORK/tus_node.mjs" <<JS
import fs from "node:fs";
import https from "node:https";
import { Server } from "$PEERS/node_modules/@tus/server/dist/index.js";
import { FileStore } from "$PEERS/node_modules/@tus/file-store/dist/index.js";
const tus = new Server({ path: "/files", relativeLocation: true, datastore: new FileStore({ directory: "$WORK/tus-node-store" }) });
const pki = "$WORK/pki";
https.createServer({ key: fs.readFileSync(pki + "/server.key"), cert: fs.readFileSync(pki + "/server.crt"),
  ca: fs.readFileSync(pki + "/ca.crt"), requestCert: true, rejectUnauthorized: true },
  (req, res) => tus.handle(req, res)).listen($TUS_JS_PORT, "127.0.0.1", () => console.log("ready"));
JS
node "$WORK/tus_node.mjs" > "$WORK/tus-node.log" 2>&1 &
NODE_PID=$!
trap 'kill $NODE_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do grep -q ready "$WORK/tus-node.log" && break; sleep 0.1; done

# one_upload BASE METADATA → seconds for the PATCH (creation excluded), checks the answer.
one_upload() {
  local base=$1 md=$2 loc t code
  loc=$(tcurl lab-a -X POST "$base/files/" -H "Tus-Resumable: 1.0.0" -H "Upload-Length: $SIZE" \
    -H "Upload-Metadata: $md" -D - -o /dev/null | header_of /dev/stdin Location)
  [[ "$loc" == http* ]] || loc="$base$loc"
  read -r code t < <(tcurl lab-a -X PATCH "$loc" -T "$WORK/packed.zst" -H "Tus-Resumable: 1.0.0" \
    -H "Upload-Offset: 0" -H "Content-Type: application/offset+octet-stream" -H "Expect:" \
    --max-time 600 -o /dev/null -w '%{http_code} %{time_total}\n')
  [[ "$code" == 204 ]] || { echo "PATCH to $base answered $code" >&2; tail -n 5 "$WORK/tus-node.log" "$WORK/server.log" >&2; return 1; }
  echo "$t $loc"
}

# Best MB/s per contender over the rounds.
declare -A best=([sha256+md5]=0 [sha256]=0 [tus]=0)
mbs() { /usr/bin/python3 -c "print(round($SIZE / 1e6 / $1, 1))"; }
for r in $(seq 1 "$ROUNDS"); do
  line="round $r:"
  for variant in sha256+md5 sha256; do
    run=$(printf 'R%02d-%s' "$r" "${variant/+/-}")
    MD="seqgate-run $(b64 "$run"),seqgate-path $(b64 bench.txt),seqgate-encoding $(b64 zstd-seekable),seqgate-sha256 $(b64 "$SHA")"
    [[ "$variant" == sha256+md5 ]] && MD+=",seqgate-md5 $(b64 "$MD5")"
    read -r t loc < <(one_upload "$BASE" "$MD")
    status=$(tcurl lab-a "$loc" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["receipt"]["status"])')
    [[ "$status" == verified ]] || { echo "seqgate receipt: $status"; exit 1; }
    line+=" seqgate-ingest[$variant] $(mbs "$t") MB/s |"
    best[$variant]=$(/usr/bin/python3 -c "print(max(${best[$variant]}, $(mbs "$t")))")
    rm -rf "${STORAGE:?}/lab-a/$run"
  done
  read -r t _ < <(one_upload "https://127.0.0.1:$TUS_JS_PORT" "filename $(b64 bench.txt)")
  line+=" @tus/server $(mbs "$t") MB/s (stores only)"
  best[tus]=$(/usr/bin/python3 -c "print(max(${best[tus]}, $(mbs "$t")))")
  rm -rf "$WORK/tus-node-store"/*
  echo "$line"
done
ratio() { /usr/bin/python3 -c "print(round($1 / ${best[tus]}, 2))"; }
echo "best of $ROUNDS (packed $SIZE bytes, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "  seqgate-ingest, verify sha256+md5: ${best[sha256+md5]} MB/s = $(ratio "${best[sha256+md5]}")x @tus/server"
echo "  seqgate-ingest, verify sha256:     ${best[sha256]} MB/s = $(ratio "${best[sha256]}")x @tus/server"
echo "  @tus/server + FileStore:           ${best[tus]} MB/s"
