#!/usr/bin/env bash
# seqgate-ingest speaks tus 1.0.0 exactly: discovery, creation (+defer-length, +with-upload),
# PATCH rules, checksum, termination, method override, isolation between sites, and mutual TLS
# refusals. Driven with curl so every status code and header is checked as sent.
source "$(dirname "$0")/ingest_lib.sh"

make_pki
write_config
start_server
H="Tus-Resumable: 1.0.0"
OCT="Content-Type: application/offset+octet-stream"

echo "== discovery"
tcurl lab-a -X OPTIONS "$ENDPOINT" -D "$WORK/opt.h" -o /dev/null
check "OPTIONS → 204" grep -q "^HTTP/1.1 204" "$WORK/opt.h"
check "Tus-Version 1.0.0" test "$(header_of "$WORK/opt.h" Tus-Version)" = "1.0.0"
check "Tus-Extension lists checksum, termination, expiration, seqgate-verification" \
  bash -c "grep -i '^Tus-Extension:' '$WORK/opt.h' | grep -q 'creation,creation-with-upload,creation-defer-length,expiration,termination,checksum,seqgate-verification'"
check "Tus-Max-Size" test -n "$(header_of "$WORK/opt.h" Tus-Max-Size)"
check "Tus-Checksum-Algorithm sha1,sha256,md5" test "$(header_of "$WORK/opt.h" Tus-Checksum-Algorithm)" = "sha1,sha256,md5"

# A reconnecting client resumes its TLS session (and is still the same site). Checked on TLS 1.2:
# `openssl s_client -reconnect` does not wait for TLS 1.3's post-handshake tickets.
reused=$(printf 'Q\n' | openssl s_client -connect "127.0.0.1:$TUS_PORT" -tls1_2 -reconnect \
           -CAfile "$WORK/pki/ca.crt" -cert "$WORK/pki/lab-a.crt" -key "$WORK/pki/lab-a.key" \
           2>/dev/null | grep -c '^Reused' || true)
check "TLS session resumed on reconnect" test "$reused" -ge 1

echo "== version and creation rules"
tcurl lab-a -X POST "$ENDPOINT" -H "Upload-Length: 5" -D "$WORK/412.h" -o /dev/null
check "missing Tus-Resumable → 412" grep -q "^HTTP/1.1 412" "$WORK/412.h"
check "412 carries Tus-Version" test "$(header_of "$WORK/412.h" Tus-Version)" = "1.0.0"
check "wrong Tus-Resumable → 412" test "$(status_of lab-a -X POST "$ENDPOINT" -H 'Tus-Resumable: 0.2.2' -H 'Upload-Length: 5')" = 412
check "no length → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H")" = 400
check "length and defer → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 5' -H 'Upload-Defer-Length: 1')" = 400
check "defer value 2 → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Defer-Length: 2')" = 400
check "negative length → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: -1')" = 400
check "length over Tus-Max-Size → 413" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 99999999999999999')" = 413
tcurl lab-a -X POST "$ENDPOINT" -H "$H" -H "Upload-Length: 5" -H "Upload-Metadata: a YQ==,a Yg==" -D "$WORK/md.h" -o "$WORK/md.body"
check "duplicate metadata key → 400" grep -q "^HTTP/1.1 400" "$WORK/md.h"
check "400 says why" grep -q "appears twice" "$WORK/md.body"
check "bad base64 metadata → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 5' -H 'Upload-Metadata: a %%%')" = 400
check "empty Upload-Metadata accepted → 201" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 5' -H 'Upload-Metadata;')" = 201
for bad in "../x" "/etc/passwd" "a/../../b" "$(printf 'a\001b')" "$(printf '%0300d' 0)" "dir/"; do
  check "seqgate-path '$(printf '%q' "$bad")' → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 5' -H "Upload-Metadata: seqgate-run $(b64 R1),seqgate-path $(b64 "$bad")")" = 400
done
check "bad run name → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 5' -H "Upload-Metadata: seqgate-run $(b64 ../R),seqgate-path $(b64 a)")" = 400
check "concatenation refused → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Concat: partial' -H 'Upload-Length: 5')" = 400

echo "== core upload, HEAD, PATCH rules"
head -c 300000 /dev/urandom > "$WORK/a.bin"
for i in 1 2 3; do dd if="$WORK/a.bin" of="$WORK/a.$i" bs=100000 skip=$((i - 1)) count=1 status=none; done
tcurl lab-a -X POST "$ENDPOINT" -H "$H" -H "Upload-Length: 300000" -H "Upload-Metadata: filename $(b64 a.bin)" -D "$WORK/c.h" -o /dev/null
U=$(header_of "$WORK/c.h" Location)
check "201 with a Location" grep -q "^HTTP/1.1 201" "$WORK/c.h"
check "upload id has ≥128 bits (32 hex digits)" bash -c "[[ '$U' =~ ^/files/[0-9a-f]{32}$ ]]"
check "201 has Upload-Expires" test -n "$(header_of "$WORK/c.h" Upload-Expires)"
tcurl lab-a -I "$BASE$U" -H "$H" -D "$WORK/h.h" -o /dev/null
check "HEAD → 200" grep -q "^HTTP/1.1 200" "$WORK/h.h"
check "HEAD Upload-Offset 0" test "$(header_of "$WORK/h.h" Upload-Offset)" = 0
check "HEAD Upload-Length" test "$(header_of "$WORK/h.h" Upload-Length)" = 300000
check "HEAD Cache-Control: no-store" test "$(header_of "$WORK/h.h" Cache-Control)" = no-store
check "HEAD echoes Upload-Metadata" test "$(header_of "$WORK/h.h" Upload-Metadata)" = "filename $(b64 a.bin)"
check "PATCH wrong Content-Type → 415" test "$(tcurl lab-a -X PATCH "$BASE$U" -H "$H" -H 'Upload-Offset: 0' -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/a.1" -o /dev/null -w '%{http_code}')" = 415
check "PATCH without Upload-Offset → 400" test "$(tcurl lab-a -X PATCH "$BASE$U" -H "$H" -H "$OCT" --data-binary @"$WORK/a.1" -o /dev/null -w '%{http_code}')" = 400
check "PATCH missing Tus-Resumable → 412" test "$(tcurl lab-a -X PATCH "$BASE$U" -H 'Upload-Offset: 0' -H "$OCT" --data-binary @"$WORK/a.1" -o /dev/null -w '%{http_code}')" = 412
check "PATCH offset mismatch → 409" test "$(patch lab-a "$U" 5 "$WORK/a.1")" = 409
check "PATCH unsupported checksum algorithm → 400" test "$(patch lab-a "$U" 0 "$WORK/a.1" -H 'Upload-Checksum: crc32 AAAAAA==')" = 400
BAD=$(printf 'x' | sha256sum | cut -d' ' -f1 | xxd -r -p | base64 -w0)
check "PATCH checksum mismatch → 460" test "$(patch lab-a "$U" 0 "$WORK/a.1" -H "Upload-Checksum: sha256 $BAD")" = 460
tcurl lab-a -I "$BASE$U" -H "$H" -D "$WORK/h2.h" -o /dev/null
check "offset unchanged after 460" test "$(header_of "$WORK/h2.h" Upload-Offset)" = 0
check "data file holds nothing after 460" test "$(stat -c %s "$STORAGE/.uploads/lab-a/${U#/files/}/data")" = 0
SHA1=$(sha1sum "$WORK/a.1" | cut -d' ' -f1 | xxd -r -p | base64 -w0)
tcurl lab-a -X PATCH "$BASE$U" -H "$H" -H 'Upload-Offset: 0' -H "$OCT" -H "Upload-Checksum: sha1 $SHA1" --data-binary @"$WORK/a.1" -D "$WORK/p1.h" -o /dev/null
check "PATCH with good sha1 → 204" grep -q "^HTTP/1.1 204" "$WORK/p1.h"
check "204 Upload-Offset 100000" test "$(header_of "$WORK/p1.h" Upload-Offset)" = 100000
check "204 Upload-Expires (expiration)" test -n "$(header_of "$WORK/p1.h" Upload-Expires)"
MD5=$(md5sum "$WORK/a.2" | cut -d' ' -f1 | xxd -r -p | base64 -w0)
check "PATCH with good md5 → 204" test "$(patch lab-a "$U" 100000 "$WORK/a.2" -H "Upload-Checksum: md5 $MD5")" = 204
check "PATCH past Upload-Length → 413" test "$(patch lab-a "$U" 200000 "$WORK/a.bin")" = 413
head -c 3000000 /dev/urandom > "$WORK/3m.bin"
check "refused 3 MB PATCH body is drained: client reads 409" test "$(patch lab-a "$U" 7 "$WORK/3m.bin" -H 'Expect:')" = 409
T0=$(date +%s%N)
check "refused PATCH with Expect: 100-continue → 409 without sending the body" test "$(patch lab-a "$U" 7 "$WORK/3m.bin" -H 'Expect: 100-continue')" = 409
check "... and promptly" test $(( ($(date +%s%N) - T0) / 1000000 )) -lt 900
check "other site HEAD → 404" test "$(status_of lab-b -I "$BASE$U" -H "$H")" = 404
check "other site PATCH → 404" test "$(patch lab-b "$U" 200000 "$WORK/a.3")" = 404
check "other site DELETE → 404" test "$(status_of lab-b -X DELETE "$BASE$U" -H "$H")" = 404
check "other site GET → 404" test "$(status_of lab-b "$BASE$U")" = 404
check "unknown upload → 404" test "$(status_of lab-a -I "$BASE/files/0123456789abcdef0123456789abcdef" -H "$H")" = 404
check "malformed upload id → 404" test "$(status_of lab-a -I "$BASE/files/..%2f..%2fetc" -H "$H")" = 404

echo "== sha256 chunks checked in the verifier's own pass"
# Chunks that continue the verifier's stream on a 64-byte boundary are hashed by the verifier
# (seqgate_ingest_checksums_by_verifier_total); one starting elsewhere is hashed by itself.
sha_b64() { sha256sum "$1" | cut -d' ' -f1 | xxd -r -p | base64 -w0; }
dd if="$WORK/a.bin" of="$WORK/v.1" bs=65536 count=1 status=none
dd if="$WORK/a.bin" of="$WORK/v.2" bs=1 skip=65536 count=34464 status=none
dd if="$WORK/a.bin" of="$WORK/v.3" bs=100000 skip=1 count=2 status=none
tcurl lab-a -X POST "$ENDPOINT" -H "$H" -H "Upload-Length: 300000" -H "Upload-Metadata: filename $(b64 v.bin)" -D "$WORK/v.h" -o /dev/null
V=$(header_of "$WORK/v.h" Location)
check "verifier-checked chunk at 0 → 204" test "$(patch lab-a "$V" 0 "$WORK/v.1" -H "Upload-Checksum: sha256 $(sha_b64 "$WORK/v.1")")" = 204
check "verifier-checked chunk with a wrong digest → 460" test "$(patch lab-a "$V" 65536 "$WORK/v.2" -H "Upload-Checksum: sha256 $(sha_b64 "$WORK/v.1")")" = 460
tcurl lab-a -I "$BASE$V" -H "$H" -D "$WORK/vh.h" -o /dev/null
check "... offset stays at 65536" test "$(header_of "$WORK/vh.h" Upload-Offset)" = 65536
check "the same chunk with its digest → 204" test "$(patch lab-a "$V" 65536 "$WORK/v.2" -H "Upload-Checksum: sha256 $(sha_b64 "$WORK/v.2")")" = 204
check "a chunk off a 64-byte boundary (100000) → 204" test "$(patch lab-a "$V" 100000 "$WORK/v.3" -H "Upload-Checksum: sha256 $(sha_b64 "$WORK/v.3")")" = 204
check "stored byte-identical" cmp -s "$WORK/a.bin" "$STORAGE/.unverified/lab-a/${V#/files/}/v.bin"
curl -s "http://127.0.0.1:$METRICS_PORT/metrics" > "$WORK/vmetrics.txt"
# The 460 at offset 0 above, this upload's first chunk and its 460: three. After a discarded
# chunk an upload's verifier no longer takes staged bytes, so the resent chunk hashes itself.
check "three chunk digests came from the verifier" grep -q '^seqgate_ingest_checksums_by_verifier_total 3$' "$WORK/vmetrics.txt"

# X-HTTP-Method-Override: a POST that is really the final PATCH.
tcurl lab-a -X POST "$BASE$U" -H "X-HTTP-Method-Override: PATCH" -H "$H" -H 'Upload-Offset: 200000' -H "$OCT" --data-binary @"$WORK/a.3" -D "$WORK/p3.h" -o /dev/null
check "X-HTTP-Method-Override PATCH → 204" grep -q "^HTTP/1.1 204" "$WORK/p3.h"
check "completing PATCH reports receipt status unverified (plain tus)" test "$(header_of "$WORK/p3.h" Seqgate-Receipt-Status)" = unverified
tcurl lab-a -I "$BASE$U" -H "$H" -D "$WORK/h3.h" -o /dev/null
check "HEAD after completion: offset = length" test "$(header_of "$WORK/h3.h" Upload-Offset)" = 300000
check "plain upload stored byte-identical under .unverified" cmp -s "$WORK/a.bin" "$STORAGE/.unverified/lab-a/${U#/files/}/a.bin"
tcurl lab-a "$BASE$U" -o "$WORK/plain.receipt"
check "plain receipt says unverified" grep -q '"status": "unverified"' "$WORK/plain.receipt"
check "plain receipt carries the computed sha256" grep -q "\"sha256\": \"$(sha256_of "$WORK/a.bin")\"" "$WORK/plain.receipt"
check "completed upload cannot be terminated → 403" test "$(status_of lab-a -X DELETE "$BASE$U" -H "$H")" = 403

echo "== creation-with-upload, defer-length, zero length, termination"
tcurl lab-a -X POST "$ENDPOINT" -H "$H" -H "Upload-Length: 300000" -H "$OCT" --data-binary @"$WORK/a.1" -D "$WORK/cw.h" -o /dev/null
check "creation-with-upload → 201" grep -q "^HTTP/1.1 201" "$WORK/cw.h"
check "creation-with-upload Upload-Offset 100000" test "$(header_of "$WORK/cw.h" Upload-Offset)" = 100000
CW=$(header_of "$WORK/cw.h" Location)
check "creation-with-upload wrong Content-Type → 415" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 5' -H 'Content-Type: text/plain' --data-binary hello)" = 415
check "DELETE → 204" test "$(status_of lab-a -X DELETE "$BASE$CW" -H "$H")" = 204
check "HEAD after DELETE → 404" test "$(status_of lab-a -I "$BASE$CW" -H "$H")" = 404
check "upload folder removed" test ! -e "$STORAGE/.uploads/lab-a/${CW#/files/}"
tcurl lab-a -X POST "$ENDPOINT" -H "$H" -H "Upload-Defer-Length: 1" -D "$WORK/d.h" -o /dev/null
D=$(header_of "$WORK/d.h" Location)
tcurl lab-a -I "$BASE$D" -H "$H" -D "$WORK/dh.h" -o /dev/null
check "deferred HEAD says Upload-Defer-Length: 1" test "$(header_of "$WORK/dh.h" Upload-Defer-Length)" = 1
check "deferred PATCH without length → 204" test "$(patch lab-a "$D" 0 "$WORK/a.1")" = 204
check "deferred PATCH sets length and completes → 204" test "$(patch lab-a "$D" 100000 "$WORK/a.2" -H 'Upload-Length: 200000')" = 204
check "length cannot change → 400" test "$(patch lab-a "$D" 200000 /dev/null -H 'Upload-Length: 300000')" = 400
tcurl lab-a -I "$BASE$D" -H "$H" -D "$WORK/dh2.h" -o /dev/null
check "deferred upload now has Upload-Length" test "$(header_of "$WORK/dh2.h" Upload-Length)" = 200000
tcurl lab-a -X POST "$ENDPOINT" -H "$H" -H "Upload-Length: 0" -D "$WORK/z.h" -o /dev/null
check "Upload-Length 0 completes at once" test "$(header_of "$WORK/z.h" Seqgate-Receipt-Status)" = unverified

echo "== TLS refusals"
curl -sS --cacert "$WORK/pki/ca.crt" -X OPTIONS "$ENDPOINT" -o /dev/null -w '%{http_code}' >"$WORK/nocert.code" 2>/dev/null || true
check "no client certificate → no HTTP answer" test "$(cat "$WORK/nocert.code")" = 000
check "certificate from another CA → no HTTP answer" test "$(status_of foreign -X OPTIONS "$ENDPOINT")" = 000
check "expired certificate → no HTTP answer" test "$(status_of expired -X OPTIONS "$ENDPOINT")" = 000
check "TLS 1.1 refused" test "$(status_of lab-a --tls-max 1.1 -X OPTIONS "$ENDPOINT")" = 000
check "TLS 1.2 accepted" test "$(status_of lab-a --tls-max 1.2 -X OPTIONS "$ENDPOINT")" = 204
check "certificate CN that is no valid site → 403" test "$(status_of badname -X OPTIONS "$ENDPOINT")" = 403
check "handshake failures counted" bash -c "curl -s http://127.0.0.1:$METRICS_PORT/metrics | grep -q '^seqgate_ingest_tls_handshake_failures_total [1-9]'"
check "server log names the refusal" logged "tls.refused"
check "log says why: expired" logged 'tls.refused.*certificate="certificate has expired"'
check "log says why: foreign CA" logged 'tls.refused.*certificate="unable to get local issuer certificate"'
check "no private key material in the log" bash -c "! grep -q 'PRIVATE KEY' '$WORK/server.log'"

echo "== observability"
check "/healthz → ok" test "$(curl -s "http://127.0.0.1:$METRICS_PORT/healthz")" = ok
curl -s "http://127.0.0.1:$METRICS_PORT/metrics" > "$WORK/metrics.txt"
check "/metrics counts 460s" grep -q 'seqgate_ingest_responses_total{code="460"} 2' "$WORK/metrics.txt"
check "/metrics counts checksum mismatches" grep -q '^seqgate_ingest_checksum_mismatches_total 2' "$WORK/metrics.txt"
check "metrics listener is not the tus listener" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS_PORT/files/")" = 404

echo "== SIGTERM"
stop_server TERM
check "server exits 0 on SIGTERM" grep -q "ingest.stopped" "$WORK/server.log"

echo "== TLS policy from the config: CRL, TLS 1.3 only, CN → site map"
(cd "$WORK/pki" && openssl ca -batch -config ca.cnf -revoke lab-b.crt >/dev/null 2>&1 &&
  openssl ca -batch -config ca.cnf -gencrl -crldays 2 -out crl.pem >/dev/null 2>&1)
sed -i "s|^\[tls\]$|[sites]\nmapped_only = true\nmap = { \"lab-a\" = \"hospital-a\", \"lab-b\" = \"hospital-b\" }\n[tls]\ncrl = \"$WORK/pki/crl.pem\"\ntls13_only = true|" "$WORK/ingest.toml"
start_server
check "revoked certificate (CRL) → no HTTP answer" test "$(status_of lab-b -X OPTIONS "$ENDPOINT")" = 000
check "refusal logged as revocation" logged 'tls.refused.*certificate="certificate revoked"'
check "TLS 1.2 refused when tls13_only" test "$(status_of lab-a --tls-max 1.2 -X OPTIONS "$ENDPOINT")" = 000
check "TLS 1.3 accepted" test "$(status_of lab-a --tlsv1.3 -X OPTIONS "$ENDPOINT")" = 204
check "unmapped CN refused with mapped_only → 403" test "$(status_of badname -X OPTIONS "$ENDPOINT")" = 403
M=$(create lab-a 0 "seqgate-run $(b64 R9),seqgate-path $(b64 empty.txt),seqgate-sha256 $(b64 "$(sha256sum /dev/null | cut -d' ' -f1)")")
check "mapped CN writes into the mapped site's space" test -f "$STORAGE/hospital-a/R9/empty.txt"
check "old uploads of CN lab-a are not visible to site hospital-a" test "$(status_of lab-a -I "$BASE$U" -H "$H")" = 404
finish
