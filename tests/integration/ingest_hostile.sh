#!/usr/bin/env bash
# Hostile clients and inputs against the real seqgate-ingest over mutual TLS (issue #7 item 5;
# policy in docs/hostile-inputs.md): the kept corpus of path names (tests/hostile/paths.txt),
# names that collide after normalisation, header smuggling, oversized heads, slowloris and bare
# TCP floods, another site's upload URLs and guessed/traversing URLs, bad client certificates
# and CRLs, old TLS versions and weak ciphers; then seqgatectl against bad servers. Afterwards a
# listing of the storage root and of the folder around it shows that nothing was written
# outside the acting site's own space. Prints the counts by category at the end.
source "$(dirname "$0")/ingest_lib.sh"
HOSTILE="/usr/bin/python3 $SEQGATE_SOURCE_DIR/tests/integration/hostile_client.py"
CORPUS="$SEQGATE_SOURCE_DIR/tests/hostile/paths.txt"
H="Tus-Resumable: 1.0.0"
OCT="Content-Type: application/offset+octet-stream"
declare -A COUNT=()
tally() { COUNT[$1]=$(( ${COUNT[$1]:-0} + ${2:-1} )); }

make_pki
# --- more certificates: every way a client (or a server) can hold the wrong one -------------
(
  cd "$WORK/pki"
  newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
  sign() {  # sign name subject ca ext — like make_pki's, with a full subject
    newkey "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    printf '%s\n' "$4" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -out "$1.crt" \
      -days 2 -extfile "$1.ext" 2>/dev/null
  }
  byca() {  # byca name cn extensions-section [openssl ca args] — through the CA database
    newkey "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
    openssl ca -batch -config ca.cnf -in "$1.csr" -out "$1.crt" -extensions "$3" -notext "${@:4}" 2>/dev/null
  }
  echo 'unique_subject = no' > cadb/index.txt.attr  # lab-a again, after make_pki's expired one
  cat >> ca.cnf <<'CNF'
[server_ext]
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
CNF
  byca notyet lab-a client -startdate 20990101000000Z -enddate 20990102000000Z
  byca revoked lab-r client -days 2
  openssl ca -config ca.cnf -revoke revoked.crt 2>/dev/null
  openssl ca -config ca.cnf -gencrl -crldays 2 -out good.crl 2>/dev/null
  openssl ca -config ca.cnf -gencrl -crl_lastupdate 20200101000000Z -crl_nextupdate 20200102000000Z -out stale.crl 2>/dev/null
  # A CA with exactly our CA's name but another key, and a lab-a certificate it signed.
  newkey twin.key
  openssl req -x509 -new -key twin.key -out twin.crt -subj "/CN=seqgate test centre CA" -days 3 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  sign forged /CN=lab-a twin "extendedKeyUsage=clientAuth"
  openssl ca -config ca.cnf -gencrl -crldays 2 -keyfile twin.key -cert twin.crt -out twin.crl 2>/dev/null || true
  # The CRL after lab-a is revoked as well (made last: every CRL above is without it).
  openssl ca -config ca.cnf -revoke lab-a.crt 2>/dev/null
  openssl ca -config ca.cnf -gencrl -crldays 2 -out laba.crl 2>/dev/null
  sign interca /CN=lab-c ca "basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature,keyCertSign
extendedKeyUsage=clientAuth"
  sign serveronly /CN=lab-c ca "extendedKeyUsage=serverAuth"
  sign certsignonly /CN=lab-c ca "keyUsage=critical,keyCertSign
extendedKeyUsage=clientAuth"
  sign dotname /CN=.uploads ca "extendedKeyUsage=clientAuth"
  sign slashname "/CN=lab-a\/..\/lab-b" ca "extendedKeyUsage=clientAuth"
  sign twocn "/CN=lab-a/CN=lab-b" ca "extendedKeyUsage=clientAuth"
  sign nocn "/O=lab-a" ca "extendedKeyUsage=clientAuth"
  cp ca.key caself.key && cp ca.crt caself.crt
  # Servers for seqgatectl: expired, another name, another CA.
  byca srv-expired localhost server_ext -startdate 20200101000000Z -enddate 20200102000000Z
  sign srv-wrongname /CN=elsewhere.example ca "subjectAltName=DNS:elsewhere.example
extendedKeyUsage=serverAuth"
  sign srv-foreign /CN=localhost other "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
)
for f in notyet revoked good.crl stale.crl laba.crl forged interca serveronly certsignonly srv-expired; do
  [[ -s "$WORK/pki/$f" || -s "$WORK/pki/$f.crt" ]] || { echo "could not make $f"; exit 1; }
done

# Storage inside a box of its own, with sentinels around it, so a listing of the box shows
# every byte anyone wrote.
write_config "[limits]" "max_connections = 24" "max_handshakes_per_address = 8" "handshake_timeout_seconds = 3" \
  "header_timeout_seconds = 2"
BOX="$WORK/box"
STORAGE="$BOX/storage"
mkdir -p "$STORAGE" "$BOX/etc" "$BOX/lab-b"
sed -i "s|^storage = .*|storage = \"$STORAGE\"|" "$WORK/ingest.toml"
sed -i "s|^\[tls\]$|[tls]\ncrl = \"$WORK/pki/good.crl\"|" "$WORK/ingest.toml"
echo sentinel > "$BOX/sentinel"
echo "root:x:0:0" > "$BOX/etc/passwd"
echo sentinel > "$BOX/lab-b/sentinel"
start_server
mkdir -p "$STORAGE/lab-b/PLANTED"
echo "lab-b's own" > "$STORAGE/lab-b/PLANTED/keep.txt"
listing() { (cd "$1" && find . -printf '%y %s %p\n' | LC_ALL=C sort); }
listing "$BOX" | grep -v ' ./storage/' > "$WORK/box.before"
# lab-b owns an upload and a stored file before lab-a starts its attacks.
head -c 1000 /dev/urandom > "$WORK/b.bin"
BU=$(create lab-b 2000 "seqgate-run $(b64 RB),seqgate-path $(b64 b.bin)")
patch lab-b "$BU" 0 "$WORK/b.bin" >/dev/null
BD=$(create lab-b 1000 "seqgate-run $(b64 RB),seqgate-path $(b64 done.bin),seqgate-sha256 $(b64 "$(sha256_of "$WORK/b.bin")")")
patch lab-b "$BD" 0 "$WORK/b.bin" >/dev/null
check "lab-b's file stored" cmp -s "$WORK/b.bin" "$STORAGE/lab-b/RB/done.bin"
listing "$STORAGE/lab-b" > "$WORK/lab-b.before"
cp -a "$STORAGE/.uploads/lab-b" "$WORK/lab-b-uploads.before"

echo "== path corpus ($(grep -vc '^#' "$CORPUS") names as lab-a)"
$HOSTILE corpus "$WORK/pki" "$TUS_PORT" "$STORAGE" "$CORPUS" lab-a > "$WORK/corpus.out" || true
grep -v '^category\|^total' "$WORK/corpus.out" | head -40 || true
check "every corpus name answered as the corpus says ($(tail -1 "$WORK/corpus.out"))" \
  grep -q ' 0 mismatches$' "$WORK/corpus.out"
CREATED=$(sed -n 's/^total .* \([0-9]*\) created.*/\1/p' "$WORK/corpus.out")
check "an upload folder exists for each 201 and no other ($CREATED)" \
  test "$(find "$STORAGE/.uploads/lab-a" -mindepth 1 -maxdepth 1 -type d | wc -l)" = "$CREATED"
while read -r _ cat tried _; do tally "path:$cat" "$tried"; done < <(grep '^category' "$WORK/corpus.out")
check "corpus file is what gen_paths.py generates" \
  cmp -s "$CORPUS" <(/usr/bin/python3 "$SEQGATE_SOURCE_DIR/tests/hostile/gen_paths.py")
# Raw CR/LF never reached a response or the log: every log line is one record.
check "no injected header line in the log" bash -c "! grep -aqE '^(X-Injected|level=error msg=forged|\{\"status\")' '$WORK/server.log'"

echo "== names that collide after normalisation or case folding"
# put SITE RUN PATH CONTENT → receipt status of a creation-with-upload.
put() {
  local f="$WORK/put.bin"
  printf '%s' "$4" > "$f"
  tcurl "$1" -X POST "$ENDPOINT" -H "$H" -H "Upload-Length: ${#4}" -H "$OCT" --data-binary "@$f" \
    -H "Upload-Metadata: seqgate-run $(b64 "$2"),seqgate-path $(b64 "$3"),seqgate-sha256 $(b64 "$(sha256_of "$f")")" \
    -D - -o /dev/null | header_of /dev/stdin Seqgate-Receipt-Status
}
check "Sample.fastq verified" test "$(put lab-a C1 Sample.fastq upper)" = verified
check "sample.fastq (case differs) verified as a distinct file" test "$(put lab-a C1 sample.fastq lower)" = verified
check "... and neither overwrote the other" test "$(cat "$STORAGE/lab-a/C1/Sample.fastq")/$(cat "$STORAGE/lab-a/C1/sample.fastq")" = upper/lower
check "a/b verified" test "$(put lab-a C1 a/b first)" = verified
check "a//b (normalises to a/b) with other content → quarantined" test "$(put lab-a C1 a//b second)" = quarantined
check "./a/./b with the same content → verified duplicate" test "$(put lab-a C1 ./a/./b first)" = verified
check "a/b still holds the first content" test "$(cat "$STORAGE/lab-a/C1/a/b")" = first
check "café (NFC) verified" test "$(put lab-a C1 café nfc)" = verified
check "café in NFD → refused" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 3' -H "Upload-Metadata: seqgate-run $(b64 C1),seqgate-path $(b64 $'cafe\xcc\x81')")" = 400
check "the NFC file untouched" test "$(cat "$STORAGE/lab-a/C1/café")" = nfc
check "file then directory of the same name → quarantined, not an error" test "$(put lab-a C1 Sample.fastq/x dir)" = quarantined
check "d/e verified" test "$(put lab-a C2 d/e de)" = verified
check "then d (a folder already) → quarantined" test "$(put lab-a C2 d dd)" = quarantined
check "... d/e untouched" test "$(cat "$STORAGE/lab-a/C2/d/e")" = de
check "idx verified" test "$(put lab-a C3 idx i)" = verified
check "then idx.json/b (meets idx in the receipt index) → quarantined" test "$(put lab-a C3 idx.json/b ib)" = quarantined
check "idx.json/b verified (other run)" test "$(put lab-a C4 idx.json/b ib)" = verified
check "then idx → quarantined" test "$(put lab-a C4 idx i)" = quarantined
tally collision 17

echo "== header smuggling and oversized heads (default limits: 16 KiB head, 4 KiB metadata)"
# raw TEXT [WHO] — sends TEXT (printf escapes) on one TLS connection, prints the status line.
raw() {
  printf "$1" | timeout 20 openssl s_client -quiet -connect "127.0.0.1:$TUS_PORT" -CAfile "$WORK/pki/ca.crt" \
    -cert "$WORK/pki/${2:-lab-a}.crt" -key "$WORK/pki/${2:-lab-a}.key" 2>/dev/null | head -1 | tr -d '\r'
}
two_md="POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 1\r\nUpload-Metadata: seqgate-run $(b64 R),seqgate-path $(b64 ok)\r\nUpload-Metadata: seqgate-run $(b64 R),seqgate-path $(b64 ../x)\r\nConnection: close\r\n\r\n"
check "two Upload-Metadata headers → 400" bash -c "[[ '$(raw "$two_md")' == *' 400 '* ]]"
two_len="POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 1\r\nUpload-Length: 99\r\nConnection: close\r\n\r\n"
check "two Upload-Length headers → 400" bash -c "[[ '$(raw "$two_len")' == *' 400 '* ]]"
cl_te="POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 5\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"
check "Content-Length with Transfer-Encoding → refused" bash -c "[[ '$(raw "$cl_te")' != *' 201 '* ]]"
fold="POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 1\r\nUpload-Metadata: seqgate-run $(b64 R),\r\n seqgate-path $(b64 ../x)\r\nConnection: close\r\n\r\n"
check "obsolete line folding → refused" bash -c "[[ '$(raw "$fold")' != *' 201 '* ]]"
bare_lf="POST /files/ HTTP/1.1\nHost: x\nTus-Resumable: 1.0.0\nUpload-Length: 1\nUpload-Metadata: seqgate-path $(b64 ../x)\nConnection: close\n\n"
check "bare LF line ends → refused" bash -c "[[ '$(raw "$bare_lf")' != *' 201 '* ]]"
check "100 KB header line → 431" test "$(status_of lab-a -X OPTIONS "$ENDPOINT" -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)")" = 431
hdrs=(); for i in $(seq 1 2000); do hdrs+=(-H "X-H$i: v"); done
check "2000 small headers (over 16 KiB) → 431" test "$(status_of lab-a -X OPTIONS "$ENDPOINT" "${hdrs[@]}")" = 431
check "request line of 20 KB → refused" bash -c "[[ '$(raw "OPTIONS /files/$(head -c 20000 /dev/zero | tr '\0' a) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")' != *' 2'* ]]"
check "Upload-Metadata of 5000 bytes → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 1' -H "Upload-Metadata: filename $(head -c 3700 /dev/zero | base64 -w0)")" = 400
md=$(for i in $(seq 1 600); do printf 'k%d ,' "$i"; done); md=${md%,}
check "600 empty metadata pairs (under 4 KiB) → 201, bounded" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 1' -H "Upload-Metadata: $md")" = 201
check "metadata key with a non-ASCII byte → 400" test "$(status_of lab-a -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 1' -H "Upload-Metadata: $(printf 'fil\xc3\xa9name') YQ==")" = 400
check "server still answers after all that" test "$(status_of lab-a -X OPTIONS "$ENDPOINT")" = 204
tally headers 13

echo "== slow and flooding clients (max_connections 24, 8 handshakes per address, handshake 3 s, head 2 s)"
read -r _ opened _ normal _ closed < <($HOSTILE slowloris "$WORK/pki" "$TUS_PORT" 20 4)
check "20 slowloris connections opened" test "$opened" = 20
check "a normal client is answered while they trickle ($normal)" test "$normal" = 204
check "every slowloris connection cut off by the head deadline ($closed/20)" test "$closed" = 20
coproc FLOOD { $HOSTILE tcpflood "$TUS_PORT" 40; }
read -r _ held <&"${FLOOD[0]}"
check "a normal client from another address is answered while 127.0.0.1 holds 40 silent connections" \
  test "$($HOSTILE probe "$WORK/pki" "$TUS_PORT" lab-a 127.0.0.2)" = 204
SAME=$($HOSTILE probe "$WORK/pki" "$TUS_PORT" lab-a)
echo "   (a client from the flooding address itself: $SAME until its handshakes time out)"
OPEN=$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | sed -n 's/^seqgate_ingest_connections_open //p' || true)
check "/metrics answers during the flood; the limit holds ($OPEN open of 40 attempted)" test "${OPEN:-99}" -le 24
exec {FLOOD[1]}>&-
wait "$FLOOD_PID" 2>/dev/null || true
check "the flood's handshakes beyond 8 refused at once" logged 'tls.refused.*too many handshakes from this address'
check "the flood held $held connections and the server survived" test "$(status_of lab-a -X OPTIONS "$ENDPOINT")" = 204
tally slow 4

echo "== another site's upload URLs, guessed ids, traversal in the URL"
head -c 10 /dev/urandom > "$WORK/ten.bin"
head -c 5 "$WORK/ten.bin" > "$WORK/five.bin"
AU=$(create lab-a 10 "filename $(b64 a.bin)")
patch lab-a "$AU" 0 "$WORK/five.bin" >/dev/null
AD=$(create lab-a 10 "seqgate-run $(b64 RA),seqgate-path $(b64 done.bin),seqgate-sha256 $(b64 "$(sha256_of "$WORK/ten.bin")")")
patch lab-a "$AD" 0 "$WORK/ten.bin" >/dev/null
GUESS=/files/$(head -c 16 /dev/urandom | xxd -p)
# answer WHO METHOD TARGET [curl args] → "status|body|upload headers" exactly as sent.
answer() {
  local who=$1 m=$2 t=$3
  shift 3
  local args=(-X "$m"); [[ $m == HEAD ]] && args=(-I)
  tcurl "$who" "${args[@]}" --path-as-is "$BASE$t" -H "$H" -D "$WORK/ans.h" -o "$WORK/ans.body" "$@" 2>/dev/null || true
  [[ $m == HEAD ]] && : > "$WORK/ans.body"  # curl -I writes the head there too
  printf '%s|%s|%s' "$(head -1 "$WORK/ans.h" | tr -d '\r')" "$(cat "$WORK/ans.body" 2>/dev/null)" \
    "$(grep -ic '^Upload-\|^Seqgate-' "$WORK/ans.h")"
}
for m in HEAD GET DELETE PATCH; do
  extra=(); [[ $m == PATCH ]] && extra=(-H "Upload-Offset: 5" -H "$OCT" --data-binary @"$WORK/five.bin")
  unknown=$(answer lab-b "$m" "$GUESS" "${extra[@]}")
  check "lab-b $m on lab-a's incomplete upload = unknown id ($unknown)" test "$(answer lab-b "$m" "$AU" "${extra[@]}")" = "$unknown"
  check "lab-b $m on lab-a's completed upload = unknown id" test "$(answer lab-b "$m" "$AD" "${extra[@]}")" = "$unknown"
  [[ $unknown == *" 404 "* ]] || fail "unknown id answers 404 ($unknown)"
done
for o in DELETE PATCH; do
  check "lab-b POST + X-HTTP-Method-Override $o on lab-a's upload → 404" \
    bash -c "[[ '$(answer lab-b POST "$AU" -H "X-HTTP-Method-Override: $o" -H 'Upload-Offset: 5' -H "$OCT" --data-binary @"$WORK/five.bin")' == *' 404 '* ]]"
done
ID=${AU#/files/}
UPPER=$(tr a-f A-F <<<"$ID")
targets=("/files/../files/$ID" "/files/./$ID" "/files//$ID" "/files/$ID/" "/files/$ID/data"
  "/files/$ID/../$ID" "/files/$ID%00" "/files/$ID?x=1" "/files/$UPPER" "/files/${ID:0:31}"
  "/files/${ID}0" "/files/%2e%2e/.uploads/lab-a/$ID" "/files/..%2f.uploads%2flab-a%2f$ID"
  "/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd" "/files/..%5c..%5cetc" "/files/../../etc/passwd"
  "/.uploads/lab-a/$ID/data" "/lab-a/RA/done.bin" "/files/%2E%2E/lab-a" "/FILES/$ID" "/files/$ID;x"
  "//files/$ID" "/files/%c0%ae%c0%ae/$ID" "/files/%$(printf '%02x' "'${ID:0:1}")${ID:1}")
n=0
for t in "${targets[@]}"; do
  for who in lab-b lab-a; do
    # The query string is not part of the upload URL: the owner may use it.
    [[ $who == lab-a && $t == *"?"* ]] && continue
    a=$(answer "$who" HEAD "$t")
    n=$((n + 1))
    [[ ( $a == *" 404 "* || $a == *" 400 "* ) && $a == *'|0' ]] || fail "$who HEAD $t → $a"
  done
  a=$(answer lab-b PATCH "$t" -H "Upload-Offset: 5" -H "$OCT" --data-binary @"$WORK/five.bin")
  n=$((n + 1))
  [[ $a == *" 404 "* || $a == *" 400 "* ]] || fail "lab-b PATCH $t → $a"
done
pass "$n requests to ${#targets[@]} guessed/traversing targets: 404/400 without upload headers"
abs=$(answer lab-b HEAD "$AU" --request-target "https://127.0.0.1:$TUS_PORT$AU")
check "absolute-form target from lab-b → 404 ($abs)" bash -c "[[ '$abs' == *' 404 '* ]]"
check "lab-a's incomplete upload untouched (offset 5)" test "$(tcurl lab-a -I "$BASE$AU" -H "$H" -D - -o /dev/null | header_of /dev/stdin Upload-Offset)" = 5
check "lab-a's data untouched" cmp -s "$WORK/five.bin" "$STORAGE/.uploads/lab-a/$ID/data"
check "lab-a's stored file untouched" cmp -s "$WORK/ten.bin" "$STORAGE/lab-a/RA/done.bin"
tally cross-site $((n + 12))

echo "== client certificates (CRL configured)"
nocert=$(curl -sS --cacert "$WORK/pki/ca.crt" -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 1' -o /dev/null -w '%{http_code}' 2>/dev/null || true)
check "no certificate: no HTTP answer (TLS 1.3)" test "$nocert" = 000
nocert12=$(curl -sS --tls-max 1.2 --cacert "$WORK/pki/ca.crt" -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 1' -o /dev/null -w '%{http_code}' 2>/dev/null || true)
check "no certificate: no HTTP answer (TLS 1.2)" test "$nocert12" = 000
# refused WHO LOGTEXT — the handshake fails (or 403 when LOGTEXT is "403"), nothing created.
refused() {
  local code
  code=$(status_of "$1" -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 1' -H "Upload-Metadata: seqgate-run $(b64 X),seqgate-path $(b64 x)")
  case $2 in
    403) test "$code" = 403 ;;
    any) [[ $code == 000 || $code == 403 ]] ;;
    *) test "$code" = 000 && logged "tls.refused.*$2" ;;
  esac
}
check "not-yet-valid certificate refused" refused notyet "certificate is not yet valid"
check "revoked certificate refused (CRL)" refused revoked "certificate revoked"
check "expired certificate refused" refused expired "certificate has expired"
check "lab-a certificate from another CA refused" refused foreign "unable to get local issuer"
check "lab-a certificate from a CA with our CA's name but another key refused" refused forged "unable to get local issuer"
check "serverAuth-only certificate refused" refused serveronly "unsuitable certificate purpose"
check "keyCertSign-only key usage refused" refused certsignonly "unsuitable certificate purpose"
check "our CA's own certificate as a client certificate refused" refused caself any
check "CA:TRUE certificate with clientAuth (CN lab-c) → 403" refused interca 403
check "CN '.uploads' → 403" refused dotname 403
check "CN 'lab-a/../lab-b' → 403" refused slashname 403
check "two CNs → 403" refused twocn 403
check "no CN → 403" refused nocn 403
check "403 says why" bash -c "tcurl() { curl -sS --cacert '$WORK/pki/ca.crt' --cert '$WORK/pki/interca.crt' --key '$WORK/pki/interca.key' \"\$@\"; }; tcurl -X OPTIONS '$ENDPOINT' | grep -q 'CA certificate'"
check "the valid lab-a certificate still works" test "$(status_of lab-a -X OPTIONS "$ENDPOINT")" = 204
tally certificate 15

echo "== TLS versions and ciphers (client at SECLEVEL=0, so the server is the one refusing)"
# tls ARGS... → the negotiated cipher, or "refused".
tls() {
  local out
  out=$(timeout 20 openssl s_client -connect "127.0.0.1:$TUS_PORT" -CAfile "$WORK/pki/ca.crt" \
        -cert "$WORK/pki/lab-a.crt" -key "$WORK/pki/lab-a.key" "$@" </dev/null 2>&1) || true
  if grep -q 'no cipher match\|no ciphers available\|SSL_CONF_cmd' <<<"$out"; then echo unavailable; return; fi
  local c; c=$(sed -n 's/.*Cipher is \(.*\)$/\1/p' <<<"$out" | head -1)
  [[ -z $c || $c == "(NONE)" ]] && echo refused || echo "$c"
}
check "TLS 1.0 refused" test "$(tls -tls1 -cipher 'DEFAULT:@SECLEVEL=0')" = refused
check "TLS 1.1 refused" test "$(tls -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')" = refused
tally tls-version 2
unavailable=()
for c in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA384 \
         ECDHE-ECDSA-NULL-SHA AECDH-AES128-SHA ADH-AES128-GCM-SHA256 ADH-AES256-SHA AES128-GCM-SHA256 \
         AES128-SHA ECDHE-ECDSA-AES128-CCM8 ECDHE-ECDSA-AES128-CCM ECDHE-ECDSA-ARIA128-GCM-SHA256 \
         ECDHE-ECDSA-CAMELLIA128-SHA256 DHE-RSA-AES128-GCM-SHA256 RC4-SHA ECDHE-ECDSA-RC4-SHA \
         DES-CBC3-SHA ECDHE-ECDSA-DES-CBC3-SHA EXP-RC4-MD5 EXP-DES-CBC-SHA NULL-MD5; do
  r=$(tls -tls1_2 -cipher "$c:@SECLEVEL=0")
  if [[ $r == unavailable ]]; then unavailable+=("$c"); continue; fi
  check "TLS 1.2 $c refused" test "$r" = refused
  tally tls-cipher
done
echo "   (not offerable by this OpenSSL, so not tried: ${unavailable[*]})"
for c in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
  check "TLS 1.2 $c accepted" test "$(tls -tls1_2 -cipher "$c")" = "$c"
  tally tls-cipher
done
for c in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
  check "TLS 1.3 $c accepted" test "$(tls -tls1_3 -ciphersuites "$c")" = "$c"
  tally tls-cipher
done

echo "== nothing outside the acting site's space"
listing "$BOX" | grep -v ' ./storage/' > "$WORK/box.after"
check "the folder around the storage root is unchanged (sentinels intact)" cmp -s "$WORK/box.before" "$WORK/box.after"
listing "$STORAGE/lab-b" > "$WORK/lab-b.after"
check "lab-b's stored tree unchanged by lab-a and the refused clients" cmp -s "$WORK/lab-b.before" "$WORK/lab-b.after"
check "lab-b's upload folders unchanged" diff -r "$WORK/lab-b-uploads.before" "$STORAGE/.uploads/lab-b"
(cd "$STORAGE" && find . -mindepth 1 | LC_ALL=C sort) > "$WORK/storage.all"
grep -vE '^\./(lab-a|lab-b|\.(uploads|unverified|receipts|quarantine)(/lab-a|/lab-b)?)(/|$)' "$WORK/storage.all" > "$WORK/storage.stray" || true
check "every path in the storage root lies in lab-a's or lab-b's space ($(wc -l < "$WORK/storage.all") paths)" test ! -s "$WORK/storage.stray"
head -5 "$WORK/storage.stray"
check "no symlink, fifo or device anywhere in storage" test -z "$(find "$STORAGE" ! -type f ! -type d | head -1)"
stop_server

echo "== CRL policy: stale CRL, CRL of another CA, missing CRL"
sed -i "s|^crl = .*|crl = \"$WORK/pki/stale.crl\"|" "$WORK/ingest.toml"
start_server
check "stale CRL (nextUpdate passed): every client refused, fail closed" test "$(status_of lab-a -X OPTIONS "$ENDPOINT")" = 000
check "log says the CRL expired" logged 'tls.refused.*CRL has expired'
stop_server
sed -i "s|^crl = .*|crl = \"$WORK/pki/twin.crl\"|" "$WORK/ingest.toml"
start_server
check "CRL with our CA's name but another key: every client refused" test "$(status_of lab-a -X OPTIONS "$ENDPOINT")" = 000
stop_server
sed -i "s|^crl = .*|crl = \"$WORK/pki/absent.crl\"|" "$WORK/ingest.toml"
check "configured CRL missing: server does not start" bash -c "! timeout 20 '$INGEST' --config '$WORK/ingest.toml' > '$WORK/nocrl.log' 2>&1"
check "... and names the file" grep -q "absent.crl" "$WORK/nocrl.log"
tally crl 3

echo "== CRL reload (SIGHUP): a lab revoked while the centre runs"
wait_until_more() {  # wait_until_more FUNCTION N — FUNCTION's output exceeds N within 10 s
  local _
  for _ in $(seq 1 100); do (( $($1) > $2 )) && return 0; sleep 0.1; done
  return 1
}
cp "$WORK/pki/good.crl" "$WORK/pki/live.crl"
sed -i "s|^crl = .*|crl = \"$WORK/pki/live.crl\"|" "$WORK/ingest.toml"
start_server
check "lab-a served before its revocation" test "$(status_of lab-a -X OPTIONS "$ENDPOINT")" = 204
# lab-b's upload is on the wire (throttled) while the CRL changes: it must not be cut.
head -c 1048576 /dev/urandom > "$WORK/slow.bin"
SLOW=$(tcurl lab-b -X POST "$ENDPOINT" -H "$H" -H 'Upload-Length: 1048576' -D - -o /dev/null | header_of /dev/stdin Location)
tcurl lab-b --limit-rate 256K -X PATCH "$BASE$SLOW" -H "$H" -H 'Upload-Offset: 0' \
  -H 'Content-Type: application/offset+octet-stream' -H 'Expect:' --data-binary @"$WORK/slow.bin" \
  -o /dev/null -w '%{http_code}' > "$WORK/slow.code" &
SLOW_PID=$!
sleep 1
cp "$WORK/pki/laba.crl" "$WORK/pki/live.crl"
revocations() { grep -c "tls.refused.*certificate revoked" "$WORK/server.log" || true; }
before=$(revocations)
kill -HUP "$SERVER_PID"
check "the reload is logged" logged "ingest.tls_reloaded"
check "lab-a refused from its next connection" test "$(status_of lab-a -X OPTIONS "$ENDPOINT")" = 000
check "... as revoked" wait_until_more revocations "$before"
check "lab-b still served" test "$(status_of lab-b -X OPTIONS "$ENDPOINT")" = 204
wait "$SLOW_PID" || true
check "lab-b's upload in flight across the reload completed (204)" test "$(cat "$WORK/slow.code")" = 204
check "... with every byte" cmp -s "$WORK/slow.bin" "$STORAGE/.unverified/lab-b/${SLOW#/files/}/data"
echo "not a CRL" > "$WORK/pki/live.crl"
kill -HUP "$SERVER_PID"
check "a CRL that does not load is logged, naming it" logged "ingest.tls_reload_failed.*live.crl"
check "the set loaded before stays: lab-a still refused" test "$(status_of lab-a -X OPTIONS "$ENDPOINT")" = 000
check "... lab-b still served" test "$(status_of lab-b -X OPTIONS "$ENDPOINT")" = 204
check "the server is still running" kill -0 "$SERVER_PID"
stop_server
tally crl 3

echo "== seqgatectl against servers it must not trust"
echo "@r\nACGT\n+\nIIII" > "$WORK/up.fastq"
# against NAME MODE CERT — runs a peer with CERT, uploads to it; prints seqgatectl's output.
against() {
  rm -f "$WORK/peer.port" "$WORK/peer-$1.log"
  $HOSTILE peer "$2" "$WORK/pki/$3.crt" "$WORK/pki/$3.key" "$WORK/peer.port" "$WORK/peer-$1.log" &
  local pid=$!
  for _ in $(seq 1 100); do [[ -s "$WORK/peer.port" ]] && break; sleep 0.05; done
  local rc=0
  timeout 60 "$SEQGATE_BIN_DIR/seqgatectl" upload "$WORK/up.fastq" --endpoint "https://localhost:$(cat "$WORK/peer.port")/files/" \
    --client-cert "$WORK/pki/lab-a.crt" --client-key "$WORK/pki/lab-a.key" --ca "$WORK/pki/ca.crt" \
    --run R --path up.fastq --state "$WORK/$1.state" --connect-timeout 5 --max-attempts 1 > "$WORK/ctl-$1.out" 2>&1 || rc=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  echo "rc=$rc $(tr '\n' ' ' < "$WORK/ctl-$1.out" | head -c 300)"
}
for spec in "expired:any:srv-expired:expired" "wrongname:any:srv-wrongname:match\|name" \
            "foreign:any:srv-foreign:issuer\|verify" "tls11:tls11:server:version\|protocol\|TLS"; do
  IFS=: read -r name mode cert needle <<<"$spec"
  out=$(against "$name" "$mode" "$cert")
  check "seqgatectl refuses a server with $name ($out)" bash -c "[[ '${out%% *}' != rc=0 ]] && grep -qi '$needle' '$WORK/ctl-$name.out'"
  check "... after reaching it, and sent it nothing" \
    bash -c "grep -q '^FAILED\|^HANDSHAKE' '$WORK/peer-$name.log' && ! grep -q '^DATA [1-9]' '$WORK/peer-$name.log'"
  tally client-side
done

echo "== counts"
total=0
for k in $(printf '%s\n' "${!COUNT[@]}" | sort); do
  printf '   %-22s %4d\n' "$k" "${COUNT[$k]}"
  total=$((total + COUNT[$k]))
  report "cases_$k" "${COUNT[$k]}" >/dev/null
done
printf '   %-22s %4d\n' total "$total"
report cases_total "$total" "every case answered as expected, nothing written outside the site's space"
finish
