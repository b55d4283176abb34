#!/usr/bin/env bash
# seqgatectl upload against peers other than a clean seqgate-ingest:
#  - @tus/server (npm, FileStore) behind Node https with client certificates: plain tus mode,
#    also through the fault proxy (a cut body keeps a partial, mid-frame offset);
#  - seqgate-ingest behind a TLS-terminating relay that flips one byte of a PATCH body (a TCP
#    proxy cannot: TLS would reject the record): with Upload-Checksum → 460 and a resend;
#    without it → the centre's end-to-end verification quarantines the file.
source "$SEQGATE_SOURCE_DIR/tests/integration/transfer_lib.sh"

PEERS="$SEQGATE_SOURCE_DIR/tests/peers"
[[ -d "$PEERS/node_modules/@tus/server" ]] || (cd "$PEERS" && npm ci --no-audit --no-fund --silent)
NODE_PIDS=()
peers_cleanup() {
  for p in "${NODE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  transfer_cleanup
}
trap peers_cleanup EXIT

make_pki
chmod 600 "$WORK"/pki/*.key
write_config
start_server

cat > "$WORK/front.mjs" <<JS
// tus mode: @tus/server + FileStore over https with required client certificates.
// relay mode: https (client certs required) → seqgate-ingest as lab-a, flipping one body byte.
// busy mode: the same relay, but the Nth PATCH is answered 429 with Retry-After instead.
import fs from "node:fs";
import https from "node:https";
import { Server } from "$PEERS/node_modules/@tus/server/dist/index.js";
import { FileStore } from "$PEERS/node_modules/@tus/file-store/dist/index.js";
const [mode, arg1, arg2, arg3] = process.argv.slice(2);
const pki = "$WORK/pki";
const tls = { key: fs.readFileSync(pki + "/server.key"), cert: fs.readFileSync(pki + "/server.crt"),
              ca: fs.readFileSync(pki + "/ca.crt"), requestCert: true, rejectUnauthorized: true };
let handler;
if (mode === "tus") {
  const tus = new Server({ path: "/files", relativeLocation: true, datastore: new FileStore({ directory: arg1 }) });
  handler = (req, res) => tus.handle(req, res);
} else {
  const agent = new https.Agent({ keepAlive: true, key: fs.readFileSync(pki + "/lab-a.key"),
    cert: fs.readFileSync(pki + "/lab-a.crt"), ca: fs.readFileSync(pki + "/ca.crt") });
  const flipPatch = Number(arg2), flipOffset = Number(arg3);
  let patches = 0;
  handler = (req, res) => {
    console.log("request " + req.method + " at " + Date.now());
    if (mode === "busy" && req.method === "PATCH" && ++patches === flipPatch) {
      // Busy: answer this PATCH with 429 and Retry-After (arg3 seconds) without forwarding it.
      req.resume();
      req.on("end", () => {
        console.log("answered 429 at " + Date.now());
        res.writeHead(429, { "Retry-After": String(flipOffset), "Tus-Resumable": "1.0.0" });
        res.end("too many uploads");
      });
      return;
    }
    const flip = mode === "relay" && req.method === "PATCH" && ++patches === flipPatch;
    const up = https.request({ host: "127.0.0.1", port: Number(arg1), method: req.method, path: req.url,
      headers: req.headers, agent, servername: "localhost" }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      ur.pipe(res);
    });
    up.on("error", () => res.destroy());
    let seen = 0;
    req.on("data", (chunk) => {
      if (flip && flipOffset >= seen && flipOffset < seen + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[flipOffset - seen] ^= 0xff;
        console.log("flipped byte " + flipOffset + " of PATCH " + patches);
      }
      seen += chunk.length;
      up.write(chunk);
    });
    req.on("end", () => up.end());
  };
}
const srv = https.createServer(tls, handler);
srv.listen(0, "127.0.0.1", () => console.log("ready " + srv.address().port));
JS

# start_front NAME MODE ARGS... — sets FRONT_PORT.
start_front() {
  local name=$1
  shift
  node "$WORK/front.mjs" "$@" > "$WORK/$name.node.log" 2>&1 &
  NODE_PIDS+=($!)
  for _ in $(seq 1 100); do grep -q "^ready" "$WORK/$name.node.log" && break; sleep 0.1; done
  FRONT_PORT=$(awk '/^ready/ { print $2 }' "$WORK/$name.node.log")
  [[ -n "$FRONT_PORT" ]] || { cat "$WORK/$name.node.log"; return 1; }
}

DATA="$WORK/data.fastq"
make_data "$DATA" 12 2
PACKED=$(packed_size "$DATA")
cp "$WORK/packed.tmp" "$WORK/expected.zst"
SLACK=$((PACKED / 50 + 65536))

# --- @tus/server: plain tus, no checksum, no receipt: done = HEAD shows the full length.
mkdir -p "$WORK/tus-store"
start_front tus tus "$WORK/tus-store"
TUS_NODE_PORT=$FRONT_PORT
# stored_tus NAME — the FileStore data file of this upload (its id is the URL's last segment).
stored_tus() { echo "$WORK/tus-store/$(basename "$(json_get "$WORK/$1.receipt" upload_url)")"; }
json_get() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

if upload tusplain "$DATA" "https://localhost:$TUS_NODE_PORT/files/"; then
  check "tusplain: plain tus mode detected" grep -q "plain tus, no chunk checksums" "$WORK/tusplain.log"
  check "tusplain: final HEAD shows the whole stream" test "$(json_get "$WORK/tusplain.receipt" offset)" = "$PACKED"
  check "tusplain: @tus/server holds exactly the packed stream" cmp -s "$(stored_tus tusplain)" "$WORK/expected.zst"
else
  fail "tusplain: upload failed: $(tail -n 3 "$WORK/tusplain.log")"
fi

UPSTREAM_PORT=$TUS_NODE_PORT start_proxy "1 cut dir=up bytes=$((PACKED / 2 + 12345))"
if upload tuscut "$DATA" "$PROXY_ENDPOINT"; then
  check "tuscut: @tus/server holds exactly the packed stream after the cut" \
    cmp -s "$(stored_tus tuscut)" "$WORK/expected.zst"
  # curl may itself resend on a fresh connection (→ 409, HEAD) or report the cut (→ retry).
  check "tuscut: the cut was noticed and re-synced" grep -qE "transient failure|409 offset mismatch" "$WORK/tuscut.log"
  resent=$(($(proxy_stat up_bytes) - PACKED))
  check "tuscut: re-sent $resent ≤ one PATCH + $SLACK" test "$resent" -le $((PATCH_SIZE + SLACK))
else
  fail "tuscut: upload failed: $(tail -n 3 "$WORK/tuscut.log")"
fi
stop_proxy

# flip_case NAME FILE — seqgate-ingest behind a relay that flips byte 1000 of the 2nd PATCH
# body: the centre answers 460, the chunk goes again, the file is verified.
flip_case() {
  local name=$1 file=$2
  start_front "relay-$name" relay "$TUS_PORT" 2 1000
  if upload "$name" "$file" "https://localhost:$FRONT_PORT/files/"; then
    check "$name: the relay flipped a byte" grep -q "flipped byte" "$WORK/relay-$name.node.log"
    check "$name: the server answered 460 and the chunk was resent" grep -q "460 checksum mismatch" "$WORK/$name.log"
    check "$name: verified" test "$(receipt_field "$name" status)" = verified
    check "$name: stored copy is byte-identical" stored_matches "$name" "$file"
  else
    fail "$name: upload failed: $(tail -n 3 "$WORK/$name.log")"
  fi
}
flip_case flip460 "$DATA"

start_front relayq relay "$TUS_PORT" 2 1000
if upload flipnock "$DATA" "https://localhost:$FRONT_PORT/files/" --no-chunk-checksum; then
  fail "flipnock: a corrupted upload was reported as a success"
else
  check "flipnock: the relay flipped a byte" grep -q "flipped byte" "$WORK/relayq.node.log"
  check "flipnock: end-to-end verification quarantined it" test "$(receipt_field flipnock status)" = quarantined
  check "flipnock: nothing in the verified tree" test ! -e "$STORAGE/lab-a/flipnock"
fi

# --- seqgate-ingest behind a relay that answers the 2nd PATCH with 429 and Retry-After: 3.
start_front busy busy "$TUS_PORT" 2 3
if upload busy429 "$DATA" "https://localhost:$FRONT_PORT/files/"; then
  check "busy429: the relay answered 429" grep -q "answered 429" "$WORK/busy.node.log"
  check "busy429: the 429 was retried" grep -q "HTTP 429" "$WORK/busy429.log"
  # The first request after the 429 comes no sooner than Retry-After says.
  gap=$(awk '/^answered 429/ { t = $4 } /^request/ && t { print $4 - t; exit }' "$WORK/busy.node.log")
  check "busy429: waited ${gap} ms after the 429 (Retry-After 3 s)" test "${gap:-0}" -ge 3000
  check "busy429: verified" test "$(receipt_field busy429 status)" = verified
  check "busy429: stored copy is byte-identical" stored_matches busy429 "$DATA"
else
  fail "busy429: upload failed: $(tail -n 3 "$WORK/busy429.log")"
fi

# --- Identity data is not buffered: each chunk is read from the source again as it is sent. A
# byte flipped on the way still means 460 and a resend; a source changed between packing and
# sending fails the file, and is never sent as if it held the bytes that were hashed.
head -c 6000000 /dev/urandom > "$WORK/idflip.bam"
flip_case idflip "$WORK/idflip.bam"

# changed_case NAME MTIME REASON — the relay answers the 2nd PATCH (bytes 2..4 MiB) with 429 and
# Retry-After: 3; while the uploader waits, the byte at 3 MiB changes in the source. MTIME
# "kept" puts the mtime back, so only the chunk's checksum can tell: the centre answers 460,
# and the uploader, hashing the chunk again, finds the source no longer holds what it hashed.
changed_case() {
  local name=$1 mtime=$2 reason=$3
  head -c 6000000 /dev/urandom > "$WORK/$name.bam"
  start_front "$name" busy "$TUS_PORT" 2 3
  BACKGROUND=1 upload "$name" "$WORK/$name.bam" "https://localhost:$FRONT_PORT/files/"
  for _ in $(seq 1 100); do grep -q "^answered 429" "$WORK/$name.node.log" && break; sleep 0.05; done
  touch -r "$WORK/$name.bam" "$WORK/$name.mtime"
  /usr/bin/python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(3 << 20); b = f.read(1); f.seek(3 << 20); f.write(bytes([b[0] ^ 0xFF]))' "$WORK/$name.bam"
  [[ $mtime == kept ]] && touch -r "$WORK/$name.mtime" "$WORK/$name.bam"
  if wait "$UPLOAD_PID"; then
    fail "$name: a source changed after packing was delivered"
  else
    check "$name: the relay answered 429 before the change" grep -q "^answered 429" "$WORK/$name.node.log"
    check "$name: failed, saying why" grep -q "$reason" "$WORK/$name.log"
    check "$name: nothing in the verified tree" test ! -e "$STORAGE/lab-a/$name"
  fi
}
changed_case idchanged new "changed after it was packed"
changed_case idinplace kept "(460), which changed in place after they were packed"

# --- Through an HTTPS (CONNECT) proxy, from https_proxy and from --proxy: mutual TLS end to end.
cat > "$WORK/connect_proxy.py" <<'PY'
import socket, sys, threading
log = open(sys.argv[1], "a", buffering=1)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print("ready %d" % srv.getsockname()[1], flush=True)
def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d:
            return
        head += d
    line = head.split(b"\r\n")[0].decode()
    log.write(line + "\n")
    method, target, _ = line.split(" ")
    if method != "CONNECT":
        c.sendall(b"HTTP/1.1 405 CONNECT only\r\n\r\n")
        return
    host, port = target.rsplit(":", 1)
    u = socket.create_connection((host, int(port)))
    c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
    pump(c, u)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
PY
/usr/bin/python3 "$WORK/connect_proxy.py" "$WORK/connect.log" > "$WORK/connect.out" 2>&1 &
NODE_PIDS+=($!)
for _ in $(seq 1 50); do grep -q "^ready" "$WORK/connect.out" && break; sleep 0.1; done
CONNECT_PORT=$(awk '/^ready/ { print $2 }' "$WORK/connect.out")
if no_proxy="" NO_PROXY="" https_proxy="http://127.0.0.1:$CONNECT_PORT" \
    upload viaenv "$DATA" "https://localhost:$TUS_PORT/files/"; then
  check "viaenv: https_proxy was used (CONNECT logged)" grep -q "CONNECT localhost:$TUS_PORT" "$WORK/connect.log"
  check "viaenv: verified through the tunnel" test "$(receipt_field viaenv status)" = verified
else
  fail "viaenv: upload through https_proxy failed: $(tail -n 3 "$WORK/viaenv.log")"
fi
: > "$WORK/connect.log"
if upload viaflag "$DATA" "https://127.0.0.1:$TUS_PORT/files/" --proxy "http://127.0.0.1:$CONNECT_PORT"; then
  check "viaflag: --proxy was used (CONNECT logged)" grep -q "CONNECT 127.0.0.1:$TUS_PORT" "$WORK/connect.log"
  check "viaflag: verified through the tunnel" test "$(receipt_field viaflag status)" = verified
else
  fail "viaflag: upload through --proxy failed: $(tail -n 3 "$WORK/viaflag.log")"
fi

finish
