#!/usr/bin/env bash
# Our SigV4 signer against botocore's (Debian python3-botocore, botocore.auth.S3SigV4Auth) for the
# same requests at the same fixed time: several methods, multipart query strings, query values and
# keys with spaces, unicode and reserved characters, extra signed headers, a session token.
source "$SEQGATE_SOURCE_DIR/tests/integration/lib.sh"

printf 'AKIDEXAMPLE\n' > "$WORK/ak"
printf 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n' > "$WORK/sk"
/usr/bin/python3 -c 'import base64,json
b=lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
print(b({"alg":"ES256"})+"."+b({"sub":"user_example.org","exp":1900000000})+".c2ln")' > "$WORK/token"
chmod 600 "$WORK/ak" "$WORK/sk" "$WORK/token"

# botocore_all CASES_FILE — one line per case (JSON list: method host path query headers body time
# token_file); prints botocore's Authorization per case. botocore hashes the body itself.
botocore_all() {
  /usr/bin/python3 - "$1" <<'PY'
import datetime, json, sys, urllib.parse
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
for line in open(sys.argv[1]):
    method, host, path, query, headers, body, t, tokfile = json.loads(line)
    token = open(tokfile).read().strip() if tokfile else None
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    # botocore's own serializer encodes keys with safe '/~' (botocore.utils.percent_encode).
    url = "https://" + host + urllib.parse.quote(path, safe="/~")
    req = AWSRequest(method=method, url=url, params=dict(json.loads(query)),
                     headers=json.loads(headers), data=body.encode())
    auth = S3SigV4Auth(creds, "s3", "us-east-1")
    req.context["timestamp"] = datetime.datetime.utcfromtimestamp(int(t)).strftime("%Y%m%dT%H%M%SZ")
    req.headers["Host"] = host
    auth._modify_request_before_signing(req)  # sets X-Amz-Content-SHA256 = sha256(body)
    cr = auth.canonical_request(req)
    sig = auth.signature(auth.string_to_sign(req, cr), req)
    auth._inject_signature_to_request(req, sig)
    print(req.headers["Authorization"])
PY
}

ours() {  # same arguments
  local method=$1 host=$2 path=$3 query=$4 headers=$5 body=$6 t=$7 tok=$8 sha
  sha=$(printf '%s' "$body" | sha256sum | cut -d' ' -f1)
  local args=(s3 sign --method "$method" --host "$host" --path "$path" --payload-sha256 "$sha" --time "$t"
    --access-key-file "$WORK/ak" --secret-key-file "$WORK/sk")
  [[ -n "$tok" ]] && args+=(--token-file "$tok" --token-mode security-token)
  while IFS= read -r q; do [[ -n "$q" ]] && args+=(--query "$q"); done < <(/usr/bin/python3 -c 'import json,sys; [print(k+"="+v) for k,v in json.loads(sys.argv[1])]' "$query")
  while IFS= read -r h; do [[ -n "$h" ]] && args+=(--header "$h"); done < <(/usr/bin/python3 -c 'import json,sys; [print(k+":"+v) for k,v in json.loads(sys.argv[1]).items()]' "$headers")
  "$SEQGATECTL" "${args[@]}" | head -n 1
}

E=""  # empty body
P="part bytes"
T=1700000000
# compare WHAT ARGS... — records a case; run_cases signs them all and compares.
CASES="$WORK/cases.jsonl"
: > "$CASES"
WHATS=()
compare() {
  WHATS+=("$1")
  shift
  /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@" >> "$CASES"
}
compare "CreateMultipartUpload (?uploads)" POST "localhost:9443" "/user/run 1/reads.fastq" '[["uploads",""]]' '{}' "$E" $T ""
compare "CreateMultipartUpload, unicode key" POST "localhost:9443" "/user/ünïcødé/файл é.txt" '[["uploads",""]]' '{}' "$E" $T ""
compare "UploadPart with Content-MD5" PUT "localhost:9443" "/user/run1/r.bin" '[["partNumber","7"],["uploadId","2~abc/DEF+=="]]' '{"Content-MD5":"1B2M2Y8AsgTpgAmY7PhCfg=="}' "$P" $T ""
compare "ListParts paging" GET "inbox.example.org" "/user/a.c4gh" '[["uploadId","xyz"],["part-number-marker","1000"],["max-parts","2"]]' '{}' "$E" $T ""
compare "CompleteMultipartUpload with content-type" POST "inbox.example.org" "/user/a.c4gh" '[["uploadId","xyz"]]' '{"Content-Type":"application/xml"}' "$P" $((T + 86399)) ""
compare "AbortMultipartUpload" DELETE "inbox.example.org:443" "/user/a.c4gh" '[["uploadId","xyz"]]' '{}' "$E" $T ""
compare "HeadObject, unicode key" HEAD "localhost:9443" "/user/ünïcødé/файл é.txt" '[]' '{}' "$E" $T ""
compare "key with spaces, tildes and dashes" GET "localhost:9443" "/user/a b/c~d-e_f.g" '[]' '{}' "$E" $T ""
compare "query with special characters" GET "localhost:9443" "/user/" '[["prefix","a b/ü&x=y"],["list-type","2"],["delimiter","/"]]' '{}' "$E" $T ""
compare "session token (x-amz-security-token)" PUT "localhost:9443" "/user_example.org/run/x.c4gh" '[["partNumber","1"],["uploadId","u"]]' '{"Content-MD5":"XrY7u+Ae7tCTyyK7j1rNww=="}' "$P" $T "$WORK/token"
compare "token + CreateMultipartUpload" POST "localhost:9443" "/user_example.org/run/x.c4gh" '[["uploads",""]]' '{}' "$E" $((T + 12345)) "$WORK/token"
botocore_all "$CASES" > "$WORK/botocore.out" || fail "botocore failed"
i=0
while IFS= read -r line; do
  mapfile -t args < <(/usr/bin/python3 -c 'import json,sys; [print(a) for a in json.loads(sys.argv[1])]' "$line")
  a=$(ours "${args[@]}") || fail "${WHATS[$i]}: seqgatectl s3 sign failed"
  b=$(sed -n "$((i + 1))p" "$WORK/botocore.out")
  [[ -n "$a" && "$a" == "$b" ]] || fail "${WHATS[$i]}: signatures differ
  ours:     $a
  botocore: $b"
  pass "${WHATS[$i]}"
  i=$((i + 1))
done < "$CASES"
[[ $i -eq ${#WHATS[@]} && $i -ge 10 ]] || fail "only $i cases compared"
echo "$i requests signed identically by seqgatectl and botocore"
