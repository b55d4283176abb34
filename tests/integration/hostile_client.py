#!/usr/bin/python3
"""Hostile-client driver for tests/integration/ingest_hostile.sh (stdlib only).

  corpus PKI PORT STORAGE CORPUS SITE   every line of tests/hostile/paths.txt as creation
                                        metadata (+ the whole body when creation accepts);
                                        prints one line per mismatch and the counts by category
  slowloris PKI PORT N SECONDS          opens N TLS connections that trickle a request head,
                                        then asks OPTIONS on a fresh one; prints the outcome
  tcpflood PORT N                       opens N bare TCP connections that never say a word and
                                        holds them until stdin closes; prints "open N"
  probe PKI PORT WHO [SOURCE-IP]        one OPTIONS as WHO (from SOURCE-IP, e.g. 127.0.0.2):
                                        prints the status or "refused"
  peer MODE CERT KEY PORTFILE LOGFILE   a TLS server for the client-side checks (MODE tls11
                                        limits it to TLS 1.1); records every byte it is sent
"""
import base64
import hashlib
import http.client
import os
import socket
import ssl
import sys
import time
import warnings


def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1] == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out += text[i].encode()
            i += 1
    return bytes(out)


def client_context(pki, who):
    ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
    if who:
        ctx.load_cert_chain(os.path.join(pki, who + ".crt"), os.path.join(pki, who + ".key"))
    return ctx


class Client:
    """One keep-alive connection, reopened whenever the server closes it."""

    def __init__(self, pki, port, who, source=None):
        self.ctx = client_context(pki, who)
        self.port = port
        self.source = (source, 0) if source else None
        self.conn = None

    def request(self, method, target, headers, body=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection("localhost", self.port, context=self.ctx,
                                                        timeout=30, source_address=self.source)
            try:
                self.conn.request(method, target, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, {k.lower(): v for k, v in r.getheaders()}, data
            except (ConnectionError, http.client.HTTPException, ssl.SSLError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


def b64(b):
    return base64.b64encode(b).decode()


def corpus(pki, port, storage, path, site):
    c = Client(pki, port, site)
    counts = {}  # category -> [tried, as expected]
    failures = 0
    created = 0
    n = 0
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        n += 1
        cat, key, value, verdict, expect, note = (line.split("\t") + [""])[:6]
        value, expect = unescape(value), unescape(expect)
        body = ("case %d %s\n" % (n, cat)).encode()
        sha = hashlib.sha256(body).hexdigest()
        run = "H%03d" % n
        if key == "seqgate-path":
            md = [("seqgate-run", run.encode()), ("seqgate-path", value), ("seqgate-sha256", sha.encode())]
        elif key == "seqgate-run":
            run = value.decode("utf-8", "replace")
            md = [("seqgate-run", value), ("seqgate-path", b"f.txt"), ("seqgate-sha256", sha.encode())]
        else:
            md = [("filename", value)]
        headers = {"Tus-Resumable": "1.0.0", "Upload-Length": str(len(body)),
                   "Upload-Metadata": ",".join(k + " " + b64(v) for k, v in md),
                   "Content-Type": "application/offset+octet-stream"}
        status, h, text = c.request("POST", "/files/", headers, body)
        problem = None
        if status == 201:
            created += 1
        if verdict == "refuse":
            if status != 400:
                problem = "expected 400, got %d" % status
            elif expect not in text:
                problem = "400 body %r lacks %r" % (text[:200], expect)
            elif any(b < 0x20 and b not in (0x0a,) for b in text) or b"\r" in text:
                problem = "400 body carries control bytes: %r" % text[:200]
        elif status != 201:
            problem = "expected 201, got %d: %r" % (status, text[:200])
        elif verdict == "accept":
            stored = os.path.join(storage.encode(), site.encode(), run.encode(), expect)
            if h.get("seqgate-receipt-status") != "verified":
                problem = "receipt status %r" % h.get("seqgate-receipt-status")
            elif not os.path.isfile(stored) or open(stored, "rb").read() != body:
                problem = "not stored at %r" % stored
        else:  # plain
            uid = h.get("location", "").rsplit("/", 1)[-1]
            stored = os.path.join(storage.encode(), b".unverified", site.encode(), uid.encode(), expect)
            if h.get("seqgate-receipt-status") != "unverified":
                problem = "receipt status %r" % h.get("seqgate-receipt-status")
            elif not os.path.isfile(stored) or open(stored, "rb").read() != body:
                problem = "not stored at %r" % stored
        tally = counts.setdefault(cat, [0, 0])
        tally[0] += 1
        if problem:
            failures += 1
            shown = repr(value) if len(value) < 60 else "%r...(%d bytes)" % (value[:40], len(value))
            print("MISMATCH %s %s %s (%s): %s" % (cat, key, shown, note, problem))
        else:
            tally[1] += 1
    for cat, (tried, good) in counts.items():
        print("category %-14s %3d tried %3d as expected" % (cat, tried, good))
    print("total %d cases, %d created, %d mismatches" % (n, created, failures))
    return 1 if failures else 0


def slowloris(pki, port, count, seconds):
    ctx = client_context(pki, "lab-a")
    socks = []
    opened = 0
    for _ in range(count):
        try:
            s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                                server_hostname="localhost")
            s.sendall(b"OPTIONS /files/ HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
            opened += 1
        except (OSError, ssl.SSLError):
            break
    # Keep trickling one header line per second on every connection while a normal client asks.
    status = "refused"
    try:
        c = Client(pki, port, "lab-a")
        st, _, _ = c.request("OPTIONS", "/files/", {})
        status = str(st)
    except (OSError, ssl.SSLError, http.client.HTTPException) as e:
        status = "refused(%s)" % type(e).__name__
    alive = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        alive = 0
        for s in socks:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                alive += 1
            except (OSError, ssl.SSLError):
                pass
        time.sleep(0.5)
    closed = 0
    for s in socks:
        s.settimeout(5)
        try:
            s.sendall(b"X-Slow: 1\r\n")
            closed += s.recv(1) == b""
        except (OSError, ssl.SSLError):
            closed += 1
    print("opened %d normal %s closed %d" % (opened, status, closed))


def tcpflood(port, count):
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    print("open %d" % len(socks), flush=True)
    sys.stdin.read()
    for s in socks:
        s.close()


def probe(pki, port, who, source=None):
    port = int(port)
    try:
        c = Client(pki, port, who, source)
        st, _, _ = c.request("OPTIONS", "/files/", {})
        print(st)
    except (OSError, ssl.SSLError, http.client.HTTPException):
        print("refused")


def peer(mode, cert, key, portfile, logfile):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if mode == "tls11":
        warnings.simplefilter("ignore", DeprecationWarning)  # that is the point of this peer
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    log = open(logfile, "ab", buffering=0)
    while True:
        raw, _ = srv.accept()
        raw.settimeout(10)
        try:
            s = ctx.wrap_socket(raw, server_side=True)
            log.write(b"HANDSHAKE %s\n" % s.version().encode())
            data = s.recv(65536)
            log.write(b"DATA %d\n" % len(data))
            if data:
                s.sendall(b"HTTP/1.1 500 peer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            s.close()
        except (OSError, ssl.SSLError) as e:
            log.write(b"FAILED %s\n" % str(e).encode()[:200])
            raw.close()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "corpus":
        return corpus(args[0], int(args[1]), args[2], args[3], args[4])
    if cmd == "slowloris":
        return slowloris(args[0], int(args[1]), int(args[2]), float(args[3]))
    if cmd == "tcpflood":
        return tcpflood(int(args[0]), int(args[1]))
    if cmd == "probe":
        return probe(*args[:2], args[2], args[3] if len(args) > 3 else None)
    if cmd == "peer":
        return peer(*args)
    raise SystemExit("unknown command " + cmd)


sys.exit(main() or 0)
