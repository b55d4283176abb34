#!/usr/bin/env bash
# The gateway against a centre that refuses and instruments that misbehave. Each case must end
# with a clear reason in the journal and nothing marked delivered that the centre did not verify:
#   507 (centre disk full): files wait and retry with the reason recorded; when space returns,
#       they complete on their own;
#   403 (a certificate the centre does not map to a site): files fail, --once exits 3 naming it;
#   413 (larger than the centre's Tus-Max-Size): those files fail, smaller ones arrive, the run
#       is not delivered;
#   a source rewritten mid-upload: the new content is what arrives;
#   a run folder deleted mid-upload: its files fail as vanished, the other run is delivered.
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"

make_pki
write_config "[limits]" "min_free_bytes = 1000000000000000000"
start_server
"$SIM" illumina --out "$INSTRUMENTS" --size 4M --duration 0 --seed 31 >/dev/null
write_daemon_config

echo "# 507: the centre's disk is full"
start_daemon
export SEQGATE_CONTROL_SOCKET="$STATE/control.sock"
has_507() { [[ -n "$(journal_sql "SELECT id FROM files WHERE error LIKE '%507%' LIMIT 1" 2>/dev/null)" ]]; }
check "a 507 is recorded in the journal as the reason files wait" wait_for 60 has_507
check "nothing is marked delivered while the centre refuses" \
  test "$(journal_sql "SELECT count(*) FROM files WHERE state='delivered'")" = 0
check "seqgatectl files shows the 507" bash -c '"$0" files "$("$0" runs --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[\"runs\"][0][\"name\"])")" --json | grep -q 507' "$SEQGATECTL"
stop_server TERM
sed -i '/^\[limits\]$/d; /^min_free_bytes/d' "$WORK/ingest.toml"
start_server
one_receipt() { [[ $(receipts_count) -ge 1 ]]; }
check "once space returns the run is delivered without help" wait_for 120 one_receipt
check "every shipped file arrived byte-identical" check_delivered
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""

echo "# 403: a certificate the centre maps to no site"
rm -rf "$STATE" "$INSTRUMENTS"; mkdir -p "$INSTRUMENTS"
"$SIM" ont --out "$INSTRUMENTS" --size 2M --duration 0 --seed 32 >/dev/null
write_daemon_config
sed -i "s|lab-a.crt|badname.crt|; s|lab-a.key|badname.key|" "$WORK/seqgated.toml"
rc=0
timeout 120 "$SEQGATED" --once --config "$WORK/seqgated.toml" > "$WORK/403.log" 2>&1 || rc=$?
check "--once exits 3 when the centre refuses (rc=$rc)" test "$rc" = 3
check "the summary names the refusal" grep -q "403" "$WORK/403.log"
check "the journal records every file failed with HTTP 403" \
  test "$(journal_sql "SELECT count(*) FROM files WHERE state='failed' AND error LIKE '%403%'")" = \
       "$(journal_sql "SELECT count(*) FROM files")"

echo "# 413: files larger than the centre accepts"
rm -rf "$STATE"
stop_server TERM
printf '[limits]\nmax_upload_size = 20000\n' > "$WORK/limits.toml"
sed -i '/^\[tls\]$/e cat '"$WORK"'/limits.toml' "$WORK/ingest.toml"
start_server
write_daemon_config
rc=0
timeout 120 "$SEQGATED" --once --config "$WORK/seqgated.toml" > "$WORK/413.log" 2>&1 || rc=$?
check "--once exits 3 (rc=$rc)" test "$rc" = 3
big=$(journal_sql "SELECT count(*) FROM files WHERE state='failed' AND (error LIKE '%Tus-Max-Size%' OR error LIKE '%413%')")
small=$(journal_sql "SELECT count(*) FROM files WHERE state='delivered'")
check "large files fail with the centre's size limit as reason ($big)" test "$big" -gt 0
check "small files still arrive ($small)" test "$small" -gt 0
check "no run receipt for a run with failed files" test "$(journal_sql "SELECT count(*) FROM runs WHERE manifest_receipt IS NOT NULL")" = 0
stop_server TERM
sed -i '/^\[limits\]$/d; /^max_upload_size/d' "$WORK/ingest.toml"
start_server

echo "# a source rewritten mid-upload, a run folder deleted mid-upload"
rm -rf "$STATE" "$INSTRUMENTS" "$STORAGE"; mkdir -p "$INSTRUMENTS" "$STORAGE"
"$SIM" illumina --out "$INSTRUMENTS" --size 160M --duration 0 --seed 33 >/dev/null
"$SIM" ont --out "$INSTRUMENTS" --size 16M --duration 0 --seed 34 >/dev/null
write_daemon_config "$ENDPOINT" 'bandwidth = "4MB/s"'
# The first FASTQ to go, large enough that packing (a few PATCHes ahead of the capped wire)
# is still reading it when it changes.
victim=$(find "$INSTRUMENTS" -name '*_R1_001.fastq' -size +8M | sort | head -n 1)
ont_root=$(dirname "$(find "$INSTRUMENTS" -name 'final_summary_*.txt' | head -n 1)")
mv "$WORK/daemon.log" "$WORK/daemon-507.log"
start_daemon
rel=${victim#*/Analysis/}
check "the upload of $(basename "$victim") starts" wait_for 60 grep -q "upload_created.*$(basename "$victim")" "$WORK/daemon.log"
sleep 0.3
# Same size, other bytes: a re-basecall or a copy tool rewriting in place.
/usr/bin/python3 - "$victim" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[0:1] = b"@"
for i in range(100, len(b), 997):
    if b[i:i+1] in (b"A", b"C"):
        b[i:i+1] = b"G"
open(p, "r+b").write(bytes(b))
PY
touch "$victim"
check "the ONT run starts uploading" wait_for 60 grep -q "upload_created.*run=.*PAK" "$WORK/daemon.log"
rm -rf "$ont_root"
check "the Illumina run is delivered" wait_for 240 one_receipt
copy=$(centre_copy "" "Analysis/$rel")
check "the rewritten file arrived with its new content" bash -c "zstd -dqc '$copy' | cmp -s - '$victim'"
check "the change was noticed and logged" grep -q "source_changed" "$WORK/daemon.log"
vanished() { [[ -n "$(journal_sql "SELECT id FROM files WHERE state='failed' AND error LIKE '%vanished%' LIMIT 1")" ]]; }
check "files of the deleted run fail as vanished" wait_for 60 vanished
wrong=$(journal_sql "SELECT f.rel_path FROM files f JOIN runs r ON f.run=r.id WHERE r.run_dir='$ont_root' AND f.state='delivered'" | while read -r p; do [[ -n "$(centre_copy "" "$p")" ]] || echo "$p"; done)
check "no file of the deleted run is marked delivered without a verified copy" test -z "$wrong"
check "the deleted run is not delivered" test "$(journal_sql "SELECT count(*) FROM runs WHERE run_dir='$ont_root' AND manifest_receipt IS NOT NULL")" = 0

if ((FAILURES > 0)); then echo "--- daemon log (tail)"; tail -n 60 "$WORK/daemon.log"; fi
finish
