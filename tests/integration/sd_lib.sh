# Shared by the *_systemd.sh tests (sourced): python3 plays systemd's notify socket and
# journald's native socket, and helpers ask what arrived. The sourcing script sets its EXIT trap
# to call stop_listener.
LISTENER_PID=""
stop_listener() {
  if [[ -n "$LISTENER_PID" ]]; then kill "$LISTENER_PID" 2>/dev/null || true; wait "$LISTENER_PID" 2>/dev/null || true; fi
  LISTENER_PID=""
}
# listen.py NOTIFY_SOCK JOURNAL_SOCK OUT_DIR: every notify datagram → notify.jsonl, every
# journal entry (datagram or memfd) parsed like journald → journal.jsonl.
cat > "$WORK/listen.py" <<'PY'
import array, json, os, socket, sys, select
notify_path, journal_path, out = sys.argv[1:4]
socks = {}
for name, path in (("notify", notify_path), ("journal", journal_path)):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    socks[s.fileno()] = (name, s)
def parse(d):
    fields, i = {}, 0
    while i < len(d):
        nl = d.index(b"\n", i)
        line = d[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1); i = nl + 1
        else:
            n = int.from_bytes(d[nl + 1:nl + 9], "little")
            k, v = line, d[nl + 9:nl + 9 + n]; i = nl + 9 + n + 1
        fields.setdefault(k.decode(), []).append(v.decode())
    return fields
files = {n: open(os.path.join(out, n + ".jsonl"), "a", buffering=1) for n in ("notify", "journal")}
open(os.path.join(out, "listening"), "w").close()
while True:
    for fd in select.select(list(socks), [], [])[0]:
        name, s = socks[fd]
        fds = array.array("i")
        data, anc, _, _ = s.recvmsg(1 << 20, socket.CMSG_SPACE(4))
        for level, typ, cdata in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fds.frombytes(cdata[:4])
        for f in fds:
            data = os.pread(f, os.fstat(f).st_size, 0); os.close(f)
        rec = data.decode() if name == "notify" else parse(data)
        files[name].write(json.dumps(rec) + "\n")
PY

start_listener() {
  rm -f "$WORK/notify.sock" "$WORK/journal.sock" "$WORK/notify.jsonl" "$WORK/journal.jsonl" "$WORK/listening"
  /usr/bin/python3 "$WORK/listen.py" "$WORK/notify.sock" "$WORK/journal.sock" "$WORK" &
  LISTENER_PID=$!
  for _ in $(seq 1 100); do [[ -e "$WORK/listening" ]] && return 0; sleep 0.1; done
  echo "listener did not start"; return 1
}

# notified REGEX: some notify datagram matches (python, since datagrams hold newlines).
notified() {
  /usr/bin/python3 - "$WORK/notify.jsonl" "$1" <<'PY'
import json, re, sys
sys.exit(0 if any(re.search(sys.argv[2], json.loads(l)) for l in open(sys.argv[1])) else 1)
PY
}
# wait_notified REGEX: polls for it (at most 20 s: a bound, not a speed check).
wait_notified() {
  for _ in $(seq 1 200); do notified "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# journal_has EVENT KEY=VALUE...: some journal entry for EVENT carries every KEY=VALUE exactly.
journal_has() {
  /usr/bin/python3 - "$WORK/journal.jsonl" "$@" <<'PY'
import json, sys
path, event, *want = sys.argv[1:]
for line in open(path):
    e = json.loads(line)
    if e.get("SEQGATE_EVENT") != [event]: continue
    if all(e.get(k) == [v] for k, v in (w.split("=", 1) for w in want)): sys.exit(0)
sys.exit(1)
PY
}
# message_id EVENT: the id the catalogue in the source assigns to EVENT.
message_id() {
  grep -F "{\"$1\", \"" "$SEQGATE_SOURCE_DIR/src/common/log_events.cc" | grep -o '[0-9a-f]\{32\}'
}

