# Shared helpers for the ingest_*.sh integration tests (sourced, not a test itself): a throw-away
# PKI made with the openssl CLI, starting/stopping the real seqgate-ingest on loopback, and
# curl with a client certificate. Everything lives under $WORK, removed on exit.
set -euo pipefail

: "${SEQGATE_BIN_DIR:?run through ctest (SEQGATE_BIN_DIR unset)}"
: "${SEQGATE_SOURCE_DIR:?run through ctest (SEQGATE_SOURCE_DIR unset)}"
INGEST="$SEQGATE_BIN_DIR/seqgate-ingest"
# shellcheck source=sanitizer_lib.sh
source "$SEQGATE_SOURCE_DIR/tests/integration/sanitizer_lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seqgate-ingest-test.XXXXXX")
SERVER_PID=""
FAILURES=0
PASSES=0

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  sanitizer_check
}
trap cleanup EXIT

pass() { PASSES=$((PASSES + 1)); echo "ok   - $*"; }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL - $*"; }
# check "description" command...: passes when the command succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
# report METRIC VALUE [NOTE] — a figure for docs/reliability.md: printed, and appended to
# $SEQGATE_REPORT_DIR/<script>.tsv when scripts/reliability.sh collects them.
report() {
  echo "report: $1 = $2${3:+ ($3)}"
  if [[ -n ${SEQGATE_REPORT_DIR:-} ]]; then
    printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >> "$SEQGATE_REPORT_DIR/$(basename "$0" .sh).tsv"
  fi
}
finish() {
  report checks_passed "$PASSES"
  echo "$PASSES passed, $FAILURES failed"
  if ((FAILURES > 0)); then
    echo "--- server log (tail)"
    tail -n 40 "$WORK/server.log" 2>/dev/null || true
    exit 1
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# make_pki: CA, server cert (localhost/127.0.0.1), clients lab-a and lab-b, a lab-a cert from a
# foreign CA, an expired lab-a cert, and the Ed25519 receipt key. EC P-256 keeps it fast.
make_pki() {
  local d="$WORK/pki"
  mkdir -p "$d"
  (
    cd "$d"
    newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    mkca() {  # mkca name cn
      newkey "$1.key"
      openssl req -x509 -new -key "$1.key" -out "$1.crt" -subj "/CN=$2" -days 3 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    }
    sign() {  # sign name cn ca ext
      newkey "$1.key"
      openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
      printf '%s\n' "$4" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -out "$1.crt" \
        -days 2 -extfile "$1.ext" 2>/dev/null
    }
    mkca ca "seqgate test centre CA"
    mkca other "somebody else's CA"
    sign server localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
    sign lab-a lab-a ca "extendedKeyUsage=clientAuth"
    sign lab-b lab-b ca "extendedKeyUsage=clientAuth"
    sign foreign lab-a other "extendedKeyUsage=clientAuth"
    sign badname "bad site" ca "extendedKeyUsage=clientAuth"
    # An expired certificate needs explicit dates: `openssl ca` can set them.
    newkey expired.key
    openssl req -new -key expired.key -out expired.csr -subj "/CN=lab-a" 2>/dev/null
    mkdir -p cadb && : > cadb/index.txt && echo 1000 > cadb/serial
    cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
certificate = ca.crt
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
[client]
extendedKeyUsage = clientAuth
CNF
    openssl ca -batch -config ca.cnf -in expired.csr -out expired.crt -startdate 20200101000000Z \
      -enddate 20200102000000Z -extensions client -notext 2>/dev/null
    openssl genpkey -algorithm ed25519 -out receipt.key 2>/dev/null
  )
}

# write_config [extra toml lines...] → $WORK/ingest.toml with storage $WORK/storage.
write_config() {
  TUS_PORT=$(free_port)
  METRICS_PORT=$(free_port)
  STORAGE="$WORK/storage"
  mkdir -p "$STORAGE"
  {
    echo "listen = \"127.0.0.1:$TUS_PORT\""
    echo "metrics = \"127.0.0.1:$METRICS_PORT\""
    echo "storage = \"$STORAGE\""
    echo "receipt_key = \"$WORK/pki/receipt.key\""
    echo "server_name = \"test-centre\""
    echo "log_level = \"debug\""
    printf '%s\n' "$@"
    echo "[tls]"
    echo "cert = \"$WORK/pki/server.crt\""
    echo "key = \"$WORK/pki/server.key\""
    echo "client_ca = \"$WORK/pki/ca.crt\""
  } > "$WORK/ingest.toml"
  BASE="https://127.0.0.1:$TUS_PORT"
  ENDPOINT="$BASE/files/"
}

start_server() {
  "$INGEST" --config "$WORK/ingest.toml" >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if grep -q "ingest.listening" "$WORK/server.log" 2>/dev/null && \
       curl -fsS "http://127.0.0.1:$METRICS_PORT/healthz" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server exited during start:"; cat "$WORK/server.log"; return 1
    fi
    sleep 0.1
  done
  echo "server did not start"; cat "$WORK/server.log"; return 1
}

# logged PATTERN — the server log gets a line matching PATTERN (grep -E) within 10 s: the server
# may log an event after the client already has its answer (a refused handshake is logged once
# the alert is out), so checking at once would race it.
logged() {
  local _
  for _ in $(seq 1 100); do
    grep -qE "$1" "$WORK/server.log" && return 0
    sleep 0.1
  done
  return 1
}

stop_server() {  # stop_server [signal]
  local sig=${1:-TERM}
  kill "-$sig" "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# tcurl CLIENT curl-args... — curl as site CLIENT (lab-a, lab-b, foreign, expired, badname).
tcurl() {
  local who=$1
  shift
  curl -sS --cacert "$WORK/pki/ca.crt" --cert "$WORK/pki/$who.crt" --key "$WORK/pki/$who.key" \
    --max-time 30 "$@"
}

# status_of CLIENT curl-args... — prints only the HTTP status code.
status_of() {
  tcurl "$@" -o /dev/null -w '%{http_code}' 2>/dev/null || true
}

# header_of FILE NAME — value of a response header in a curl -D dump (case-insensitive).
header_of() {
  grep -i "^$2:" "$1" | head -1 | cut -d' ' -f2- | tr -d '\r'
}

b64() { printf '%s' "$1" | base64 -w0; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
md5_of() { md5sum "$1" | cut -d' ' -f1; }

# create CLIENT LENGTH METADATA [extra curl args] → prints the upload path (/files/<id>).
create() {
  local who=$1 len=$2 md=$3
  shift 3
  tcurl "$who" -X POST "$ENDPOINT" -H "Tus-Resumable: 1.0.0" -H "Upload-Length: $len" \
    -H "Upload-Metadata: $md" "$@" -D - -o /dev/null | header_of /dev/stdin Location
}

# patch CLIENT URLPATH OFFSET FILE [extra curl args] → prints the status code.
patch() {
  local who=$1 url=$2 off=$3 file=$4
  shift 4
  tcurl "$who" -X PATCH "$BASE$url" -H "Tus-Resumable: 1.0.0" -H "Upload-Offset: $off" \
    -H "Content-Type: application/offset+octet-stream" --data-binary "@$file" \
    -o /dev/null -w '%{http_code}' "$@" 2>/dev/null || true
}
