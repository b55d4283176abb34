#!/usr/bin/python3
"""A strict fake S3 server for seqgate's tests: multipart uploads only as strict as AWS S3 is,
plus the SDA s3inbox's token rule, over TLS on loopback. Python stdlib only (Debian python3).

Checks every request: SigV4 (its own implementation, written from the AWS documentation, not
shared with seqgate), x-amz-date skew, the payload's x-amz-content-sha256, Content-MD5, the
session token (x-amz-security-token or Authorization: Bearer; JWT `exp` enforced like the inbox
does). Multipart: 5 MiB minimum part size except the last, ListParts paging, Complete with ETag
and order checks, Abort, ListMultipartUploads (prefix, key/upload-id markers, --list-page),
HeadObject, GetObject, PutObject, ListObjectsV2 (prefix, one page). "open_uploads" in the
statistics lists the uploads neither completed nor aborted (orphans, once the client is done).
--inbox-only answers 403 AccessDenied to what the SDA s3inbox refuses (HeadObject, GetObject,
object DELETE): it allows uploads and listings only.

Fault knobs come from a JSON file re-read on every request (--knobs), so a test can change them
while the server runs:
  {"slowdown": {"3": 2}}         503 SlowDown for the next 2 UploadPart requests of part 3
  {"corrupt": {"2": 1}}          flip one received byte of part 2 once (→ 400 BadDigest)
  {"complete_error": "InternalError", "complete_error_count": 1}
                                 CompleteMultipartUpload answers 200 with an <Error> body
  {"complete_drop": 1}           complete the upload, then close without answering
  {"create_drop": 1}             create the upload, then close without answering (an orphan
                                 unless the client finds it with ListMultipartUploads)
  {"part_delay": 0.5}            sleep before answering each UploadPart
  {"deny": "AccessDenied"}       403 with that code for every request
  {"revoke": ["<sha256 hex of a token>"]}  401 for requests carrying that token (as the
                                 s3inbox answers a token it no longer accepts)
Statistics (--stats, JSON, rewritten after every request): per upload and part the bytes
received (all attempts), request counts per operation, rejections per reason.
"""
import argparse, base64, hashlib, hmac, json, os, re, shutil, ssl, sys, threading, time, uuid
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree as ET

MIN_PART = 5 * 1024 * 1024
LOCK = threading.Lock()
STATS = {"requests": {}, "rejected": {}, "part_bytes": {}, "part_puts": {}, "completed": [],
         "aborted": [], "expired_token_requests": 0, "uploads_created": 0}
UPLOADS = {}  # upload id -> {"bucket", "key", "parts": {n: (size, md5hex)}}
ARGS = None


def count(table, key, n=1):
    STATS[table][key] = STATS[table].get(key, 0) + n


def write_stats():
    if not ARGS.stats:
        return
    STATS["open_uploads"] = sorted("%s/%s %s" % (u["bucket"], u["key"], uid) for uid, u in UPLOADS.items())
    tmp = ARGS.stats + ".tmp"
    with open(tmp, "w") as f:
        json.dump(STATS, f)
    os.replace(tmp, ARGS.stats)


def knobs():
    if not ARGS.knobs or not os.path.exists(ARGS.knobs):
        return {}
    try:
        with open(ARGS.knobs) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_knobs(k):
    tmp = ARGS.knobs + ".tmp"
    with open(tmp, "w") as f:
        json.dump(k, f)
    os.replace(tmp, ARGS.knobs)


def take_knob(name, part):
    """Consumes one use of a per-part counter knob; True when it fired."""
    with LOCK:
        k = knobs()
        left = k.get(name, {}).get(str(part), 0)
        if left <= 0:
            return False
        k[name][str(part)] = left - 1
        save_knobs(k)
        return True


def sha256hex(b):
    return hashlib.sha256(b).hexdigest()


def hmac256(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


class S3Error(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def jwt_payload(token):
    parts = token.split(".")
    if len(parts) != 3:
        raise S3Error(401, "InvalidToken", "token is not a JWT")
    pad = "=" * (-len(parts[1]) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(parts[1] + pad))
    except ValueError:
        raise S3Error(401, "InvalidToken", "token payload is not base64url JSON")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server_version = "fake-s3"

    def log_message(self, fmt, *args):
        if ARGS.verbose:
            sys.stderr.write("fake_s3: " + (fmt % args) + "\n")

    # ---- plumbing ---------------------------------------------------------------------------
    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        headers = headers or {}
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def drain(self):
        """Reads an unread request body, so closing the connection after an early error does not
        reset it (a reset can destroy the answer before the client reads it)."""
        if getattr(self, "body_read", False):
            return
        self.body_read = True
        n = self.headers.get("Content-Length", "0")
        left = int(n) if n.isdigit() else 0
        try:
            while 0 < left <= 1 << 30:
                chunk = self.rfile.read(min(1 << 20, left))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def error(self, e):
        self.drain()
        if not e.code:
            with LOCK:
                count("rejected", "status_%d" % e.status)
                write_stats()
            self.close_connection = True
            self.send(e.status, (e.message + "\n").encode(), {"Content-Type": "text/plain", "Connection": "close"})
            return
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
                "</Error>" % (e.code, e.message.replace("&", "&amp;").replace("<", "&lt;"))).encode()
        with LOCK:
            count("rejected", e.code)
            write_stats()
        self.close_connection = True  # the unread body (if any) makes the connection unusable
        self.send(e.status, body, {"Content-Type": "application/xml", "Connection": "close"})

    def split(self):
        raw_path, _, raw_query = self.path.partition("?")
        path = urllib.parse.unquote(raw_path)
        query = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
        segs = path.split("/", 2)
        if len(segs) < 2 or not segs[1]:
            raise S3Error(400, "InvalidBucketName", "path-style bucket expected")
        bucket = segs[1]
        key = segs[2] if len(segs) > 2 else ""
        return raw_path, raw_query, path, dict(query), query, bucket, key

    def read_body(self, sink=None, corrupt=False):
        """Reads Content-Length bytes; returns (data or None, md5, sha256, size)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise S3Error(501, "NotImplemented", "chunked transfer encoding is not accepted")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise S3Error(411, "MissingContentLength", "Content-Length required")
        n = int(length)
        self.body_read = True
        md5, sha = hashlib.md5(), hashlib.sha256()
        keep = [] if sink is None else None
        got = 0
        while got < n:
            chunk = self.rfile.read(min(1 << 20, n - got))
            if not chunk:
                raise S3Error(400, "IncompleteBody", "body shorter than Content-Length")
            if corrupt and got == 0:
                chunk = bytes([chunk[0] ^ 0xFF]) + chunk[1:]
            got += len(chunk)
            md5.update(chunk)
            sha.update(chunk)
            if sink is not None:
                sink.write(chunk)
            else:
                keep.append(chunk)
        return (b"".join(keep) if keep is not None else None), md5, sha, n

    # ---- authentication ---------------------------------------------------------------------
    def check_token(self, token):
        if ARGS.token_required and not token:
            raise S3Error(401, "AccessDenied", "no access token")
        if not token:
            return
        if sha256hex(token.encode()) in knobs().get("revoke", []):
            raise S3Error(401, "", "token revoked")  # the s3inbox proxy: a bare 401
        claims = jwt_payload(token)
        exp = claims.get("exp")
        if isinstance(exp, (int, float)) and time.time() >= exp:
            with LOCK:
                STATS["expired_token_requests"] += 1
            raise S3Error(403, "ExpiredToken", "The provided token has expired.")
        if ARGS.expect_sub and claims.get("sub") != ARGS.expect_sub:
            raise S3Error(403, "AccessDenied", "token subject does not match")

    def check_auth(self, raw_path, query_pairs, bucket):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            if not ARGS.allow_bearer:
                raise S3Error(403, "AccessDenied", "bearer tokens not accepted")
            self.check_token(auth[7:].strip())
            if ARGS.token_required and ARGS.expect_sub is None and bucket != jwt_payload(auth[7:].strip()).get("sub", bucket):
                raise S3Error(400, "InvalidRequest", "token user differs from URL user")
            return
        m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, ?"
                         r"SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})", auth)
        if not m:
            raise S3Error(403, "AccessDenied", "missing or malformed SigV4 Authorization")
        ak, date, region, signed, signature = m.groups()
        if ak != ARGS.access_key:
            raise S3Error(403, "InvalidAccessKeyId", "unknown access key")
        if region != ARGS.region:
            raise S3Error(400, "AuthorizationHeaderMalformed", "wrong region")
        amz_date = self.headers.get("x-amz-date", "")
        try:
            t = time.mktime(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")) - time.timezone
        except ValueError:
            raise S3Error(403, "AccessDenied", "bad x-amz-date")
        if abs(time.time() - t) > 900:
            raise S3Error(403, "RequestTimeTooSkewed", "x-amz-date too far from now")
        if amz_date[:8] != date:
            raise S3Error(403, "SignatureDoesNotMatch", "scope date differs from x-amz-date")
        names = signed.split(";")
        for required in ("host", "x-amz-date", "x-amz-content-sha256"):
            if required not in names:
                raise S3Error(403, "AccessDenied", "%s must be signed" % required)
        for h in ("content-md5", "x-amz-security-token"):
            if h in self.headers and h not in names:
                raise S3Error(403, "AccessDenied", "%s present but not signed" % h)
        token = self.headers.get("x-amz-security-token")
        if ARGS.token_required or token:
            self.check_token(token)
        canon_headers = ""
        for n in names:
            v = self.headers.get_all(n)
            if v is None:
                raise S3Error(403, "SignatureDoesNotMatch", "signed header %s missing" % n)
            canon_headers += n + ":" + ",".join(" ".join(x.split()) for x in v) + "\n"
        uri = urllib.parse.quote(urllib.parse.unquote(raw_path), safe="/~")
        q = sorted((urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                   for k, v in query_pairs)
        canon_query = "&".join("%s=%s" % kv for kv in q)
        creq = "\n".join([self.command, uri, canon_query, canon_headers, signed,
                          self.headers.get("x-amz-content-sha256", "")])
        scope = "%s/%s/s3/aws4_request" % (date, region)
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, sha256hex(creq.encode())])
        k = hmac256(("AWS4" + ARGS.secret_key).encode(), date)
        for part in (region, "s3", "aws4_request"):
            k = hmac256(k, part)
        want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, signature):
            raise S3Error(403, "SignatureDoesNotMatch", "signature mismatch")

    def check_payload(self, md5, sha, what):
        declared = self.headers.get("x-amz-content-sha256", "")
        if declared.startswith("STREAMING-"):
            raise S3Error(400, "NotImplemented", "aws-chunked uploads are not accepted")
        cmd5 = self.headers.get("Content-MD5")
        if cmd5 is not None and cmd5 != base64.b64encode(md5.digest()).decode():
            raise S3Error(400, "BadDigest", what + ": Content-MD5 mismatch")
        if declared != "UNSIGNED-PAYLOAD" and declared != sha.hexdigest():
            raise S3Error(400, "XAmzContentSHA256Mismatch", what + ": payload SHA-256 mismatch")

    # ---- operations -------------------------------------------------------------------------
    def handle_any(self):
        self.body_read = False
        try:
            raw_path, raw_query, path, q, pairs, bucket, key = self.split()
            k = knobs()
            if k.get("deny"):
                raise S3Error(403, k["deny"], "denied by knob")
            if self.headers.get("x-amz-checksum-algorithm") or any(h.lower().startswith("x-amz-checksum-") for h in self.headers):
                raise S3Error(400, "NotImplemented", "flexible checksums are not accepted")
            self.check_auth(raw_path, pairs, bucket)
            op = self.route(q, key)
            if ARGS.inbox_only and op in ("head", "get"):
                raise S3Error(403, "AccessDenied", "the inbox allows uploads and listings only")
            with LOCK:
                count("requests", op)
            getattr(self, "op_" + op)(q, bucket, key, k)
        except S3Error as e:
            self.error(e)
        with LOCK:
            write_stats()

    def route(self, q, key):
        c = self.command
        if c == "POST" and "uploads" in q:
            return "create"
        if c == "PUT" and "uploadId" in q and "partNumber" in q:
            return "upload_part"
        if c == "GET" and "uploads" in q and not key:
            return "list_uploads"
        if c == "GET" and q.get("list-type") == "2" and not key:
            return "list_objects"
        if c == "GET" and "uploadId" in q:
            return "list_parts"
        if c == "POST" and "uploadId" in q:
            return "complete"
        if c == "DELETE" and "uploadId" in q:
            return "abort"
        if c == "HEAD" and key:
            return "head"
        if c == "GET" and key:
            return "get"
        if c == "PUT" and key and not q:
            return "put"
        raise S3Error(405, "MethodNotAllowed", "%s %s not supported" % (c, self.path))

    def upload(self, q, bucket, key):
        u = UPLOADS.get(q["uploadId"])
        if u is None or u["bucket"] != bucket or u["key"] != key:
            raise S3Error(404, "NoSuchUpload", "The specified upload does not exist.")
        return u

    def xml(self, status, root):
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
        self.send(status, body, {"Content-Type": "application/xml"})

    def op_create(self, q, bucket, key, k):
        _, md5, sha, _ = self.read_body()
        self.check_payload(md5, sha, "CreateMultipartUpload")
        if not key:
            raise S3Error(400, "InvalidRequest", "no key")
        uid = uuid.uuid4().hex
        os.makedirs(os.path.join(ARGS.dir, "uploads", uid))
        with LOCK:
            UPLOADS[uid] = {"bucket": bucket, "key": key, "parts": {}}
            STATS["uploads_created"] += 1
        r = ET.Element("InitiateMultipartUploadResult")
        ET.SubElement(r, "Bucket").text = bucket
        ET.SubElement(r, "Key").text = key
        ET.SubElement(r, "UploadId").text = uid
        with LOCK:
            kk = knobs()
            drop = kk.get("create_drop", 0) > 0
            if drop:
                kk["create_drop"] -= 1
                save_knobs(kk)
                count("rejected", "create_answer_dropped")
        if drop:  # created, but the answer is lost: the connection just closes
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.xml(200, r)

    def op_list_uploads(self, q, bucket, key, k):
        prefix = q.get("prefix", "")
        km, im = q.get("key-marker", ""), q.get("upload-id-marker", "")
        page = min(int(q.get("max-uploads", "1000") or 1000), ARGS.list_page, 1000)
        with LOCK:
            ups = sorted((u["key"], uid) for uid, u in UPLOADS.items()
                         if u["bucket"] == bucket and u["key"].startswith(prefix))
        if km:
            ups = [x for x in ups if x > (km, im)]
        shown = ups[:page]
        r = ET.Element("ListMultipartUploadsResult")
        ET.SubElement(r, "Bucket").text = bucket
        ET.SubElement(r, "Prefix").text = prefix
        ET.SubElement(r, "IsTruncated").text = "true" if len(ups) > page else "false"
        if len(ups) > page:
            ET.SubElement(r, "NextKeyMarker").text = shown[-1][0]
            ET.SubElement(r, "NextUploadIdMarker").text = shown[-1][1]
        for kk, uid in shown:
            u = ET.SubElement(r, "Upload")
            ET.SubElement(u, "Key").text = kk
            ET.SubElement(u, "UploadId").text = uid
        self.xml(200, r)

    def op_upload_part(self, q, bucket, key, k):
        u = self.upload(q, bucket, key)
        try:
            n = int(q["partNumber"])
        except ValueError:
            n = 0
        if not 1 <= n <= 10000:
            raise S3Error(400, "InvalidArgument", "part number must be 1..10000")
        uid = q["uploadId"]
        tmp = os.path.join(ARGS.dir, "uploads", uid, "%d.%s.tmp" % (n, uuid.uuid4().hex))
        corrupt = take_knob("corrupt", n)
        try:
            with open(tmp, "wb") as f:
                try:
                    _, md5, sha, size = self.read_body(sink=f, corrupt=corrupt)
                finally:
                    with LOCK:
                        count("part_bytes", "%s:%d" % (uid, n), f.tell())
                        count("part_puts", str(n))
            if take_knob("slowdown", n):
                raise S3Error(503, "SlowDown", "Please reduce your request rate.")
            self.check_payload(md5, sha, "UploadPart %d" % n)
            delay = k.get("part_delay", 0)
            if delay:
                time.sleep(delay)
            with LOCK:
                if uid not in UPLOADS:
                    raise S3Error(404, "NoSuchUpload", "aborted meanwhile")
                os.replace(tmp, os.path.join(ARGS.dir, "uploads", uid, str(n)))
                u["parts"][n] = (size, md5.hexdigest())
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.send(200, b"", {"ETag": '"%s"' % md5.hexdigest()})

    def op_list_parts(self, q, bucket, key, k):
        u = self.upload(q, bucket, key)
        marker = int(q.get("part-number-marker", "0") or 0)
        page = min(int(q.get("max-parts", "1000") or 1000), ARGS.list_page, 1000)
        with LOCK:
            nums = sorted(n for n in u["parts"] if n > marker)
            shown = nums[:page]
            r = ET.Element("ListPartsResult")
            ET.SubElement(r, "Bucket").text = bucket
            ET.SubElement(r, "Key").text = key
            ET.SubElement(r, "UploadId").text = q["uploadId"]
            ET.SubElement(r, "PartNumberMarker").text = str(marker)
            ET.SubElement(r, "MaxParts").text = str(page)
            ET.SubElement(r, "IsTruncated").text = "true" if len(nums) > page else "false"
            if shown:
                ET.SubElement(r, "NextPartNumberMarker").text = str(shown[-1])
            for n in shown:
                p = ET.SubElement(r, "Part")
                ET.SubElement(p, "PartNumber").text = str(n)
                ET.SubElement(p, "ETag").text = '"%s"' % u["parts"][n][1]
                ET.SubElement(p, "Size").text = str(u["parts"][n][0])
        self.xml(200, r)

    def op_complete(self, q, bucket, key, k):
        u = self.upload(q, bucket, key)
        body, md5, sha, _ = self.read_body()
        self.check_payload(md5, sha, "CompleteMultipartUpload")
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            raise S3Error(400, "MalformedXML", "bad XML")
        ns = ""
        if root.tag.startswith("{"):
            ns = root.tag[: root.tag.index("}") + 1]
        listed = []
        for p in root.findall(ns + "Part"):
            try:
                listed.append((int(p.findtext(ns + "PartNumber")), p.findtext(ns + "ETag").strip('"')))
            except (TypeError, ValueError):
                raise S3Error(400, "MalformedXML", "bad Part")
        if not listed:
            raise S3Error(400, "MalformedXML", "no parts")
        if [n for n, _ in listed] != sorted(set(n for n, _ in listed)):
            raise S3Error(400, "InvalidPartOrder", "parts must be ascending")
        with LOCK:
            parts = dict(u["parts"])
        for i, (n, etag) in enumerate(listed):
            if n not in parts or parts[n][1] != etag.lower():
                raise S3Error(400, "InvalidPart", "part %d missing or ETag differs" % n)
            if i < len(listed) - 1 and parts[n][0] < MIN_PART:
                raise S3Error(400, "EntityTooSmall", "part %d is under 5 MiB" % n)
        err = k.get("complete_error")
        if err:
            with LOCK:
                kk = knobs()
                left = kk.get("complete_error_count", 1)
                fire = left > 0
                if fire:
                    kk["complete_error_count"] = left - 1
                    save_knobs(kk)
            if fire:
                body = ("<?xml version=\"1.0\"?>\n<Error><Code>%s</Code><Message>injected</Message>"
                        "</Error>" % err).encode()
                with LOCK:
                    count("rejected", "complete_error_in_200")
                self.send(200, b"  \n" + body, {"Content-Type": "application/xml"})
                return
        obj = os.path.join(ARGS.dir, "objects", bucket, key)
        os.makedirs(os.path.dirname(obj), exist_ok=True)
        tmp = obj + ".assembling"
        h = hashlib.md5()
        with open(tmp, "wb") as out:
            for n, _ in listed:
                h.update(bytes.fromhex(parts[n][1]))
                with open(os.path.join(ARGS.dir, "uploads", q["uploadId"], str(n)), "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        os.replace(tmp, obj)
        etag = "%s-%d" % (h.hexdigest(), len(listed))
        with open(obj + ".etag", "w") as f:
            f.write(etag)
        with LOCK:
            UPLOADS.pop(q["uploadId"], None)
            STATS["completed"].append({"bucket": bucket, "key": key, "etag": etag, "parts": len(listed)})
        shutil.rmtree(os.path.join(ARGS.dir, "uploads", q["uploadId"]), ignore_errors=True)
        with LOCK:
            kk = knobs()
            drop = kk.get("complete_drop", 0) > 0
            if drop:
                kk["complete_drop"] -= 1
                save_knobs(kk)
                count("rejected", "complete_answer_dropped")
        if drop:  # completed, but the answer is lost: the connection just closes
            self.close_connection = True
            self.connection.shutdown(2)
            return
        r = ET.Element("CompleteMultipartUploadResult")
        ET.SubElement(r, "Bucket").text = bucket
        ET.SubElement(r, "Key").text = key
        ET.SubElement(r, "ETag").text = '"%s"' % etag
        self.xml(200, r)

    def op_abort(self, q, bucket, key, k):
        self.upload(q, bucket, key)
        with LOCK:
            UPLOADS.pop(q["uploadId"], None)
            STATS["aborted"].append(q["uploadId"])
        shutil.rmtree(os.path.join(ARGS.dir, "uploads", q["uploadId"]), ignore_errors=True)
        self.send(204)

    def obj(self, bucket, key):
        p = os.path.join(ARGS.dir, "objects", bucket, key)
        if not os.path.isfile(p):
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.")
        with open(p + ".etag") as f:
            return p, f.read()

    def op_list_objects(self, q, bucket, key, k):
        prefix = q.get("prefix", "")
        page = min(int(q.get("max-keys", "1000") or 1000), 1000)
        root = os.path.join(ARGS.dir, "objects", bucket)
        found = []
        for d, _, files in os.walk(root):
            for f in files:
                if f.endswith(".etag") or f.endswith(".tmp"):
                    continue
                kk = os.path.relpath(os.path.join(d, f), root)
                if kk.startswith(prefix):
                    found.append(kk)
        found.sort()
        r = ET.Element("ListBucketResult")
        ET.SubElement(r, "Name").text = bucket
        ET.SubElement(r, "Prefix").text = prefix
        ET.SubElement(r, "KeyCount").text = str(min(len(found), page))
        ET.SubElement(r, "IsTruncated").text = "true" if len(found) > page else "false"
        for kk in found[:page]:
            p, etag = self.obj(bucket, kk)
            c = ET.SubElement(r, "Contents")
            ET.SubElement(c, "Key").text = kk
            ET.SubElement(c, "ETag").text = '"%s"' % etag
            ET.SubElement(c, "Size").text = str(os.path.getsize(p))
        self.xml(200, r)

    def op_head(self, q, bucket, key, k):
        p, etag = self.obj(bucket, key)
        self.send(200, b"", {"ETag": '"%s"' % etag, "Content-Length": str(os.path.getsize(p))})

    def op_get(self, q, bucket, key, k):
        p, etag = self.obj(bucket, key)
        self.send_response(200)
        self.send_header("ETag", '"%s"' % etag)
        self.send_header("Content-Length", str(os.path.getsize(p)))
        self.end_headers()
        with open(p, "rb") as f:
            shutil.copyfileobj(f, self.wfile, 1 << 20)

    def op_put(self, q, bucket, key, k):
        obj = os.path.join(ARGS.dir, "objects", bucket, key)
        os.makedirs(os.path.dirname(obj), exist_ok=True)
        with open(obj + ".tmp", "wb") as f:
            _, md5, sha, _ = self.read_body(sink=f)
        self.check_payload(md5, sha, "PutObject")
        os.replace(obj + ".tmp", obj)
        with open(obj + ".etag", "w") as f:
            f.write(md5.hexdigest())
        self.send(200, b"", {"ETag": '"%s"' % md5.hexdigest()})

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--stats")
    ap.add_argument("--knobs")
    ap.add_argument("--access-key", default="AKIDEXAMPLE")
    ap.add_argument("--secret-key-file", required=True, help="secret key (never on the command line)")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--token-required", action="store_true")
    ap.add_argument("--allow-bearer", action="store_true")
    ap.add_argument("--expect-sub")
    ap.add_argument("--list-page", type=int, default=1000)
    ap.add_argument("--inbox-only", action="store_true",
                    help="403 for HeadObject/GetObject, as the SDA s3inbox answers")
    ap.add_argument("--verbose", action="store_true")
    ARGS = ap.parse_args()
    with open(ARGS.secret_key_file) as f:
        ARGS.secret_key = f.read().strip()
    os.makedirs(os.path.join(ARGS.dir, "uploads"), exist_ok=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(ARGS.cert, ARGS.key)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def finish_request(self, request, client_address):
            # The TLS handshake runs in the connection's own thread: a stalled client cannot
            # block the accept loop.
            request.settimeout(30)
            try:
                tls = ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            self.RequestHandlerClass(tls, client_address, self)

    srv = Server(("127.0.0.1", ARGS.port), Handler)
    write_stats()
    if ARGS.port_file:
        with open(ARGS.port_file + ".tmp", "w") as f:
            f.write(str(srv.server_address[1]))
        os.replace(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
