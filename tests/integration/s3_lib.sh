# Shared helpers for the s3_*.sh integration tests (sourced, not a test itself): builds on
# transfer_lib.sh (throw-away PKI, check/pass/fail/finish, make_data, the fault proxy) and adds the
# strict fake S3 server (tests/peers/fake_s3.py, Debian python3 stdlib) and `seqgatectl s3 upload`.
# shellcheck source=transfer_lib.sh
[[ -n ${SEQGATE_TRANSFER_LIB:-} ]] || source "$SEQGATE_SOURCE_DIR/tests/integration/transfer_lib.sh"

FAKE_S3="$SEQGATE_SOURCE_DIR/tests/peers/fake_s3.py"
FAKE_PID=""
S3_ACCESS=AKIDSEQGATETEST
BUCKET=labuser
MIB=$((1024 * 1024))

s3_cleanup() {
  stop_fake
  transfer_cleanup
}
trap s3_cleanup EXIT

# s3_setup — PKI plus access/secret key files (mode 600; secrets never go on command lines).
s3_setup() {
  make_pki
  chmod 600 "$WORK"/pki/*.key
  printf '%s\n' "$S3_ACCESS" > "$WORK/s3.access"
  head -c 30 /dev/urandom | base64 | tr -d '/+=' > "$WORK/s3.secret"
  chmod 600 "$WORK/s3.access" "$WORK/s3.secret"
}

# start_fake [fake_s3.py args] — a fresh fake on loopback TLS: FAKE_PORT, FAKE_ENDPOINT; storage in
# $WORK/fake, statistics in $WORK/fake.stats, knobs in $WORK/fake.knobs (see set_knobs).
start_fake() {
  stop_fake
  rm -rf "$WORK/fake" "$WORK/fake.port"
  echo '{}' > "$WORK/fake.knobs"
  /usr/bin/python3 "$FAKE_S3" --cert "$WORK/pki/server.crt" --key "$WORK/pki/server.key" \
    --dir "$WORK/fake" --stats "$WORK/fake.stats" --knobs "$WORK/fake.knobs" \
    --access-key "$S3_ACCESS" --secret-key-file "$WORK/s3.secret" --port-file "$WORK/fake.port" \
    "$@" 2>>"$WORK/fake.log" &
  FAKE_PID=$!
  for _ in $(seq 1 100); do [[ -s "$WORK/fake.port" ]] && break; sleep 0.05; done
  [[ -s "$WORK/fake.port" ]] || { echo "fake S3 did not start"; cat "$WORK/fake.log"; exit 1; }
  FAKE_PORT=$(cat "$WORK/fake.port")
  FAKE_ENDPOINT="https://localhost:$FAKE_PORT"
}
stop_fake() {
  if [[ -n "$FAKE_PID" ]]; then kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; fi
  FAKE_PID=""
}

# set_knobs JSON — the fake's fault knobs (re-read on every request).
set_knobs() { printf '%s\n' "$1" > "$WORK/fake.knobs.tmp" && mv "$WORK/fake.knobs.tmp" "$WORK/fake.knobs"; }

# fake_stat PYEXPR — evaluates a python expression over the statistics dict `s`.
fake_stat() {
  /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
    "$WORK/fake.stats" "$1"
}

# s3_upload NAME FILE KEY [extra args] — seqgatectl s3 upload to $ENDPOINT (default the fake);
# JSON result in $WORK/NAME.out, notes in $WORK/NAME.log; returns seqgatectl's exit code. With
# BACKGROUND=1 it starts in the background and sets UPLOAD_PID.
s3_upload() {
  local name=$1 file=$2 key=$3
  shift 3
  if [[ "${BACKGROUND:-0}" == 1 ]]; then
    s3_upload_cmd "$file" "$key" --state "$WORK/$name.state" "$@" > "$WORK/$name.out" 2>> "$WORK/$name.log" &
    UPLOAD_PID=$!
    return 0
  fi
  s3_upload_cmd "$file" "$key" --state "$WORK/$name.state" "$@" > "$WORK/$name.out" 2>> "$WORK/$name.log"
}
s3_upload_cmd() {
  local file=$1 key=$2
  shift 2
  exec_or_run "$SEQGATECTL" s3 upload "$file" --endpoint "${ENDPOINT:-$FAKE_ENDPOINT}" --bucket "$BUCKET" \
    --key "$key" --ca "$WORK/pki/ca.crt" --access-key-file "$WORK/s3.access" \
    --secret-key-file "${SECRET_FILE:-$WORK/s3.secret}" --part-size "${PART_SIZE:-5MiB}" --parallel "${PARALLEL:-3}" \
    --stall-seconds "${STALL_SECONDS:-3}" --connect-timeout 5 --max-attempts "${MAX_ATTEMPTS:-12}" "$@"
}

# out_field NAME KEY — a field of seqgatectl s3 upload's JSON result.
out_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/$1.out" "$2"; }

# object_matches KEY FILE — the fake's assembled object is byte-identical to FILE (cmp + md5sum).
object_matches() {
  local obj="$WORK/fake/objects/$BUCKET/$1"
  [[ -f "$obj" ]] && cmp -s "$obj" "$2" && [[ "$(md5sum < "$obj")" == "$(md5sum < "$2")" ]]
}

# expected_etag FILE PART_BYTES — md5(md5(p1)…md5(pN))-N computed by python's hashlib.
expected_etag() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import hashlib, sys
path, size = sys.argv[1], int(sys.argv[2])
ds = []
with open(path, "rb") as f:
    while True:
        b = f.read(size)
        if not b and ds:
            break
        ds.append(hashlib.md5(b).digest())
        if len(b) < size:
            break
print('"%s-%d"' % (hashlib.md5(b"".join(ds)).hexdigest(), len(ds)))
PY
}

# make_jwt EXP_UNIX [SUB] — an unsigned-looking JWT (the client never verifies signatures).
make_jwt() {
  /usr/bin/python3 - "$1" "${2:-$BUCKET}" <<'PY'
import base64, json, sys
b = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
print(b({"alg": "ES256", "typ": "JWT"}) + "." + b({"sub": sys.argv[2], "exp": int(sys.argv[1]),
      "iss": "https://login.example.org/"}) + ".c2lnbmF0dXJl")
PY
}

# write_token FILE EXP_UNIX — replaces FILE atomically with a token expiring at EXP_UNIX.
write_token() { make_jwt "$2" > "$1.tmp" && chmod 600 "$1.tmp" && mv "$1.tmp" "$1"; }

# wait_for WHAT SECONDS CMD... — polls CMD every 0.1 s; fails the test when it never succeeds.
wait_for() {
  local what=$1 secs=$2
  shift 2
  local i
  for ((i = 0; i < secs * 10; i++)); do "$@" && return 0; sleep 0.1; done
  fail "timed out waiting for: $what"
  return 1
}

# state_parts NAME — how many parts the state file records as acknowledged.
state_parts() {
  /usr/bin/python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))["parts"]))
except Exception: print(0)' "$WORK/$1.state"
}
# parts_at_least NAME N — the state file records at least N acknowledged parts (for wait_for).
parts_at_least() { [[ "$(state_parts "$1")" -ge "$2" ]]; }
