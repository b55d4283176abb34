#!/usr/bin/env bash
# Independent tus clients against seqgate-ingest: python3-tuspy (Debian; plain upload with its
# sha1 per-chunk checksums, a seqgate-verified upload, and an interrupted upload resumed from
# its URL store) and tus-js-client from npm (creation-with-upload, defer-length, resume from an
# upload URL, termination). Client certificates are injected the way a deployment would; the
# clients' own code is unchanged.
source "$(dirname "$0")/ingest_lib.sh"
PEERS="$(cd "$SEQGATE_SOURCE_DIR/tests/peers" && pwd)"
if [[ ! -d "$PEERS/node_modules/tus-js-client" ]]; then
  (cd "$PEERS" && npm ci --no-audit --no-fund --silent)
fi

make_pki
write_config
start_server
head -c 3000000 /dev/urandom > "$WORK/big.bin"
SHA=$(sha256_of "$WORK/big.bin")
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["receipt"].get(sys.argv[2], ""))' "$1" "$2"; }

# --- tuspy ---------------------------------------------------------------------------------------
cat > "$WORK/tuspy_run.py" <<'PY'
import os, sys, requests
from tusclient import client
from tusclient.storage import filestorage
pki = os.environ["PKI"]
os.environ["REQUESTS_CA_BUNDLE"] = pki + "/ca.crt"
_init = requests.sessions.Session.__init__
def _with_cert(self, *a, **kw):  # tuspy calls requests.* directly: give every session our cert
    _init(self, *a, **kw)
    self.cert = (pki + "/lab-a.crt", pki + "/lab-a.key")
requests.sessions.Session.__init__ = _with_cert

mode, endpoint, path = sys.argv[1], sys.argv[2], sys.argv[3]
c = client.TusClient(endpoint)
if mode == "plain":
    u = c.uploader(path, chunk_size=256 * 1024, metadata={"filename": "big.bin"}, upload_checksum=True)
    u.upload()
elif mode == "seqgate":
    u = c.uploader(path, chunk_size=1024 * 1024, metadata={
        "seqgate-run": "RUN_PY", "seqgate-path": "lane1/big.bin", "seqgate-encoding": "identity",
        "seqgate-sha256": sys.argv[4]})
    u.upload()
elif mode in ("partial", "resume"):
    store = filestorage.FileStorage(sys.argv[4])
    u = c.uploader(path, chunk_size=512 * 1024, store_url=True, url_storage=store,
                   metadata={"seqgate-run": "RUN_PY", "seqgate-path": "lane2/big.bin",
                             "seqgate-sha256": sys.argv[5]})
    if mode == "partial":
        u.upload(stop_at=1024 * 1024)
    else:
        print("resuming-at", u.offset, file=sys.stderr)
        u.upload()
    store.close()
print(u.url)
PY
export PKI="$WORK/pki"
echo "== tuspy"
PY_PLAIN=$(/usr/bin/python3 "$WORK/tuspy_run.py" plain "$ENDPOINT" "$WORK/big.bin")
check "tuspy plain upload completed" test -n "$PY_PLAIN"
tcurl lab-a "$PY_PLAIN" -o "$WORK/py1.json"
check "tuspy plain upload: receipt unverified, sha256 computed" test "$(field "$WORK/py1.json" status)/$(field "$WORK/py1.json" sha256)" = "unverified/$SHA"
check "tuspy plain upload byte-identical" cmp -s "$WORK/big.bin" "$STORAGE/$(field "$WORK/py1.json" stored_as)"
check "tuspy sent sha1 Upload-Checksum on each chunk (no 460)" bash -c "! grep -q 'checksum_mismatch' '$WORK/server.log'"
PY_SG=$(/usr/bin/python3 "$WORK/tuspy_run.py" seqgate "$ENDPOINT" "$WORK/big.bin" "$SHA")
tcurl lab-a "$PY_SG" -o "$WORK/py2.json"
check "tuspy seqgate upload verified and placed" cmp -s "$WORK/big.bin" "$STORAGE/lab-a/RUN_PY/lane1/big.bin"
check "tuspy seqgate receipt verified" test "$(field "$WORK/py2.json" status)" = verified
URL1=$(/usr/bin/python3 "$WORK/tuspy_run.py" partial "$ENDPOINT" "$WORK/big.bin" "$WORK/urls.json" "$SHA")
tcurl lab-a -I "$URL1" -H "Tus-Resumable: 1.0.0" -D "$WORK/ph.h" -o /dev/null
check "interrupted tuspy upload stopped at 1 MiB" test "$(header_of "$WORK/ph.h" Upload-Offset)" = 1048576
URL2=$(/usr/bin/python3 "$WORK/tuspy_run.py" resume "$ENDPOINT" "$WORK/big.bin" "$WORK/urls.json" "$SHA" 2>"$WORK/resume.err")
check "resumed from the URL store (same upload URL)" test "$URL1" = "$URL2"
check "resume started at the acknowledged offset" grep -q "resuming-at 1048576" "$WORK/resume.err"
check "resumed upload byte-identical" cmp -s "$WORK/big.bin" "$STORAGE/lab-a/RUN_PY/lane2/big.bin"

# --- tus-js-client -------------------------------------------------------------------------------
cat > "$WORK/tusjs_run.js" <<'JS'
const fs = require("fs");
const { Readable } = require("stream");
const tus = require(process.env.PEERS + "/node_modules/tus-js-client");
const pki = process.env.PKI;
const stack = new tus.DefaultHttpStack({
  ca: fs.readFileSync(pki + "/ca.crt"), cert: fs.readFileSync(pki + "/lab-a.crt"),
  key: fs.readFileSync(pki + "/lab-a.key"),
});
const [mode, endpoint, path, sha, extra] = process.argv.slice(2);
const data = fs.readFileSync(path);
function run(source, opts) {
  return new Promise((resolve, reject) => {
    const up = new tus.Upload(source, Object.assign({
      endpoint, httpStack: stack, retryDelays: [0, 200, 500],
      onError: reject, onSuccess: () => resolve(up),
    }, opts));
    if (opts.onStart) opts.onStart(up);
    up.start();
  });
}
(async () => {
  if (mode === "with-upload") {
    const up = await run(data, { uploadDataDuringCreation: true, metadata: {
      "seqgate-run": "RUN_JS", "seqgate-path": "a/with-upload.bin", "seqgate-sha256": sha } });
    console.log(up.url);
  } else if (mode === "deferred") {
    const stream = Readable.from([data.subarray(0, 1000000), data.subarray(1000000)]);
    const up = await run(stream, { uploadLengthDeferred: true, chunkSize: 512 * 1024,
      metadata: { "seqgate-run": "RUN_JS", "seqgate-path": "a/deferred.bin", "seqgate-sha256": sha } });
    console.log(up.url);
  } else if (mode === "partial") {
    // Stop after the first acknowledged chunk, as a crashed client would.
    await new Promise((resolve, reject) => {
      const up = new tus.Upload(data, { endpoint, httpStack: stack, chunkSize: 1024 * 1024,
        metadata: { "seqgate-run": "RUN_JS", "seqgate-path": "a/resumed.bin", "seqgate-sha256": sha },
        onError: reject,
        onChunkComplete: () => { up.abort().then(() => { console.log(up.url); resolve(); }); } });
      up.start();
    });
  } else if (mode === "resume") {
    const up = await run(data, { uploadUrl: extra, chunkSize: 1024 * 1024 });
    console.log(up.url);
  } else if (mode === "terminate") {
    await new Promise((resolve, reject) => {
      const up = new tus.Upload(data, { endpoint, httpStack: stack, chunkSize: 1024 * 1024,
        onError: reject,
        onChunkComplete: () => { up.abort(true).then(() => { console.log(up.url); resolve(); }, reject); } });
      up.start();
    });
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });
JS
export PEERS
echo "== tus-js-client"
JS1=$(node "$WORK/tusjs_run.js" with-upload "$ENDPOINT" "$WORK/big.bin" "$SHA")
check "tus-js-client creation-with-upload verified" cmp -s "$WORK/big.bin" "$STORAGE/lab-a/RUN_JS/a/with-upload.bin"
check "tus-js-client used creation-with-upload" logged "upload.created.*path=a/with-upload.bin with_upload=yes"
JS2=$(node "$WORK/tusjs_run.js" deferred "$ENDPOINT" "$WORK/big.bin" "$SHA")
check "tus-js-client defer-length upload verified" cmp -s "$WORK/big.bin" "$STORAGE/lab-a/RUN_JS/a/deferred.bin"
JS3=$(node "$WORK/tusjs_run.js" partial "$ENDPOINT" "$WORK/big.bin" "$SHA")
tcurl lab-a -I "$JS3" -H "Tus-Resumable: 1.0.0" -D "$WORK/jh.h" -o /dev/null
check "tus-js-client stopped after the first chunk" test "$(header_of "$WORK/jh.h" Upload-Offset)" = 1048576
JS4=$(node "$WORK/tusjs_run.js" resume "$ENDPOINT" "$WORK/big.bin" "$SHA" "$JS3")
check "tus-js-client resumed the same upload" test "$JS3" = "$JS4"
check "resumed upload byte-identical" cmp -s "$WORK/big.bin" "$STORAGE/lab-a/RUN_JS/a/resumed.bin"
tcurl lab-a "$JS4" -o "$WORK/js4.json"
check "resumed upload receipt verified" test "$(field "$WORK/js4.json" status)" = verified
JS5=$(node "$WORK/tusjs_run.js" terminate "$ENDPOINT" "$WORK/big.bin")
check "tus-js-client termination → upload gone" test "$(status_of lab-a -I "$JS5" -H 'Tus-Resumable: 1.0.0')" = 404
finish
