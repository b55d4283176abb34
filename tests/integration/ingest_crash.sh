#!/usr/bin/env bash
# Durability and one-writer rules: the server SIGKILLed in the middle of a long PATCH comes back
# with the last acknowledged offset (staged bytes past it cut off) and the upload completes
# byte-identical; a HEAD from a new connection takes over an upload whose PATCH hangs; SIGTERM
# ends in-flight PATCHes, keeps what they delivered and exits cleanly.
source "$(dirname "$0")/ingest_lib.sh"
SEQGATECTL="$SEQGATE_BIN_DIR/seqgatectl"

make_pki
write_config "[limits]" "commit_interval_bytes = 1048576"
start_server
H="Tus-Resumable: 1.0.0"

# A zstd-seekable input so the whole chain (resume + re-fed verifier) is exercised.
/usr/bin/python3 -c '
import os, sys
table = bytes(b"ACGT"[i % 4] for i in range(256))
with open(sys.argv[1], "wb") as f:
    for i in range(400000):
        f.write(b"@r%d\n%s\n+\n%s\n" % (i, os.urandom(100).translate(table), b"F" * 100))
' "$WORK/orig.fastq"
"$SEQGATECTL" pack "$WORK/orig.fastq" -o "$WORK/packed.zst" --encoding zstd --frame-size 1MiB --json > "$WORK/pack.json"
SHA=$(sha256_of "$WORK/orig.fastq")
SIZE=$(stat -c %s "$WORK/packed.zst")
META="seqgate-run $(b64 RUN_K),seqgate-path $(b64 reads.fastq),seqgate-encoding $(b64 zstd-seekable),seqgate-sha256 $(b64 "$SHA")"
offset_of() { tcurl lab-a -I "$BASE$1" -H "$H" -D - -o /dev/null | header_of /dev/stdin Upload-Offset; }
rest_from() {  # rest_from OFFSET → file with the bytes from OFFSET
  dd if="$WORK/packed.zst" of="$WORK/rest" bs=64K iflag=skip_bytes skip="$1" status=none
  echo "$WORK/rest"
}
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["receipt"].get(sys.argv[2], ""))' "$1" "$2"; }

echo "== SIGKILL mid-PATCH"
U=$(create lab-a "$SIZE" "$META")
dd if="$WORK/packed.zst" of="$WORK/first" bs=1M count=2 status=none
check "first PATCH acknowledged" test "$(patch lab-a "$U" 0 "$WORK/first")" = 204
ACK=$(offset_of "$U")
# One long PATCH of the rest, slowed down, killed with the server.
tcurl lab-a -X PATCH "$BASE$U" -H "$H" -H "Upload-Offset: $ACK" -H "Content-Type: application/offset+octet-stream" \
  --data-binary @"$(rest_from "$ACK")" --limit-rate 500K -o /dev/null 2>/dev/null &
CURL=$!
sleep 3
stop_server KILL
wait "$CURL" 2>/dev/null || true
DATA="$STORAGE/.uploads/lab-a/${U#/files/}/data"
ON_DISK=$(stat -c %s "$DATA")
start_server
AFTER=$(offset_of "$U")
check "offset after restart ≥ last acknowledged ($AFTER ≥ $ACK)" test "$AFTER" -ge "$ACK"
check "checkpoints inside the long PATCH survived ($AFTER > $ACK)" test "$AFTER" -gt "$ACK"
check "offset never beyond what reached the disk ($AFTER ≤ $ON_DISK)" test "$AFTER" -le "$ON_DISK"
check "data file cut to the acknowledged offset" test "$(stat -c %s "$DATA")" = "$AFTER"
check "acknowledged bytes are the client's bytes" cmp -s -n "$AFTER" "$DATA" "$WORK/packed.zst"
check "resume from the offset → 204" test "$(patch lab-a "$U" "$AFTER" "$(rest_from "$AFTER")")" = 204
tcurl lab-a "$BASE$U" -o "$WORK/k.json"
check "verifier caught up from disk in the background on resume" logged "upload.verify_catch_up: site=lab-a upload=${U#/files/} from=0 to=$AFTER"
check "upload verified after the crash (verifier re-fed from disk)" test "$(field "$WORK/k.json" status)" = verified
check "stored file byte-identical" cmp -s "$WORK/packed.zst" "$STORAGE/lab-a/RUN_K/reads.fastq.zst"

echo "== takeover of a hanging PATCH"
U2=$(create lab-a "$SIZE" "$(echo "$META" | sed "s/$(b64 reads.fastq)/$(b64 reads2.fastq)/")")
tcurl lab-a -X PATCH "$BASE$U2" -H "$H" -H "Upload-Offset: 0" -H "Content-Type: application/offset+octet-stream" \
  --data-binary @"$WORK/packed.zst" --limit-rate 1M -o /dev/null -w '%{http_code}' > "$WORK/stale.code" 2>/dev/null &
STALE=$!
sleep 2.5
T0=$(date +%s%N)
O2=$(offset_of "$U2")
T1=$(date +%s%N)
check "HEAD from a new connection answered promptly ($(( (T1 - T0) / 1000000 )) ms)" test $(( (T1 - T0) / 1000000 )) -lt 5000
check "takeover kept what the stale PATCH delivered ($O2 > 0)" test "$O2" -gt 0
check "the stale PATCH was cut mid-body ($O2 < $SIZE)" test "$O2" -lt "$SIZE"
wait "$STALE" 2>/dev/null || true
check "stale PATCH was ended (no 204)" test "$(cat "$WORK/stale.code")" != 204
check "takeover counted" bash -c "curl -s http://127.0.0.1:$METRICS_PORT/metrics | grep -q '^seqgate_ingest_takeovers_total 1'"
check "resume after takeover → 204" test "$(patch lab-a "$U2" "$O2" "$(rest_from "$O2")")" = 204
check "taken-over upload byte-identical" cmp -s "$WORK/packed.zst" "$STORAGE/lab-a/RUN_K/reads2.fastq.zst"

echo "== SIGTERM with a PATCH in flight"
U3=$(create lab-a "$SIZE" "$(echo "$META" | sed "s/$(b64 reads.fastq)/$(b64 reads3.fastq)/")")
tcurl lab-a -X PATCH "$BASE$U3" -H "$H" -H "Upload-Offset: 0" -H "Content-Type: application/offset+octet-stream" \
  --data-binary @"$WORK/packed.zst" --limit-rate 1M -o /dev/null 2>/dev/null &
CURL=$!
sleep 2
T0=$(date +%s)
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
RC=$?
SERVER_PID=""
T1=$(date +%s)
wait "$CURL" 2>/dev/null || true
check "SIGTERM → exit 0" test "$RC" = 0
check "shutdown within 5 s ($((T1 - T0)) s)" test $((T1 - T0)) -le 5
check "clean stop logged" grep -q "ingest.stopped" "$WORK/server.log"
start_server
O3=$(offset_of "$U3")
DATA3="$STORAGE/.uploads/lab-a/${U3#/files/}/data"
check "in-flight bytes kept and acknowledged ($O3 > 0)" test "$O3" -gt 0
check "the PATCH really was cut mid-body ($O3 < $SIZE)" test "$O3" -lt "$SIZE"
check "offset consistent with the data file ($(stat -c %s "$DATA3") = $O3)" test "$(stat -c %s "$DATA3")" = "$O3"
check "resume after SIGTERM → 204" test "$(patch lab-a "$U3" "$O3" "$(rest_from "$O3")")" = 204
check "byte-identical after SIGTERM" cmp -s "$WORK/packed.zst" "$STORAGE/lab-a/RUN_K/reads3.fastq.zst"
echo "== SIGTERM while the verifier holds the body back (full-speed upload)"
head -c 120000000 /dev/urandom | base64 -w 100 > "$WORK/fast.txt"
"$SEQGATECTL" pack "$WORK/fast.txt" -o "$WORK/fast.zst" --encoding zstd --json > /dev/null
FSIZE=$(stat -c %s "$WORK/fast.zst")
U4=$(create lab-a "$FSIZE" "seqgate-run $(b64 RUN_K),seqgate-path $(b64 fast.txt),seqgate-encoding $(b64 zstd-seekable),seqgate-sha256 $(b64 "$(sha256_of "$WORK/fast.txt")")")
metric() { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
PAUSES0=$(metric seqgate_ingest_body_pauses_total)
tcurl lab-a -X PATCH "$BASE$U4" -H "$H" -H "Upload-Offset: 0" -H "Content-Type: application/offset+octet-stream" \
  -H "Expect:" -T "$WORK/fast.zst" -o /dev/null 2>/dev/null &
CURL=$!
# Strike as soon as the verifier holds this body back (or after 0.7 s at most): a fixed delay
# would let a fast centre finish the whole upload first. The counter is the server's total.
PAUSES=0
for _ in $(seq 1 35); do
  NOW=$(metric seqgate_ingest_body_pauses_total)
  PAUSES=$((${NOW:-0} - ${PAUSES0:-0}))
  [[ $PAUSES -gt 0 ]] && break
  sleep 0.02
done
T0=$(date +%s)
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
RC=$?
SERVER_PID=""
T1=$(date +%s)
wait "$CURL" 2>/dev/null || true
check "SIGTERM mid-stream → exit 0 ($RC)" test "$RC" = 0
echo "     (body reads paused for the verifier $PAUSES times before SIGTERM)"
check "shutdown within 10 s ($((T1 - T0)) s)" test $((T1 - T0)) -le 10
start_server
O4=$(offset_of "$U4")
check "bytes received before SIGTERM acknowledged ($O4)" bash -c "[[ '$O4' -gt 0 && '$O4' -lt '$FSIZE' ]]"
check "offset matches the data file" test "$(stat -c %s "$STORAGE/.uploads/lab-a/${U4#/files/}/data")" = "$O4"
dd if="$WORK/fast.zst" of="$WORK/fast.rest" bs=64K iflag=skip_bytes skip="$O4" status=none
check "resume → 204" test "$(patch lab-a "$U4" "$O4" "$WORK/fast.rest" -H 'Expect:')" = 204
check "full-speed upload verified and byte-identical after SIGTERM" cmp -s "$WORK/fast.zst" "$STORAGE/lab-a/RUN_K/fast.txt.zst"
finish
