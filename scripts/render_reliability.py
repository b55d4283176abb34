#!/usr/bin/env python3
"""Renders docs/reliability.md from the figures a test run collected (scripts/reliability.sh).

Input, all under REPORT_DIR:
  <suite>.tsv         lines "metric<TAB>value<TAB>note" written by the integration suites' `report`
  fuzz-summary.json   scripts/fuzz.sh: per target executions, coverage, corpus, crashes
  phases.tsv          scripts/test.sh: "phase<TAB>tests<TAB>seconds" per ctest phase
Only the standard library: it runs with any python3.
"""
import datetime
import json
import os
import sys

PROMISE = """\
# Reliability: what is promised, and what tried to break it

seqgate promises four things. **Nothing is lost**: a byte the centre acknowledged survives any
crash or power cut on either side, and a file the gateway saw is delivered or reported, never
forgotten. **Nothing is delivered half**: the centre publishes a file only after decompressing and
re-hashing all of it against the gateway's SHA-256, atomically. **Nothing is delivered twice**: a
resumed or repeated upload never creates a second copy. **Nobody writes where they don't belong**:
only a certificate issued by the centre writes, only into its own site's space, and paths from the
network are never trusted; the instrument's folders are only read.

The figures below come from the suites in the test command that try hard to break those promises,
collected by one command: `scripts/reliability.sh` (it runs `scripts/test.sh` with the figures
switched on and rewrites this file). Nothing here is typed by hand.
"""

# What each suite does to the promise, in the order the document lists them.
SUITES = [
    ("power_cut", "Power cuts (crash consistency)",
     "A fault-injecting seam under the ingest storage (Env) and under the journal (a SQLite VFS) "
     "drops every write, creation, rename and removal not yet fsync'd, then kills the process: "
     "the disk is what a power cut would leave. Cut points are swept over a whole delivery at the "
     "centre and in seqgated; after each, both sides restart without a human and the upload "
     "completes byte-identical, published once, nothing acknowledged lost."),
    ("daemon_kill", "SIGKILL during delivery",
     "seqgated and seqgate-ingest killed at random moments during a multi-file run; every file "
     "delivered byte-identical, no duplicates, re-sent bytes bounded."),
    ("ingest_crash", "SIGKILL at the centre mid-PATCH", ""),
    ("transfer_ingest_faults", "Network faults (fault proxy)",
     "Connections cut up and down, stalls, flipped bytes, refused connections, latency, "
     "throttling, 429/Retry-After: each upload completes byte-identical, at most one PATCH re-sent."),
    ("transfer_interrupt", "Interrupted uploads", ""),
    ("centre_faults", "Disk full, read-only storage, clock jumps", ""),
    ("storage_faults", "Disk full, read-only storage", ""),
    ("clock_jumps", "Clock jumps", ""),
    ("soak", "Soak", "Many small runs and a large one through random proxy faults; every file "
     "delivered exactly once and byte-identical; memory flat."),
    ("daemon_faults", "Centre refusals and source changes",
     "403, 413, 507 from the centre; a source rewritten and a run folder deleted mid-upload."),
    ("ingest_hostile", "Hostile clients and inputs",
     "Path names (traversal, absolute, NUL, control characters, overlong, Unicode tricks, "
     "normalisation collisions), oversized heads and metadata, slowloris, cross-site upload URLs, "
     "bad certificates, old TLS versions and weak ciphers; nothing written outside the site's space."),
    ("ingest_limits", "Limits and slow clients", ""),
]


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                rows.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    return rows


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: render_reliability.py REPORT_DIR")
    d = sys.argv[1]
    doc = [PROMISE]
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc.append(f"Generated {stamp} on a {os.cpu_count()}-core machine.\n")

    phases = os.path.join(d, "phases.tsv")
    if os.path.exists(phases):
        doc.append("## The test command\n")
        doc.append(table(["phase", "tests", "seconds"], read_tsv(phases)) + "\n")

    fuzz = os.path.join(d, "fuzz-summary.json")
    if os.path.exists(fuzz):
        with open(fuzz, encoding="utf-8") as f:
            s = json.load(f)
        rows, total = [], 0
        for t in sorted(s):
            v = s[t]
            total += int(v.get("executions", 0))
            rows.append((t, v.get("seconds", ""), f"{int(v.get('executions', 0)):,}",
                         v.get("coverage", ""), v.get("features", ""), v.get("corpus_files", ""),
                         v.get("crashes", 0)))
        doc.append("## Fuzzing (libFuzzer, ASan + UBSan)\n")
        doc.append("Every parser fed from outside has a target; each runs from its kept seed corpus "
                   "and regressions (tests/fuzz/). Crashes found were fixed and their inputs kept: "
                   "every build replays them.\n")
        doc.append(table(["target", "seconds", "executions", "coverage", "features",
                          "corpus files", "crashes"], rows))
        doc.append(f"\n{total:,} executions in all.\n")

    seen = set()
    known = [s for s in SUITES if os.path.exists(os.path.join(d, s[0] + ".tsv"))]
    others = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".tsv") and f != "phases.tsv"
                    and f[:-4] not in {s[0] for s in SUITES})
    sections = known + [(o, o.replace("_", " "), "") for o in others]
    if sections:
        doc.append("## Fault, crash and hostile-input suites\n")
    for name, title, what in sections:
        seen.add(name)
        # The suite runs in the g++ build and again in the ASan build: one row per figure,
        # its values in run order.
        merged = {}
        for metric, value, note in read_tsv(os.path.join(d, name + ".tsv")):
            m = merged.setdefault(metric, ([], note))
            m[0].append(value)
        rows = [(k, " / ".join(v), n) for k, (v, n) in merged.items()]
        doc.append(f"### {title} (`tests/integration/{name}.sh`)\n")
        if what:
            doc.append(what + "\n")
        doc.append(table(["figure", "value (g++ / ASan run)", "note"], rows) + "\n")
    sys.stdout.write("\n".join(doc))


if __name__ == "__main__":
    main()
