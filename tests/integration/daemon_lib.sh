# Shared helpers for the daemon_*.sh integration tests (sourced): a centre (seqgate-ingest from
# ingest_lib.sh), simulated instrument runs, a seqgated config, and checks of what arrived at
# the centre against the instrument's files with independent tools (zstd, cmp, sha256sum).
# shellcheck source=transfer_lib.sh
source "$SEQGATE_SOURCE_DIR/tests/integration/transfer_lib.sh"

SEQGATED="$SEQGATE_BIN_DIR/seqgated"
SEQGATECTL="$SEQGATE_BIN_DIR/seqgatectl"
SIM="$SEQGATE_BIN_DIR/seqgate-sim"
INSTRUMENTS="$WORK/instruments"
STATE="$WORK/state"
DAEMON_PID=""
mkdir -p "$INSTRUMENTS"

daemon_cleanup() {
  if [[ -n "$DAEMON_PID" ]]; then kill -KILL "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; fi
  transfer_cleanup
}
trap daemon_cleanup EXIT

# write_daemon_config [ENDPOINT] [extra [transfer] lines...] → $WORK/seqgated.toml
write_daemon_config() {
  local endpoint=${1:-$ENDPOINT}
  shift || true
  chmod 600 "$WORK"/pki/*.key
  cat > "$WORK/seqgated.toml" <<TOML
[gateway]
site = "lab-a"
state_dir = "$STATE"
log_level = "debug"
metrics = ""
delivered_dir = "$WORK/delivered"

[centre]
endpoint = "$endpoint"
client_cert = "$WORK/pki/lab-a.crt"
client_key = "$WORK/pki/lab-a.key"
ca = "$WORK/pki/ca.crt"

[transfer]
parallel = 2
patch_size = "1MiB"
$(printf '%s\n' "$@")

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

# shipped_files — "run_root<TAB>relative path" of every file the bridge ships, from seqgatectl scan.
shipped_files() {
  "$SEQGATECTL" scan "$INSTRUMENTS" --json --settle 0 | /usr/bin/python3 -c '
import json, sys
for run in json.load(sys.stdin):
    for f in run.get("files", []):
        if f.get("ships"):
            print(run["root"] + "\t" + f["path"])'
}

# centre_copy RUN_ROOT PATH — the verified copy at the centre of one file (prints its path).
centre_copy() {
  local rel=$2
  find "$STORAGE/lab-a" -type f \( -path "*/$rel" -o -path "*/$rel.zst" \) 2>/dev/null | head -n 1
}

# check_delivered — every shipped file is at the centre exactly once, under its run's name (from
# the gateway's journal), and decompresses to the byte-identical original (stock zstd).
check_delivered() {
  local bad=0 n=0 root rel copy name
  while IFS=$'\t' read -r root rel; do
    n=$((n + 1))
    name=$(journal_sql "SELECT name FROM runs WHERE run_dir='$root'")
    if [[ -z $name ]]; then echo "  $root: unknown to the journal"; bad=$((bad + 1)); continue; fi
    mapfile -t copies < <(find "$STORAGE/lab-a/$name" -type f \( -path "*/$name/$rel" -o -path "*/$name/$rel.zst" \) 2>/dev/null)
    if ((${#copies[@]} != 1)); then
      echo "  $name/$rel: ${#copies[@]} copies at the centre"; bad=$((bad + 1)); continue
    fi
    copy=${copies[0]}
    if [[ $copy == *.zst ]]; then
      zstd -dqc "$copy" | cmp -s - "$root/$rel" || { echo "  $rel: differs after zstd -d"; bad=$((bad + 1)); }
    else
      cmp -s "$copy" "$root/$rel" || { echo "  $rel: differs"; bad=$((bad + 1)); }
    fi
  done < <(shipped_files)
  echo "  $n shipped files checked"
  ((n > 0 && bad == 0))
}

# run_receipts_complete N — N run receipts at the centre, each with status complete.
run_receipts_complete() {
  local want=$1 got
  got=$(find "$STORAGE/.receipts/lab-a" -name run.json 2>/dev/null | wc -l)
  [[ $got == "$want" ]] || { echo "  $got run receipts, want $want"; return 1; }
  for f in $(find "$STORAGE/.receipts/lab-a" -name run.json); do
    /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["receipt"]; sys.exit(0 if r["status"]=="complete" else 1)' "$f" ||
      { echo "  $f: not complete"; return 1; }
  done
}

# uploads_at_centre — how many uploads the centre created for lab-a (duplicates show up here).
uploads_at_centre() { (find "$STORAGE/.uploads/lab-a" -mindepth 1 -maxdepth 1 -type d 2>/dev/null || true) | wc -l; }

# delivered_once — no file was verified twice at the centre: per run and path at most one upload
# has a verified receipt of its own (a deduplicated one names the original in duplicate_of).
delivered_once() {
  /usr/bin/python3 - "$STORAGE/.uploads/lab-a" <<'PY'
import collections, json, os, sys
root = sys.argv[1]
seen = collections.Counter()
for d in os.listdir(root):
    p = os.path.join(root, d, "receipt.json")
    if not os.path.exists(p):
        continue
    r = json.load(open(p))["receipt"]
    if r.get("status") == "verified" and not r.get("duplicate_of"):
        seen[(r.get("run"), r.get("path"))] += 1
twice = [k for k, n in seen.items() if n > 1]
for k in twice:
    print("  delivered twice:", k)
sys.exit(1 if twice else 0)
PY
}

# stored_bytes — bytes of every file stored for lab-a at the centre (what had to be sent once).
stored_bytes() { find "$STORAGE/lab-a" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }

# start_daemon [extra args] — seqgated in the background (service mode), log appended.
start_daemon() {
  "$SEQGATED" --config "$WORK/seqgated.toml" "$@" >>"$WORK/daemon.log" 2>&1 &
  DAEMON_PID=$!
}

# journal_sql SQL — runs a query on the gateway's journal (read-only, as an operator would).
journal_sql() {
  /usr/bin/python3 - "$STATE/journal.sqlite" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for row in db.execute(sys.argv[2]):
    print("\t".join("" if v is None else str(v) for v in row))
PY
}

# wait_for SECONDS COMMAND... — polls until COMMAND succeeds; fails after SECONDS.
wait_for() {
  local secs=$1
  shift
  local end=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < end)) || return 1
    sleep 0.3
  done
}
receipts_count() { (find "$STORAGE/.receipts/lab-a" -name run.json 2>/dev/null || true) | wc -l; }
