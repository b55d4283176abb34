#!/usr/bin/env bash
# seqgated with protocol = "s3" against the strict fake S3 (tests/peers/fake_s3.py) over loopback
# TLS, two Crypt4GH recipients, token mode security-token (the fake enforces the JWT's exp).
# seqgate-sim writes an Illumina and a Nanopore run; seqgated is SIGKILLed mid-delivery several
# times. Then, with independent tools: every object decrypts with the libsodium reader (and
# seqgatectl c4gh decrypt with the other key) to the packed stream, zstd -d gives the original
# byte for byte, each stored object's SHA-256 equals the encrypted manifest's; only parts in
# flight at a kill were re-sent (the fake's per-part byte counts), no multipart upload is left
# open at the fake, nothing was completed twice. A token that expires mid-run: the warning, the
# "needs a new token" status, files wait, then finish once the token file is replaced, without
# a restart. A lost CreateMultipartUpload answer leaves no orphan. --check-config names file,
# line and key of wrong [s3] values and refuses inline secrets.
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"
source "$SEQGATE_SOURCE_DIR/tests/integration/s3_lib.sh"
trap 'stop_fake; daemon_cleanup' EXIT
READER="$SEQGATE_SOURCE_DIR/tests/peers/c4gh_reader.py"
/usr/bin/python3 -c 'import nacl.bindings' || { fail "python3-nacl missing (scripts/install-deps.sh)"; finish; }

s3_setup
"$SEQGATECTL" c4gh keygen --sec "$WORK/node.sec" --pub "$WORK/node.pub" --no-passphrase
"$SEQGATECTL" c4gh keygen --sec "$WORK/dac.sec" --pub "$WORK/dac.pub" --no-passphrase
TOKEN="$WORK/inbox.token"
write_token "$TOKEN" $(($(date +%s) + 3600))  # within 2 h: one warning expected
start_fake --token-required --list-page 2 --inbox-only

# write_s3_config [extra [s3] lines...] → $WORK/seqgated.toml
write_s3_config() {
  cat > "$WORK/seqgated.toml" <<TOML
[gateway]
site = "lab-a"
state_dir = "$STATE"
log_level = "debug"
metrics = ""
delivered_dir = "$WORK/delivered"

[centre]
protocol = "s3"

[transfer]
parallel = 2
stall_seconds = 5
connect_timeout_seconds = 5

[s3]
endpoint = "$FAKE_ENDPOINT"
bucket = "$BUCKET"
access_key_file = "$WORK/s3.access"
secret_key_file = "$WORK/s3.secret"
token_file = "$TOKEN"
token_mode = "security-token"
part_size = "5MiB"
parallel_parts = 2
key_prefix = "seqgate"
ca = "$WORK/pki/ca.crt"
$(printf '%s\n' "$@")

[crypt4gh]
recipients = ["$WORK/node.pub", "$WORK/dac.pub"]

[watch]
interval_seconds = 1
settle_seconds = 1

[[watch.root]]
path = "$INSTRUMENTS"

[pipeline]
frame_size = "256KiB"
threads = 2
TOML
}
write_s3_config

# --- --check-config -------------------------------------------------------------------------
check "check-config accepts the S3 config" "$SEQGATED" --check-config --config "$WORK/seqgated.toml"
write_s3_config 'bukcet = "x"' 'secret_key = "AKIAINLINESECRET"'
sed -i 's/^token_mode = "security-token"/token_mode = "oauth"/' "$WORK/seqgated.toml"
cp "$WORK/seqgated.toml" "$WORK/bad.toml"
"$SEQGATED" --check-config --config "$WORK/bad.toml" > "$WORK/bad.out" 2>&1 && fail "bad S3 config accepted" || true
check "check-config: unknown [s3] key named with file and line" grep -q "bad.toml:[0-9]*: s3.bukcet: unknown key" "$WORK/bad.out"
check "check-config: wrong token_mode named with file and line" grep -q "bad.toml:[0-9]*: s3.token_mode: must be" "$WORK/bad.out"
check "check-config: inline secret refused" grep -q "bad.toml:[0-9]*: s3.secret_key: secrets are not accepted inline" "$WORK/bad.out"
check "check-config: the inline secret is never echoed" bash -c "! grep -q AKIAINLINESECRET '$WORK/bad.out'"
write_s3_config
chmod 644 "$WORK/s3.secret"
"$SEQGATED" --check-config --config "$WORK/seqgated.toml" > "$WORK/perm.out" 2>&1 && fail "readable secret accepted" || true
check "check-config: a secret file readable by others is refused (file, line, key)" \
  grep -q "seqgated.toml:[0-9]*: s3.secret_key_file: .*readable by its owner only" "$WORK/perm.out"
chmod 600 "$WORK/s3.secret"

# --- delivery with SIGKILLs -----------------------------------------------------------------
"$SIM" illumina --out "$INSTRUMENTS" --size 40M --duration 0 --seed 31 >/dev/null
"$SIM" ont --out "$INSTRUMENTS" --size 24M --duration 0 --seed 32 >/dev/null
set_knobs '{"part_delay": 0.3, "create_drop": 1}'
start_daemon
wait_for "the first staged object" 60 grep -q s3_object_staged "$WORK/daemon.log"
KILLS=0
RANDOM=3131
while ((KILLS < 4)); do
  sleep "0.$((4 + RANDOM % 5))"
  kill -KILL "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  KILLS=$((KILLS + 1))
  echo "-- SIGKILL $KILLS" >> "$WORK/daemon.log"
  start_daemon
done
set_knobs '{}'
runs_delivered() { [[ $(journal_sql "SELECT count(*) FROM runs WHERE manifest_receipt IS NOT NULL") == 2 ]]; }
wait_for "both runs delivered" 50 runs_delivered
resumed=$(grep -c 'upload_created.*state=resuming' "$WORK/daemon.log" || true)
echo "  $resumed uploads resumed after $KILLS kills"
check "kills landed mid-delivery (resumed uploads: $resumed)" test "$resumed" -ge 1
report sigkill_seqgated_s3 "$KILLS" "mid-delivery"

# Every shipped file: one object at the fake; two readers decrypt it to the same packed stream;
# zstd -d (or nothing, for pass-through) gives the original; its SHA-256 is the journal's.
objects_ok() {
  local bad=0 n=0 root rel name key obj
  while IFS=$'\t' read -r root rel; do
    n=$((n + 1))
    name=$(journal_sql "SELECT name FROM runs WHERE run_dir='$root'")
    key=$(journal_sql "SELECT object_key FROM files WHERE rel_path='$rel' AND run=(SELECT id FROM runs WHERE run_dir='$root')")
    obj="$WORK/fake/objects/$BUCKET/$key"
    [[ -n $key && -f $obj ]] || { echo "  $name/$rel: no object ($key)"; bad=$((bad + 1)); continue; }
    [[ $key == seqgate/$name/$rel.c4gh || $key == seqgate/$name/$rel.zst.c4gh ]] || { echo "  unexpected key $key"; bad=$((bad + 1)); }
    /usr/bin/python3 "$READER" --sec "$WORK/node.sec" "$obj" "$WORK/peer.out" 2>"$WORK/peer.err" || { echo "  $key: reader: $(cat "$WORK/peer.err")"; bad=$((bad + 1)); continue; }
    "$SEQGATECTL" c4gh decrypt "$obj" -o "$WORK/ours.out" --key "$WORK/dac.sec" 2>>"$WORK/decrypt.err" || { echo "  $key: seqgatectl decrypt failed"; bad=$((bad + 1)); continue; }
    cmp -s "$WORK/peer.out" "$WORK/ours.out" || { echo "  $key: the two readers disagree"; bad=$((bad + 1)); }
    if [[ $key == *.zst.c4gh ]]; then
      zstd -dqc "$WORK/peer.out" | cmp -s - "$root/$rel" || { echo "  $key: zstd -d differs"; bad=$((bad + 1)); }
    else
      cmp -s "$WORK/peer.out" "$root/$rel" || { echo "  $key: differs"; bad=$((bad + 1)); }
    fi
    [[ $(sha256sum < "$obj" | cut -c1-64) == $(journal_sql "SELECT object_sha256 FROM files WHERE object_key='$key'") ]] ||
      { echo "  $key: object SHA-256 differs from the journal's"; bad=$((bad + 1)); }
    rm -f "$WORK/peer.out" "$WORK/ours.out"
  done < <(shipped_files)
  echo "  $n shipped files checked"
  ((n > 0 && bad == 0))
}
check "every object decrypts (libsodium reader, seqgatectl) to the original (zstd -d, cmp)" objects_ok

# The manifests: encrypted objects next to the runs' files; each lists every file with its
# object's key, size and SHA-256, which match the stored objects.
manifests_ok() {
  local bad=0 m
  for m in "$WORK"/fake/objects/$BUCKET/seqgate/*/seqgate-manifest.json.c4gh; do
    /usr/bin/python3 "$READER" --sec "$WORK/dac.sec" "$m" "$WORK/manifest.json" 2>"$WORK/peer.err" || { echo "  $m: $(cat "$WORK/peer.err")"; bad=$((bad + 1)); continue; }
    /usr/bin/python3 - "$WORK/manifest.json" "$WORK/fake/objects/$BUCKET" <<'PY' || bad=$((bad + 1))
import hashlib, json, os, sys
m = json.load(open(sys.argv[1]))
bad = 0
for f in m["files"]:
    o = f.get("object")
    if not o:
        print("  %s: no object in the manifest" % f["path"]); bad += 1; continue
    p = os.path.join(sys.argv[2], o["key"])
    data = open(p, "rb").read()
    if hashlib.sha256(data).hexdigest() != o["sha256"] or len(data) != o["size"]:
        print("  %s: stored object differs from the manifest" % o["key"]); bad += 1
    if not f.get("sha256") or not f.get("packed_sha256"):
        print("  %s: digests missing" % f["path"]); bad += 1
sys.exit(1 if bad else 0)
PY
  done
  [[ $(find "$WORK/fake/objects/$BUCKET" -name 'seqgate-manifest.json.c4gh' | wc -l) == 2 ]] || { echo "  not two manifests"; bad=$((bad + 1)); }
  ((bad == 0))
}
check "two encrypted manifests; every file's object key, size and SHA-256 match the stored objects" manifests_ok
check "SeqgateDelivered.json written for both runs" test "$(find "$WORK/delivered" -name SeqgateDelivered.json | wc -l)" = 2
check "no multipart upload left open at the fake (no orphans)" test "$(fake_stat 'len(s["open_uploads"])')" = 0
check "the lost CreateMultipartUpload answer was found and aborted" grep -q s3_orphan_aborted "$WORK/daemon.log"
check "nothing completed twice" test "$(fake_stat 'max(__import__("collections").Counter(c["key"] for c in s["completed"]).values())')" = 1
# Re-sent bytes: at most the parts in flight per kill (2 files × 2 parts × 5 MiB) on top of the
# objects themselves (a part cut mid-body counts its partial bytes too).
received=$(fake_stat 'sum(s["part_bytes"].values())')
stored=$(find "$WORK/fake/objects/$BUCKET" -type f ! -name '*.etag' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
slack=$(((KILLS + 1) * 2 * 2 * 5 * MIB))
echo "  part bytes received $received, stored $stored, allowed re-send $slack"
check "only parts in flight at a kill were re-sent" test "$received" -le $((stored + slack))
# PUTs of a part already sent under the same upload id: at most the parts in flight per kill.
puts=$(fake_stat 'sum(s["part_puts"].values())')
distinct=$(fake_stat 'len(s["part_bytes"])')
echo "  part PUTs $puts for $distinct distinct parts ($((puts - distinct)) re-sent, $KILLS kills)"
check "re-sent part PUTs ($((puts - distinct))) stay within 2 files × 2 parts per kill" test $((puts - distinct)) -le $((KILLS * 4))
check "the 2 h expiry warning was logged once" test "$(grep -c 's3_token_expiring' "$WORK/daemon.log")" = 1
check "no secret or token in the log" \
  bash -c '! grep -qF "$(cat "$0")" "$2" && ! grep -qF "$(cat "$1")" "$2"' "$WORK/s3.secret" "$TOKEN" "$WORK/daemon.log"

# --- a token that expires mid-run: wait, status, resume on replacement ----------------------
"$SIM" ont --out "$INSTRUMENTS" --size 16M --duration 0 --seed 33 >/dev/null
write_token "$TOKEN" $(($(date +%s) + 4))
set_knobs '{"part_delay": 0.5}'
status_waits() { "$SEQGATECTL" status --socket "$STATE/control.sock" 2>/dev/null | grep -q "needs a new token"; }
wait_for "status shows 'needs a new token'" 40 status_waits
before=$(journal_sql "SELECT count(*) FROM files WHERE state='delivered'")
sleep 2
check "files wait while the token is expired" test "$(journal_sql "SELECT count(*) FROM files WHERE state='delivered'")" = "$before"
check "the wait is logged (s3_token_waiting)" grep -q 's3_token_waiting' "$WORK/daemon.log"
write_token "$TOKEN" $(($(date +%s) + 7 * 86400))
set_knobs '{}'
three_runs() { [[ $(journal_sql "SELECT count(*) FROM runs WHERE manifest_receipt IS NOT NULL") == 3 ]]; }
wait_for "the third run delivered after the token was replaced (no restart)" 40 three_runs
check "after the new token: status no longer waits" \
  bash -c '! "$0" status --socket "$1" | grep -q "needs a new token"' "$SEQGATECTL" "$STATE/control.sock"
check "no multipart upload left open at the end" test "$(fake_stat 'len(s["open_uploads"])')" = 0

kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=""
check "SIGTERM stops seqgated cleanly (rc=$rc)" test "$rc" = 0

# --- --once with an expired token: nobody will replace it, so it stops and says why ---------
"$SIM" illumina --out "$INSTRUMENTS" --size 8M --duration 0 --seed 34 >/dev/null
write_token "$TOKEN" $(($(date +%s) - 60))
rc=0
timeout 120 "$SEQGATED" --once --config "$WORK/seqgated.toml" > "$WORK/once.log" 2>&1 || rc=$?
check "--once with an expired token exits non-zero, not waiting (rc=$rc)" \
  bash -c '[[ $0 != 0 && $0 != 124 ]]' "$rc"
check "... and says the run is not delivered and why" \
  bash -c 'grep -q "NOT delivered" "$0" && grep -q "needs a new token" "$0"' "$WORK/once.log"
check "... leaving no multipart upload open" test "$(fake_stat 'len(s["open_uploads"])')" = 0
if ((FAILURES > 0)); then echo "--- daemon log (tail)"; tail -n 60 "$WORK/daemon.log"; fi
finish
