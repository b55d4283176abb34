#!/usr/bin/env bash
# The inbox token's lifecycle: a token within 24 h of expiry is warned about; a token that expires
# in the middle of a file makes the upload wait with "needs a new token" (no part starts with it)
# and resume by itself when the token file is replaced; so does a token the inbox refuses (401)
# while the client still thinks it valid; a malformed token file fails at once.
source "$SEQGATE_SOURCE_DIR/tests/integration/s3_lib.sh"

s3_setup
DATA="$WORK/data.bin"
head -c $((20 * MIB + 777)) /dev/urandom > "$DATA"
start_fake --token-required --inbox-only
TOKEN="$WORK/token"

# --- warning within 24 h --------------------------------------------------------------------
write_token "$TOKEN" $(( $(date +%s) + 20 * 3600 ))
if s3_upload warn "$DATA" "t/warn.bin" --token-file "$TOKEN"; then
  check "24 h: upload completes" object_matches "t/warn.bin" "$DATA"
  check "24 h: expiry warned about" grep -q "expires at .*within 24 h" "$WORK/warn.log"
  check "24 h: structured warning event" grep -q "s3_token_expiring" "$WORK/warn.log"
else
  fail "24 h: upload failed: $(tail -n 5 "$WORK/warn.log")"
fi

# --- 2 h warning ------------------------------------------------------------------------------
write_token "$TOKEN" $(( $(date +%s) + 3600 ))
s3_upload warn2 "$DATA" "t/warn2.bin" --token-file "$TOKEN" || fail "2 h: upload failed"
check "2 h: expiry warned about" grep -q "within 2 h" "$WORK/warn2.log"

# --- malformed token file: clear error, no request --------------------------------------------
echo "not-a-jwt" > "$TOKEN"
rc=0
s3_upload badtok "$DATA" "t/bad.bin" --token-file "$TOKEN" || rc=$?
check "malformed token: fails at once (exit $rc)" test "$rc" -ne 0
check "malformed token: names the token file" grep -q "token file $TOKEN" "$WORK/badtok.log"
check "malformed token: the token text is not echoed" bash -c "! grep -q 'not-a-jwt' '$WORK/badtok.log'"

# --- expiry mid-file: waits with a clear status, resumes when the file is replaced ------------
# Parts take ≥ 1 s each (knob), one at a time: the 5 parts need ≥ 5 s, the token runs out after
# 2–3 s.
set_knobs '{"part_delay": 1.0}'
write_token "$TOKEN" $(( $(date +%s) + 3 ))
BACKGROUND=1 PARALLEL=1 s3_upload mid "$DATA" "t/mid.bin" --token-file "$TOKEN" --token-poll-ms 100
wait_for "the upload says it needs a new token" 60 grep -q "needs a new token" "$WORK/mid.log"
parts_then=$(state_parts mid)
check "mid-file: some parts were delivered before the token expired ($parts_then)" test "$parts_then" -ge 1
check "mid-file: the file is not finished while waiting" test "$parts_then" -lt 5
sleep 1  # still waiting: nothing moves without a token
check "mid-file: no part started with the expired token" test "$(state_parts mid)" = "$parts_then"
check "mid-file: seqgatectl is still waiting, not failed" kill -0 "$UPLOAD_PID"
set_knobs '{}'
write_token "$TOKEN" $(( $(date +%s) + 7 * 86400 ))
rc=0
wait "$UPLOAD_PID" || rc=$?
check "mid-file: finished after the token file was replaced (exit $rc)" test "$rc" = 0
check "mid-file: resumption noted" grep -q "new access token found" "$WORK/mid.log"
check "mid-file: object byte-identical" object_matches "t/mid.bin" "$DATA"
check "mid-file: ETag as computed by python" test "$(out_field mid etag)" = "$(expected_etag "$DATA" $((5 * MIB)))"

# --- the inbox refuses a token the client thinks valid (401): wait, resume on a new file -------
set_knobs '{"part_delay": 0.5}'
write_token "$TOKEN" $(( $(date +%s) + 7 * 86400 ))
BACKGROUND=1 PARALLEL=1 s3_upload revoked "$DATA" "t/revoked.bin" --token-file "$TOKEN" --token-poll-ms 100
wait_for "one part delivered" 60 parts_at_least revoked 1
set_knobs "{\"part_delay\": 0.5, \"revoke\": [\"$(tr -d '\n' < "$TOKEN" | sha256sum | cut -d' ' -f1)\"]}"
wait_for "the upload says the inbox refused the token" 60 grep -q "needs a new token: the inbox refused the access token" "$WORK/revoked.log"
check "revoked: the server answered 401" test "$(fake_stat 's["rejected"].get("status_401",0)')" -ge 1
check "revoked: seqgatectl waits instead of failing" kill -0 "$UPLOAD_PID"
write_token "$TOKEN" $(( $(date +%s) + 7 * 86400 + 60 ))  # a different token
rc=0
wait "$UPLOAD_PID" || rc=$?
check "revoked: completed with the new token (exit $rc)" test "$rc" = 0
check "revoked: object byte-identical" object_matches "t/revoked.bin" "$DATA"
set_knobs '{}'

finish
