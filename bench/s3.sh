#!/usr/bin/env bash
# S3 multipart upload throughput of `seqgatectl s3 upload` against boto3's `upload_file` (Debian
# python3-boto3, the AWS transfer manager) with the same part size and concurrency, both to the
# strict fake S3 (tests/peers/fake_s3.py) over loopback TLS, in the same invocation, best of
# ROUNDS each. seqgate sends Content-MD5 and a signed SHA-256 of every part (it hashes each part
# before sending it); boto3 over https sends Content-MD5 and UNSIGNED-PAYLOAD. The fake verifies
# both (MD5 and, for seqgate, SHA-256 of every part), so it is often the bottleneck: the figure
# compares clients on equal terms, not the ceiling of either.
#
# usage: bench/s3.sh [BUILD_DIR] [SIZE_MIB] [ROUNDS]   PART_MIB (16) and PARALLEL (4) override.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export SEQGATE_BIN_DIR=$(cd "${1:-$ROOT/build/dev}" && pwd)/bin SEQGATE_SOURCE_DIR=$ROOT
SIZE_MIB=${2:-512}
ROUNDS=${3:-3}
PART_MIB=${PART_MIB:-16}
PARALLEL=${PARALLEL:-4}
source "$ROOT/tests/integration/s3_lib.sh"

s3_setup
start_fake
DATA="$WORK/data.bin"
head -c $((SIZE_MIB * MIB)) /dev/urandom > "$DATA"
SIZE=$(stat -c %s "$DATA")
echo "data: $SIZE bytes, parts of $PART_MIB MiB, $PARALLEL in parallel, fake S3 on loopback TLS"

now() { date +%s.%N; }
mbps() { /usr/bin/python3 -c "print(round($1 / 1e6 / ($3 - $2), 1))"; }

seqgate_once() {
  rm -f "$WORK/bench.state"
  "$SEQGATECTL" s3 upload "$DATA" --endpoint "$FAKE_ENDPOINT" --bucket "$BUCKET" --key "bench/seqgate.bin" \
    --ca "$WORK/pki/ca.crt" --access-key-file "$WORK/s3.access" --secret-key-file "$WORK/s3.secret" \
    --part-size "${PART_MIB}MiB" --parallel "$PARALLEL" --state "$WORK/bench.state" -q > /dev/null
}
boto3_once() {
  /usr/bin/python3 - "$FAKE_ENDPOINT" "$WORK/pki/ca.crt" "$S3_ACCESS" "$WORK/s3.secret" "$DATA" "$BUCKET" \
    "$PART_MIB" "$PARALLEL" <<'PY'
import sys, boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
ep, ca, ak, skf, data, bucket, part, par = sys.argv[1:9]
s3 = boto3.client("s3", endpoint_url=ep, aws_access_key_id=ak, aws_secret_access_key=open(skf).read().strip(),
                  region_name="us-east-1", verify=ca, config=Config(s3={"addressing_style": "path"}))
mib = 1024 * 1024
s3.upload_file(data, bucket, "bench/boto3.bin", Config=TransferConfig(
    multipart_threshold=int(part) * mib, multipart_chunksize=int(part) * mib, max_concurrency=int(par)))
PY
}

best_seqgate=0
best_boto3=0
for r in $(seq 1 "$ROUNDS"); do
  t0=$(now); seqgate_once; t1=$(now)
  s=$(mbps "$SIZE" "$t0" "$t1")
  cmp -s "$WORK/fake/objects/$BUCKET/bench/seqgate.bin" "$DATA" || { echo "seqgate object differs" >&2; exit 1; }
  t0=$(now); boto3_once; t1=$(now)
  b=$(mbps "$SIZE" "$t0" "$t1")
  cmp -s "$WORK/fake/objects/$BUCKET/bench/boto3.bin" "$DATA" || { echo "boto3 object differs" >&2; exit 1; }
  echo "round $r: seqgatectl s3 upload $s MB/s, boto3 upload_file $b MB/s"
  best_seqgate=$(/usr/bin/python3 -c "print(max($best_seqgate, $s))")
  best_boto3=$(/usr/bin/python3 -c "print(max($best_boto3, $b))")
done
ratio=$(/usr/bin/python3 -c "print(round($best_seqgate / $best_boto3, 2))")
echo "best: seqgatectl $best_seqgate MB/s, boto3 $best_boto3 MB/s, ratio $ratio (target ≥ 0.9)"
