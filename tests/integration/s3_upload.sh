#!/usr/bin/env bash
# seqgatectl s3 upload against the strict fake S3 (tests/peers/fake_s3.py) over loopback TLS:
# a clean multipart upload checked with cmp, md5sum and an ETag computed by python; a second run
# delivers nothing twice; ListParts paging; forbidden inbox names refused before any request;
# SIGKILL mid-upload resumed with only the missing parts re-sent (the fake's byte counts);
# 503 SlowDown and a damaged part (BadDigest) retried; CompleteMultipartUpload's 200-with-Error
# retried when transient and reported when permanent; a changed source aborts the old upload;
# bearer tokens; a wrong secret fails permanently with the server's reason.
source "$SEQGATE_SOURCE_DIR/tests/integration/s3_lib.sh"

s3_setup
DATA="$WORK/data.bin"
head -c $((23 * MIB + 12345)) /dev/urandom > "$DATA"  # 5 parts of 5 MiB: the last one short
SIZE=$(stat -c %s "$DATA")
PART=$((5 * MIB))
ETAG=$(expected_etag "$DATA" $PART)

# --- clean upload, paged ListParts, nothing delivered twice ---------------------------------
start_fake --list-page 2
if s3_upload clean "$DATA" "run1/data.bin"; then
  check "clean: object byte-identical (cmp, md5sum)" object_matches "run1/data.bin" "$DATA"
  check "clean: ETag is md5 of part MD5s -N (python: $ETAG)" test "$(out_field clean etag)" = "$ETAG"
  check "clean: 5 parts sent" test "$(out_field clean parts_sent)" = 5
  check "clean: every part sent exactly once" test "$(fake_stat 'sorted(s["part_puts"].values())')" = "[1, 1, 1, 1, 1]"
  s3_upload clean "$DATA" "run1/data.bin" || fail "clean rerun failed"
  check "clean: a second run delivers nothing twice" test "$(out_field clean already_complete)" = True
  check "clean: ...and sends no request" test "$(fake_stat 's["requests"].get("create",0)')" = 1
else
  fail "clean upload failed: $(tail -n 5 "$WORK/clean.log")"
fi

# --- forbidden inbox names: refused before any request ---------------------------------------
start_fake
before=$(fake_stat 'sum(s["requests"].values())')
for bad in 'a:b.bin' 'dir/x?y' 'semi;colon' 'per%cent' 'hash#' 'sq[1]' "quo'te" 'back\slash' 'dir//x'; do
  expect_fail_s3() {
    local out rc=0
    out=$(s3_upload_cmd "$DATA" "$bad" --state "$WORK/bad.state" 2>&1) || rc=$?
    [[ $rc -ne 0 && $out == *"object key"* ]]
  }
  check "forbidden name '$bad' refused with a clear error" expect_fail_s3
done
check "forbidden names: the fake saw no request" test "$(fake_stat 'sum(s["requests"].values())')" = "$before"
check "forbidden names: nothing was created" test "$(fake_stat 's["uploads_created"]')" = 0

# --- SIGKILL mid-upload, resume re-sends only the missing parts ----------------------------
set_knobs '{"part_delay": 0.4}'
BACKGROUND=1 PARALLEL=2 s3_upload kill "$DATA" "run1/killed.bin"
wait_for "two parts acknowledged before the kill" 60 parts_at_least kill 2
kill -KILL "$UPLOAD_PID"
wait "$UPLOAD_PID" 2>/dev/null || true
acked=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(str(p["number"]) for p in json.load(open(sys.argv[1]))["parts"]))' "$WORK/kill.state" 2>/dev/null || echo "")
echo "acknowledged before SIGKILL: parts $acked"
set_knobs '{}'
if s3_upload kill "$DATA" "run1/killed.bin"; then
  check "kill: object byte-identical after resume" object_matches "run1/killed.bin" "$DATA"
  check "kill: ETag checked" test "$(out_field kill etag)" = "$ETAG"
  kept=$(out_field kill parts_kept)
  sent=$(out_field kill parts_sent)
  check "kill: resume kept the acknowledged parts ($kept kept, $sent sent)" test "$kept" -ge 2 -a $((kept + sent)) -eq 5
  for n in $acked; do
    len=$(( n == 5 ? SIZE - 4 * PART : PART ))
    check "kill: acknowledged part $n was never re-sent (fake got $len bytes once)" \
      test "$(fake_stat "[v for k,v in s['part_bytes'].items() if k.endswith(':$n')]")" = "[$len]"
  done
  check "kill: resume sent the missing parts only (+ the Complete XML)" test "$(out_field kill bytes_sent)" -le $((SIZE - 2 * PART + 65536))
else
  fail "kill: resumed upload failed: $(tail -n 5 "$WORK/kill.log")"
fi

# --- 503 SlowDown and a damaged part are retried -------------------------------------------
set_knobs '{"slowdown": {"2": 2}, "corrupt": {"4": 1}}'
if s3_upload retry "$DATA" "run1/retry.bin"; then
  check "retry: object byte-identical" object_matches "run1/retry.bin" "$DATA"
  check "retry: SlowDown answered twice" test "$(fake_stat 's["rejected"].get("SlowDown",0)')" = 2
  check "retry: the damaged part was refused (BadDigest) and re-sent" test "$(fake_stat 's["rejected"].get("BadDigest",0)')" = 1
  check "retry: retries reported" test "$(out_field retry retries)" -ge 3
  check "retry: notes name SlowDown" grep -q "SlowDown" "$WORK/retry.log"
else
  fail "retry: upload failed: $(tail -n 5 "$WORK/retry.log")"
fi

# --- CompleteMultipartUpload: 200 with an <Error> body ---------------------------------------
set_knobs '{"complete_error": "InternalError", "complete_error_count": 1}'
if s3_upload cerr "$DATA" "run1/cerr.bin"; then
  check "200-with-Error (InternalError): retried, object complete" object_matches "run1/cerr.bin" "$DATA"
  check "200-with-Error: the fake sent it once" test "$(fake_stat 's["rejected"].get("complete_error_in_200",0)')" = 1
  check "200-with-Error: noted" grep -q "InternalError" "$WORK/cerr.log"
else
  fail "200-with-Error transient: upload failed: $(tail -n 5 "$WORK/cerr.log")"
fi
set_knobs '{"complete_error": "InvalidPart", "complete_error_count": 5}'
rc=0
s3_upload cerr2 "$DATA" "run1/cerr2.bin" || rc=$?
check "200-with-Error (InvalidPart): fails (exit $rc)" test "$rc" -ne 0
check "200-with-Error (InvalidPart): the reason names the code" grep -q "InvalidPart" "$WORK/cerr2.log"
check "200-with-Error (InvalidPart): no object appeared" test ! -e "$WORK/fake/objects/$BUCKET/run1/cerr2.bin"
check "200-with-Error (InvalidPart): not retried" test "$(fake_stat 's["rejected"].get("complete_error_in_200",0)')" = 2
set_knobs '{}'

# --- the Complete answer is lost: the retry finds NoSuchUpload, the bucket listing settles it --
# (ListObjectsV2, not HeadObject: the SDA inbox refuses HeadObject; the fake does too, now)
start_fake --inbox-only
set_knobs '{"complete_drop": 1}'
if s3_upload cdrop "$DATA" "run1/cdrop.bin"; then
  check "lost Complete answer: object byte-identical" object_matches "run1/cdrop.bin" "$DATA"
  check "lost Complete answer: the fake dropped it" test "$(fake_stat 's["rejected"].get("complete_answer_dropped",0)')" = 1
  check "lost Complete answer: settled by the listing" grep -q "answer was lost; the listing" "$WORK/cdrop.log"
  check "... without HeadObject" test "$(fake_stat 's["requests"].get("head",0)')" = 0
  check "lost Complete answer: ETag as computed by python" test "$(out_field cdrop etag)" = "$ETAG"
else
  fail "lost Complete answer: upload failed: $(tail -n 5 "$WORK/cdrop.log")"
fi
set_knobs '{}'

# --- a bandwidth cap holds for all parts in flight together -------------------------------------
T0=$(date +%s%N)
if s3_upload capped "$DATA" "run1/capped.bin" --bwlimit "daily 00:00-24:00 8MB/s; unlimited"; then
  ms=$((($(date +%s%N) - T0) / 1000000))
  floor=$(($(stat -c %s "$DATA") / 8000 * 8 / 10))  # 80 % of the time the bytes need at 8 MB/s
  check "capped: 3 parts in flight under --bwlimit 8MB/s took ${ms} ms (≥ $floor ms)" test "$ms" -ge "$floor"
  check "capped: object byte-identical" object_matches "run1/capped.bin" "$DATA"
else
  fail "capped: upload failed: $(tail -n 3 "$WORK/capped.log")"
fi

# --- a changed source aborts the abandoned upload ------------------------------------------
COPY="$WORK/copy.bin"
cp "$DATA" "$COPY"
set_knobs '{"part_delay": 0.4}'
BACKGROUND=1 PARALLEL=1 s3_upload changed "$COPY" "run1/changed.bin"
wait_for "one part acknowledged" 60 parts_at_least changed 1
kill -KILL "$UPLOAD_PID"
wait "$UPLOAD_PID" 2>/dev/null || true
old_id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["upload_id"])' "$WORK/changed.state")
set_knobs '{}'
printf 'appended' >> "$COPY"
if s3_upload changed "$COPY" "run1/changed.bin"; then
  check "changed: the old upload $old_id was aborted" test "$(fake_stat "'$old_id' in s['aborted']")" = True
  check "changed: the new content was delivered" object_matches "run1/changed.bin" "$COPY"
  check "changed: noted" grep -q "source changed" "$WORK/changed.log"
else
  fail "changed: upload failed: $(tail -n 5 "$WORK/changed.log")"
fi

# --- seqgatectl s3 abort --------------------------------------------------------------------
set_knobs '{"part_delay": 0.4}'
BACKGROUND=1 PARALLEL=1 s3_upload gone "$DATA" "run1/gone.bin"
wait_for "one part acknowledged" 60 parts_at_least gone 1
kill -KILL "$UPLOAD_PID"
wait "$UPLOAD_PID" 2>/dev/null || true
set_knobs '{}'
gone_id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["upload_id"])' "$WORK/gone.state")
"$SEQGATECTL" s3 abort --endpoint "$FAKE_ENDPOINT" --bucket "$BUCKET" --key run1/gone.bin --ca "$WORK/pki/ca.crt" \
  --access-key-file "$WORK/s3.access" --secret-key-file "$WORK/s3.secret" --state "$WORK/gone.state" 2>>"$WORK/gone.log" ||
  fail "s3 abort failed: $(tail -n 3 "$WORK/gone.log")"
check "abort: the fake dropped upload $gone_id" test "$(fake_stat "'$gone_id' in s['aborted']")" = True

# --- wrong secret: permanent, with the server's reason ---------------------------------------
head -c 30 /dev/urandom | base64 | tr -d '/+=' > "$WORK/wrong.secret"
chmod 600 "$WORK/wrong.secret"
rc=0
SECRET_FILE="$WORK/wrong.secret" s3_upload wrong "$DATA" "run1/wrong.bin" || rc=$?
check "wrong secret: fails (exit $rc)" test "$rc" -ne 0
check "wrong secret: SignatureDoesNotMatch reported" grep -q "SignatureDoesNotMatch" "$WORK/wrong.log"
check "wrong secret: not retried (permanent)" test "$(fake_stat 's["rejected"].get("SignatureDoesNotMatch",0)')" = 1
check "secrets never appear in notes" bash -c "! grep -qF \"\$(cat '$WORK/s3.secret')\" '$WORK'/*.log"

# --- bearer token mode (SDA s3inbox: Authorization: Bearer <JWT>) ---------------------------
start_fake --token-required --allow-bearer
write_token "$WORK/token" $(( $(date +%s) + 7 * 86400 ))
if s3_upload bearer "$DATA" "run1/bearer.bin" --token-file "$WORK/token" --token-mode bearer; then
  check "bearer: object byte-identical" object_matches "run1/bearer.bin" "$DATA"
else
  fail "bearer: upload failed: $(tail -n 5 "$WORK/bearer.log")"
fi
if s3_upload sectok "$DATA" "run1/sectok.bin" --token-file "$WORK/token"; then
  check "security token (signed x-amz-security-token): object byte-identical" object_matches "run1/sectok.bin" "$DATA"
else
  fail "security token: upload failed: $(tail -n 5 "$WORK/sectok.log")"
fi
check "token never appears in notes" bash -c "! grep -qF \"\$(cat '$WORK/token')\" '$WORK'/*.log"

finish
