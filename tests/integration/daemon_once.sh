#!/usr/bin/env bash
# seqgated --once, the whole loop on one machine: simulated Illumina and Nanopore runs →
# seqgated (bridge → journal → pack → tus over mutual TLS) → seqgate-ingest, which verifies and
# signs. Checked with independent tools: every shipped file decompresses to the byte-identical
# original, each run has a complete run receipt, a second --once delivers nothing twice, and
# --check-config names file, line and key of every mistake.
source "$SEQGATE_SOURCE_DIR/tests/integration/daemon_lib.sh"

make_pki
write_config
start_server
"$SIM" illumina --out "$INSTRUMENTS" --size 12M --duration 0 --seed 11 >/dev/null
"$SIM" ont --out "$INSTRUMENTS" --size 6M --duration 0 --seed 12 >/dev/null
"$SIM" illumina --out "$INSTRUMENTS" --size 3M --duration 0 --seed 13 --outcome failed >/dev/null
write_daemon_config

# --check-config: a good file passes; a bad one lists every problem with file:line: key.
check "check-config accepts the test config" "$SEQGATED" --check-config --config "$WORK/seqgated.toml"
cp "$WORK/seqgated.toml" "$WORK/bad.toml"
sed -i 's/^parallel = 2/parallel = "two"/; s/^settle_seconds = 1/settle_secs = 1/' "$WORK/bad.toml"
"$SEQGATED" --check-config --config "$WORK/bad.toml" > "$WORK/bad.out" 2>&1 && fail "bad config accepted" || true
check "check-config names parallel's line" grep -q "bad.toml:[0-9]*: transfer.parallel: must be an integer" "$WORK/bad.out"
check "check-config names the unknown key" grep -q "bad.toml:[0-9]*: watch.settle_secs: unknown key" "$WORK/bad.out"
chmod 644 "$WORK/pki/lab-a.key"
"$SEQGATED" --check-config --config "$WORK/seqgated.toml" > "$WORK/perm.out" 2>&1 && fail "readable key accepted" || true
check "a client key readable by others is refused" grep -qi "lab-a.key" "$WORK/perm.out"
chmod 600 "$WORK/pki/lab-a.key"

# What the instruments wrote, entry by entry, to show afterwards that it was only read.
listing() { find "$INSTRUMENTS" -printf '%p %y %s %T@ %i %m\n' | sort; }
listing > "$WORK/instruments.before"
rc=0
timeout 300 "$SEQGATED" --once --config "$WORK/seqgated.toml" > "$WORK/daemon.log" 2>&1 || rc=$?
check "seqgated --once exits 0 (rc=$rc)" test "$rc" = 0
check "every shipped file is at the centre, byte-identical" check_delivered
check "all three runs have complete run receipts" run_receipts_complete 3
# The centre verified every byte against our SHA-256, and its receipt supplied the MD5
# (md5_from_centre): both, as the journal and the manifests record them, must be the original's.
digests_match() {
  local bad=0 n=0 dir rel sha md5
  while IFS=$'\t' read -r dir rel sha md5; do
    n=$((n + 1))
    [[ $sha == "$(sha256sum < "$dir/$rel" | cut -d' ' -f1)" ]] || { echo "  $rel: sha256 $sha"; bad=$((bad + 1)); }
    [[ $md5 == "$(md5sum < "$dir/$rel" | cut -d' ' -f1)" ]] || { echo "  $rel: md5 '$md5'"; bad=$((bad + 1)); }
    grep -q "\"$md5\"" $(find "$STORAGE/lab-a" -name seqgate-manifest.json) || { echo "  $rel: md5 not in a manifest"; bad=$((bad + 1)); }
  done < <(journal_sql "SELECT r.run_dir, f.rel_path, f.original_sha256, f.original_md5 FROM files f JOIN runs r ON r.id = f.run WHERE f.state = 'delivered'")
  echo "  $n delivered files' digests checked"
  ((n > 0 && bad == 0))
}
check "journal and manifests hold each original's SHA-256 and MD5 (sha256sum, md5sum)" digests_match
check "SeqgateDelivered.json written for every run" test "$(find "$WORK/delivered" -name SeqgateDelivered.json | wc -l)" = 3
check "the failed run shipped what exists; its manifest records the outcome" \
  grep -lq '"state": "failed"' $(find "$STORAGE/lab-a" -name seqgate-manifest.json)
check "the instrument folders were only read (every entry, size, mtime, inode, mode unchanged)" \
  bash -c 'diff <(find "$0" -printf "%p %y %s %T@ %i %m\n" | sort) "$1"' "$INSTRUMENTS" "$WORK/instruments.before"

before=$(uploads_at_centre)
rc=0
timeout 120 "$SEQGATED" --once --config "$WORK/seqgated.toml" > "$WORK/daemon2.log" 2>&1 || rc=$?
check "a second --once exits 0" test "$rc" = 0
check "a second --once creates no upload at the centre ($before before)" test "$(uploads_at_centre)" = "$before"

# A damaged journal: refuse to start, say how to recover, never start fresh over it.
cp "$STATE/journal.sqlite" "$WORK/journal.good"
rm -f "$STATE"/journal.sqlite-*
printf 'this is not a database at all, just text\n' > "$STATE/journal.sqlite"
rc=0
timeout 60 "$SEQGATED" --once --config "$WORK/seqgated.toml" > "$WORK/corrupt.log" 2>&1 || rc=$?
check "a damaged journal stops seqgated (rc=$rc)" test "$rc" = 1
check "the message says what is wrong and how to recover" \
  grep -q "not a seqgate journal.*move the journal aside" "$WORK/corrupt.log"
check "the damaged journal was left as it was" grep -q "just text" "$STATE/journal.sqlite"

if ((FAILURES > 0)); then echo "--- daemon log (tail)"; tail -n 60 "$WORK/daemon.log"; fi
finish
