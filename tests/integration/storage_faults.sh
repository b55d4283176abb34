#!/usr/bin/env bash
# The centre's storage fails under live uploads; the storage is a small tmpfs this test mounts
# (root and mount(2) are required: without them the test fails, it does not skip).
#   A. PATCH bodies fill the disk (seqgatectl upload, then seqgated): 507, the acknowledged bytes
#      stay staged, nothing is published, no receipt; the tmpfs grows (remount,size=) and the
#      gateway, which backed off, completes the same upload byte-identical.
#   B. publication needs room (receipt, directories, index: inodes here): the last PATCH gets 507,
#      HEAD and GET report no receipt status while the file is not published (the receipt the
#      finalizer wrote first is its intent log, not a delivery), nothing half is in place; once
#      room returns a HEAD publishes it and the receipt is handed out.
#   C. the storage turns read-only mid-upload: 503 (the storage refuses writes; the upload is
#      intact, so "come back", not "failed"), a clear error in the log, nothing acknowledged
#      lost; writable again, the upload completes.
#      A plain `mount -o remount,ro` is refused (EBUSY) while seqgate-ingest holds an upload's
#      data file open for writing, and the kernel's own read-only flip on I/O errors (ext4
#      errors=remount-ro) cannot be undone without unmounting. So a read-only bind mount is laid
#      over the storage: every new open, create and rename there fails with EROFS, as on a
#      read-only filesystem; the descriptor already open keeps writing underneath.
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"
# report METRIC VALUE [NOTE]: the suites' figure line (ingest_lib.sh defines it where
# scripts/reliability.sh collects figures; printed only where it does not).
declare -F report >/dev/null || report() { echo "report: $1 = $2${3:+ ($3)}"; }

DISK="$WORK/storage"  # write_config's storage: the tmpfs is mounted right there
storage_cleanup() {
  if [[ -n "$DAEMON_PID" ]]; then kill -KILL "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""; fi
  if [[ -n "${UPLOAD_PID:-}" ]]; then kill -KILL "$UPLOAD_PID" 2>/dev/null || true; fi
  if [[ -n "$SERVER_PID" ]]; then kill -KILL "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi
  local n=0
  while mountpoint -q "$DISK" && ((n++ < 4)); do umount -l "$DISK" || break; done
  daemon_cleanup
}
trap storage_cleanup EXIT
mkdir -p "$DISK"
if ! mount -t tmpfs -o size=24m,nr_inodes=4000,mode=0750 seqgate-test "$DISK"; then
  echo "FAIL - cannot mount a tmpfs at $DISK: this test needs root and mount(2) (a container without CAP_SYS_ADMIN cannot run it)"
  exit 1
fi
avail() { df --output=avail -B1 "$DISK" | tail -n 1 | tr -d ' '; }
# fill_leaving BYTES — a filler file takes all free space but BYTES.
fill_leaving() { fallocate -l $(($(avail) - $1)) "$DISK/filler"; }

make_pki
chmod 600 "$WORK"/pki/*.key
# No free-space floor: the disk itself runs out (the floor is ingest_limits.sh's subject).
write_config "[limits]" "min_free_bytes = 0"
start_server
DATA="$WORK/data.fastq"
make_data "$DATA" 12 5
PACKED=$(packed_size "$DATA")
echo "data $(stat -c %s "$DATA") bytes, packed $PACKED; storage $(avail) bytes free"

only_upload() { find "$DISK/.uploads/lab-a" -mindepth 1 -maxdepth 1 -type d | head -n 1; }
progress_offset() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["offset"])' "$1/progress.json"; }
acked_now() {
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["acked_offset"])' \
    "$WORK/$1.state" 2>/dev/null || echo 0
}
published_files() { find "$DISK" -path "$DISK/.*" -prune -o -path "$DISK/filler*" -prune -o -type f -print | wc -l; }

echo "# A. PATCH bodies fill the disk (seqgatectl upload)"
fill_leaving $((PACKED / 2))
BACKGROUND=1 MAX_ATTEMPTS=0 upload full "$DATA" "$ENDPOINT"
check "the gateway is refused with 507 and backs off" wait_for 60 grep -q "507" "$WORK/full.log"
check "the server logs the full disk" grep -Eq 'storage\.full|No space left on device' "$WORK/server.log"
UP=$(only_upload)
OFF=$(progress_offset "$UP")
check "the acknowledged bytes are kept staged ($OFF of $PACKED)" test "$OFF" -gt 0 -a "$OFF" -lt "$PACKED"
check "nothing is published while the disk is full" test "$(published_files)" = 0
check "no receipt: GET answers 202 in progress" test "$(status_of lab-a "$BASE/files/$(basename "$UP")")" = 202
check "the client still runs, backing off" kill -0 "$UPLOAD_PID"
mount -o remount,size=64m "$DISK"
rc=0; wait "$UPLOAD_PID" || rc=$?; UPLOAD_PID=""
check "once the disk grows the upload completes (rc=$rc)" test "$rc" = 0
check "receipt verified" test "$(receipt_field full status)" = verified
check "the same upload was completed (acknowledged bytes were kept)" test "$(receipt_field full upload)" = "$(basename "$UP")"
check "stored copy is byte-identical after zstd -d" stored_matches full "$DATA"
rm -f "$DISK/filler"

echo "# A. the disk fills under seqgated"
"$SIM" illumina --out "$INSTRUMENTS" --size 8M --duration 0 --seed 41 >/dev/null
"$SIM" ont --out "$INSTRUMENTS" --size 4M --duration 0 --seed 42 >/dev/null
mount -o remount,size=24m "$DISK"
fill_leaving $((2 * 1024 * 1024))
write_daemon_config
start_daemon
has_507() { [[ -n "$(journal_sql "SELECT id FROM files WHERE error LIKE '%507%' LIMIT 1" 2>/dev/null)" ]]; }
check "seqgated records the 507 as the reason files wait" wait_for 90 has_507
check "no run is delivered while the disk is full" test "$(journal_sql "SELECT count(*) FROM runs WHERE manifest_receipt IS NOT NULL")" = 0
mount -o remount,size=96m "$DISK"
two_receipts() { [[ $(receipts_count) -ge 2 ]]; }
check "once the disk grows both runs are delivered without help" wait_for 180 two_receipts
check "every shipped file arrived byte-identical" check_delivered
check "no file verified twice" delivered_once
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
rm -f "$DISK/filler"

echo "# B. publication needs room"
head -c 40000 /dev/urandom > "$WORK/pub.bin"
head -c 39999 "$WORK/pub.bin" > "$WORK/pub.head"
tail -c 1 "$WORK/pub.bin" > "$WORK/pub.tail"
MD="seqgate-run $(b64 pub),seqgate-path $(b64 reads/pub.bin),seqgate-sha256 $(b64 "$(sha256_of "$WORK/pub.bin")")"
U=$(create lab-a 40000 "$MD")
check "39999 of 40000 bytes accepted" test "$(patch lab-a "$U" 0 "$WORK/pub.head")" = 204
# Every inode but one taken: enough to commit the last byte (a new progress file replaces the
# old), not for the receipt plus the published file's directories and index.
/usr/bin/python3 - "$DISK/filler.d" <<'PY'
import errno, os, sys
d = sys.argv[1]
os.mkdir(d)
n = 0
while True:
    try:
        open(os.path.join(d, str(n)), "w").close()
    except OSError as e:
        if e.errno != errno.ENOSPC: raise
        break
    n += 1
os.unlink(os.path.join(d, "0"))
PY
code=$(patch lab-a "$U" 39999 "$WORK/pub.tail")
check "the last PATCH, whose publication finds no room, gets 507 (got $code)" test "$code" = 507
tcurl lab-a -I "$BASE$U" -H "Tus-Resumable: 1.0.0" -D "$WORK/b.h" -o /dev/null || true
check "HEAD: 507, not a receipt status, while unpublished" bash -c "grep -q '^HTTP/1.1 507' '$WORK/b.h' && ! grep -qi '^Seqgate-Receipt-Status' '$WORK/b.h'"
check "GET hands out no receipt while unpublished" test "$(status_of lab-a "$BASE$U")" = 503
check "nothing is at the published path" test ! -e "$DISK/lab-a/pub/reads/pub.bin"
check "no half-written file anywhere" test -z "$(find "$DISK" -name '*.tmp-*' -print -quit)"
rm -rf "$DISK/filler.d"
tcurl lab-a -I "$BASE$U" -H "Tus-Resumable: 1.0.0" -D "$WORK/b2.h" -o /dev/null || true
check "room again: HEAD publishes and reports verified" test "$(header_of "$WORK/b2.h" Seqgate-Receipt-Status)" = verified
check "the published file is byte-identical" cmp -s "$DISK/lab-a/pub/reads/pub.bin" "$WORK/pub.bin"
check "its index entry is written (a re-send is recognised)" test -f "$DISK/.receipts/lab-a/pub/files/reads/pub.bin.json"
tcurl lab-a "$BASE$U" -o "$WORK/b.receipt" || true
check "GET hands out the verified receipt" grep -q '"status": *"verified"' "$WORK/b.receipt"
echo "# C. the storage turns read-only mid-upload"
start_proxy "all throttle bps=1500000"
BACKGROUND=1 MAX_ATTEMPTS=0 upload ro "$DATA" "$PROXY_ENDPOINT"
for _ in $(seq 1 300); do [[ "$(acked_now ro)" -gt 0 ]] && break; sleep 0.1; done
mount --bind "$DISK" "$DISK"
mount -o remount,bind,ro "$DISK"
ACKED=$(acked_now ro)
check "some PATCHes were acknowledged before ($ACKED)" test "$ACKED" -gt 0
check "the gateway gets 503 and backs off" wait_for 60 grep -q "503" "$WORK/ro.log"
check "the server logs the read-only storage" logged "Read-only file system"
UP=$(find "$DISK/.uploads/lab-a" -mindepth 1 -maxdepth 1 -type d -newer "$WORK/pub.bin" | head -n 1)
check "nothing acknowledged is lost (centre offset $(progress_offset "$UP") ≥ $ACKED)" test "$(progress_offset "$UP")" -ge "$ACKED"
check "the client still runs" kill -0 "$UPLOAD_PID"
umount "$DISK"
rc=0; wait "$UPLOAD_PID" || rc=$?; UPLOAD_PID=""
check "writable again, the upload completes (rc=$rc)" test "$rc" = 0
check "receipt verified" test "$(receipt_field ro status)" = verified
check "stored copy is byte-identical after zstd -d" stored_matches ro "$DATA"
report disk_full_faults 3 "PATCH bodies under seqgatectl, under seqgated, publication"
report read_only_faults 1 "storage read-only mid-upload"
report centre_507_answers "$(grep -c 'status=507' "$WORK/server.log")"
report centre_503_answers "$(grep -c 'status=503' "$WORK/server.log")"
finish
