#!/usr/bin/env bash
# The fake S3 checked by real clients, so the other s3_* tests rest on a server that behaves like
# S3: boto3 (Debian python3-boto3) does a multipart upload through it (paged ListParts, ETag
# md5-of-MD5s-N, byte-identical GetObject), and its refusals are real — a wrong secret gets
# SignatureDoesNotMatch, a wrong key InvalidAccessKeyId, a damaged Content-MD5 BadDigest, a part
# under 5 MiB EntityTooSmall, an unknown upload NoSuchUpload, unsigned curl AccessDenied.
source "$SEQGATE_SOURCE_DIR/tests/integration/s3_lib.sh"

s3_setup
start_fake --list-page 2
DATA="$WORK/data.bin"
head -c $((17 * MIB + 99)) /dev/urandom > "$DATA"

/usr/bin/python3 - "$FAKE_ENDPOINT" "$WORK/pki/ca.crt" "$S3_ACCESS" "$WORK/s3.secret" "$DATA" "$BUCKET" > "$WORK/boto3.log" 2>&1 <<'PY' || { cat "$WORK/boto3.log"; fail "boto3 cross-check"; }
import base64, hashlib, sys
import boto3, botocore
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
endpoint, ca, ak, skfile, data, bucket = sys.argv[1:7]
sk = open(skfile).read().strip()

def client(access=ak, secret=sk):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access,
                        aws_secret_access_key=secret, region_name="us-east-1", verify=ca,
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))

def expect_error(code, fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, "expected %s, got %s" % (code, got)
        print("ok   - refused with", code)
        return
    raise AssertionError("expected %s, request succeeded" % code)

s3 = client()
MiB = 1024 * 1024
s3.upload_file(data, bucket, "boto/data.bin",
               Config=TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=3))
raw = open(data, "rb").read()
parts = [raw[i:i + 5 * MiB] for i in range(0, len(raw), 5 * MiB)]
want = '"%s-%d"' % (hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest(), len(parts))
head = s3.head_object(Bucket=bucket, Key="boto/data.bin")
assert head["ETag"] == want, (head["ETag"], want)
assert head["ContentLength"] == len(raw)
assert s3.get_object(Bucket=bucket, Key="boto/data.bin")["Body"].read() == raw
print("ok   - boto3 multipart upload_file: ETag", want, "and GetObject bytes match")

# Paged ListParts with a real client.
up = s3.create_multipart_upload(Bucket=bucket, Key="boto/paged.bin")["UploadId"]
for n in range(1, 6):
    s3.upload_part(Bucket=bucket, Key="boto/paged.bin", UploadId=up, PartNumber=n, Body=parts[0])
seen, marker = [], 0
while True:
    page = s3.list_parts(Bucket=bucket, Key="boto/paged.bin", UploadId=up, PartNumberMarker=marker)
    seen += [p["PartNumber"] for p in page["Parts"]]
    if not page["IsTruncated"]:
        break
    marker = page["NextPartNumberMarker"]
assert seen == [1, 2, 3, 4, 5], seen
print("ok   - ListParts pages of 2 walk parts 1..5")
tiny = {}
for n, body in ((6, b"tiny"), (7, b"tail")):
    tiny[n] = s3.upload_part(Bucket=bucket, Key="boto/paged.bin", UploadId=up, PartNumber=n, Body=body)["ETag"]
expect_error("EntityTooSmall", lambda: s3.complete_multipart_upload(
    Bucket=bucket, Key="boto/paged.bin", UploadId=up,
    MultipartUpload={"Parts": [{"PartNumber": n, "ETag": tiny[n]} for n in (6, 7)]}))
s3.abort_multipart_upload(Bucket=bucket, Key="boto/paged.bin", UploadId=up)
expect_error("NoSuchUpload", lambda: s3.list_parts(Bucket=bucket, Key="boto/paged.bin", UploadId=up))
expect_error("BadDigest", lambda: s3.put_object(Bucket=bucket, Key="boto/x", Body=b"hello",
                                                ContentMD5=base64.b64encode(hashlib.md5(b"other").digest()).decode()))
expect_error("SignatureDoesNotMatch", lambda: client(secret=sk + "x").put_object(Bucket=bucket, Key="boto/y", Body=b"x"))
expect_error("InvalidAccessKeyId", lambda: client(access="AKIDWRONG").put_object(Bucket=bucket, Key="boto/y", Body=b"x"))
PY
cat "$WORK/boto3.log"
pass "boto3 multipart upload, paging and refusals against the fake"

# An unsigned request is refused.
code=$(curl -s -o "$WORK/unsigned.xml" -w '%{http_code}' --cacert "$WORK/pki/ca.crt" -X PUT --data-binary @/dev/null \
  "$FAKE_ENDPOINT/$BUCKET/unsigned")
check "unsigned curl PUT refused with 403 (got $code)" test "$code" = 403
check "unsigned curl PUT: AccessDenied" grep -q "<Code>AccessDenied</Code>" "$WORK/unsigned.xml"
check "nothing stored for refused requests" test ! -e "$WORK/fake/objects/$BUCKET/unsigned" -a ! -e "$WORK/fake/objects/$BUCKET/boto/y"

finish
