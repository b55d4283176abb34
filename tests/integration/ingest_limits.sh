#!/usr/bin/env bash
# Protection: per-site quota (429), free-disk floor (507, nothing written), oversized request
# heads (431) and metadata (400), idle / slow-header / slow-body clients cut off (what a slow
# body delivered is kept), expired incomplete uploads swept away.
source "$(dirname "$0")/ingest_lib.sh"
make_pki
H="Tus-Resumable: 1.0.0"

# raw SCRIPT [CLIENT] — opens a TLS connection as CLIENT (lab-a), sends SCRIPT's '|'-separated
# steps (bytes, or "SLEEP n"), then reports whether the server closed the connection.
cat > "$WORK/raw.py" <<'PY'
import socket, ssl, sys, time
pki, port, script = sys.argv[1], int(sys.argv[2]), sys.argv[3]
who = sys.argv[4] if len(sys.argv) > 4 else "lab-a"
ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
ctx.load_cert_chain(pki + "/" + who + ".crt", pki + "/" + who + ".key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
s.settimeout(15)
t0 = time.time()
try:
    for step in script.split("|"):
        if step.startswith("SLEEP "):
            time.sleep(float(step[6:]))
        else:
            s.sendall(step.encode().decode("unicode_escape").encode("latin-1"))
    data = s.recv(65536)
    print("closed" if data == b"" else "answered:" + data.split(b"\r\n")[0].decode(), round(time.time() - t0, 1))
except (ConnectionResetError, BrokenPipeError, ssl.SSLError, ssl.SSLEOFError) as e:
    print("closed", round(time.time() - t0, 1))
except socket.timeout:
    print("still-open", round(time.time() - t0, 1))
PY
raw() { /usr/bin/python3 "$WORK/raw.py" "$WORK/pki" "$TUS_PORT" "$1" "${2:-lab-a}" | cut -d' ' -f1; }

write_config "[limits]" "max_uploads_per_site = 3" "max_header_bytes = 2048" "max_metadata_bytes = 256" \
  "idle_timeout_seconds = 2" "header_timeout_seconds = 2" "body_read_timeout_seconds = 2" \
  "upload_expiry_seconds = 3" "cleanup_interval_seconds = 1"
start_server

echo "== quota per site"
for i in 1 2 3; do
  check "upload $i of 3 → 201" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 10')" = 201
done
tcurl lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 10' -D "$WORK/q.h" -o /dev/null
check "4th incomplete upload → 429" grep -q "^HTTP/1.1 429" "$WORK/q.h"
check "429 carries Retry-After" test -n "$(header_of "$WORK/q.h" Retry-After)"
check "another site is not limited by lab-a's uploads" test "$(status_of lab-b -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 10')" = 201

echo "== request size limits"
check "request head over max_header_bytes → 431" test "$(status_of lab-b -X OPTIONS "$ENDPOINT" -H "X-Pad: $(printf 'a%.0s' {1..3000})")" = 431
check "Upload-Metadata over max_metadata_bytes → 400" test "$(status_of lab-b -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 10' -H "Upload-Metadata: filename $(b64 "$(printf 'n%.0s' {1..300})")")" = 400

echo "== slow and idle clients"
check "idle connection closed after idle_timeout" test "$(raw 'SLEEP 4|OPTIONS /files/ HTTP/1.1\r\nHost: x\r\n\r\n')" = closed
check "slow request head (slowloris) closed after header_timeout" test "$(raw 'OPTIONS /files/ HTTP/1.1\r\n|SLEEP 1.2|X-A: 1\r\n|SLEEP 1.2|X-B: 2\r\n|SLEEP 1.2|X-C: 3\r\n\r\n')" = closed
check "a prompt request is answered" bash -c "[[ \$(/usr/bin/python3 '$WORK/raw.py' '$WORK/pki' '$TUS_PORT' 'OPTIONS /files/ HTTP/1.1\r\nHost: x\r\n\r\n') == answered:*204* ]]"
U=$(create lab-b 100000 "")
check "stalled body closed after body_read_timeout" test "$(raw "PATCH $U HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 100000\r\n\r\n$(printf 'z%.0s' {1..1000})|SLEEP 4" lab-b)" = closed
check "what the slow body delivered is kept (offset 1000)" test "$(tcurl lab-b -I "$BASE$U" -H "$H" -D - -o /dev/null | header_of /dev/stdin Upload-Offset)" = 1000
check "timeouts counted" bash -c "curl -s http://127.0.0.1:$METRICS_PORT/metrics | grep -q '^seqgate_ingest_timeouts_total [3-9]'"

echo "== expiry"
E=$(create lab-b 10 "")
tcurl lab-b -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 10' -D "$WORK/e.h" -o /dev/null
check "201 announces Upload-Expires" test -n "$(header_of "$WORK/e.h" Upload-Expires)"
sleep 5
check "expired upload gone → 404" test "$(status_of lab-b -I "$BASE$E" -H "$H")" = 404
check "expired upload folder removed" test ! -e "$STORAGE/.uploads/lab-b/${E#/files/}"
check "expiry counted" bash -c "curl -s http://127.0.0.1:$METRICS_PORT/metrics | grep -q '^seqgate_ingest_expired_uploads_removed_total [1-9]'"
check "quota freed by expiry → 201" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 10')" = 201
stop_server

echo "== free-disk floor"
write_config
start_server
head -c 200000 /dev/urandom > "$WORK/d.bin"
U=$(create lab-a 200000 "")
stop_server
sed -i 's/^\[tls\]$/[limits]\nmin_free_bytes = 9000000000000000000\n[tls]/' "$WORK/ingest.toml"
start_server
check "creation below the floor → 507" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 10')" = 507
check "PATCH below the floor → 507" test "$(patch lab-a "$U" 0 "$WORK/d.bin")" = 507
check "nothing written by the refused PATCH" test "$(stat -c %s "$STORAGE/.uploads/lab-a/${U#/files/}/data")" = 0
check "offset unchanged" test "$(tcurl lab-a -I "$BASE$U" -H "$H" -D - -o /dev/null | header_of /dev/stdin Upload-Offset)" = 0
finish
