#!/usr/bin/python3
"""Independent Crypt4GH v1 reader for tests: decrypts what seqgate writes, using libsodium
(Debian's python3-nacl) and hashlib only -- no seqgate code, no OpenSSL EVP path in common.

  c4gh_reader.py --sec SEC.pem IN OUT     (passphrase, if the key has one, from $C4GH_PASSPHRASE)

Exit 0: OUT holds the plaintext. Exit 2: no header packet opens with this key (wrong recipient).
Exit 3: the file is damaged, truncated or tampered with. Exit 4: bad key or usage. OUT is
written only when every segment authenticated (temporary file + rename); never on failure.
"""
import base64
import hashlib
import os
import struct
import sys

from nacl.bindings import (crypto_aead_chacha20poly1305_ietf_decrypt, crypto_scalarmult,
                           crypto_scalarmult_base)
from nacl.exceptions import CryptoError

SEGMENT = 65536
SEALED = SEGMENT + 12 + 16


class Damaged(Exception):
    pass


class WrongKey(Exception):
    pass


def pem_body(text):
    lines = [l.strip() for l in text.splitlines()]
    begin = next(i for i, l in enumerate(lines) if l.startswith("-----BEGIN "))
    end = next(i for i, l in enumerate(lines) if l.startswith("-----END "))
    return base64.b64decode("".join(lines[begin + 1:end]), validate=True)


def load_secret_key(path):
    blob = pem_body(open(path).read())
    if not blob.startswith(b"c4gh-v1"):
        raise ValueError("not a c4gh-v1 private key")
    pos = 7

    def string():
        nonlocal pos
        (n,) = struct.unpack(">H", blob[pos:pos + 2])
        s = blob[pos + 2:pos + 2 + n]
        if len(s) != n:
            raise ValueError("truncated private key")
        pos += 2 + n
        return s

    kdf = string()
    if kdf == b"none":
        if string() != b"none":
            raise ValueError("cipher without KDF")
        return string()
    if kdf != b"scrypt":
        raise ValueError("unsupported KDF %r" % kdf)
    salt = string()[4:]
    if string() != b"chacha20_poly1305":
        raise ValueError("unsupported cipher")
    payload = string()
    passphrase = os.environ.get("C4GH_PASSPHRASE", "").encode()
    kek = hashlib.scrypt(passphrase, salt=salt, n=1 << 14, r=8, p=1, dklen=32)
    try:
        return crypto_aead_chacha20poly1305_ietf_decrypt(payload[12:], None, payload[:12], kek)
    except CryptoError:
        raise ValueError("wrong passphrase")


def read_exact(f, n, what):
    b = f.read(n)
    if len(b) != n:
        raise Damaged("truncated " + what)
    return b


def parse_header(f, sk):
    if read_exact(f, 8, "magic") != b"crypt4gh":
        raise Damaged("no crypt4gh magic")
    version, count = struct.unpack("<II", read_exact(f, 8, "header"))
    if version != 1:
        raise Damaged("version %d" % version)
    reader_pk = crypto_scalarmult_base(sk)
    keys = []
    for i in range(count):
        (length,) = struct.unpack("<I", read_exact(f, 4, "packet length"))
        if length < 4 + 4 + 32 + 12 + 16 or length > 1 << 20:
            raise Damaged("packet %d length %d" % (i, length))
        packet = read_exact(f, length - 4, "packet")
        (method,) = struct.unpack("<I", packet[:4])
        if method != 0:
            continue
        writer_pk, nonce, sealed = packet[4:36], packet[36:48], packet[48:]
        dh = crypto_scalarmult(sk, writer_pk)
        shared = hashlib.blake2b(dh + reader_pk + writer_pk, digest_size=64).digest()[:32]
        try:
            plain = crypto_aead_chacha20poly1305_ietf_decrypt(sealed, None, nonce, shared)
        except CryptoError:
            continue  # another recipient's packet
        ptype, = struct.unpack("<I", plain[:4])
        if ptype == 0:
            data_method, = struct.unpack("<I", plain[4:8])
            if data_method != 0 or len(plain) < 40:
                raise Damaged("data key packet")
            keys.append(plain[8:40])
        else:
            raise Damaged("packet type %d not handled by this reader" % ptype)
    if not keys:
        raise WrongKey("no header packet opens with this key")
    return keys


def decrypt(inp, out, sk):
    keys = parse_header(inp, sk)
    index = 0
    while True:
        seg = inp.read(SEALED)
        if not seg:
            return
        if len(seg) < 28:
            raise Damaged("segment %d truncated" % index)
        for key in keys:
            try:
                out.write(crypto_aead_chacha20poly1305_ietf_decrypt(seg[12:], None, seg[:12], key))
                break
            except CryptoError:
                pass
        else:
            raise Damaged("segment %d fails authentication" % index)
        index += 1


def main(argv):
    if len(argv) != 5 or argv[1] != "--sec":
        print(__doc__, file=sys.stderr)
        return 4
    try:
        sk = load_secret_key(argv[2])
    except (ValueError, StopIteration, struct.error) as e:
        print("c4gh_reader: key %s: %s" % (argv[2], e), file=sys.stderr)
        return 4
    src, dst = argv[3], argv[4]
    tmp = dst + ".c4gh-reader-partial"
    try:
        with open(src, "rb") as inp, open(tmp, "wb") as out:
            decrypt(inp, out, sk)
        os.replace(tmp, dst)
        return 0
    except WrongKey as e:
        print("c4gh_reader: %s: %s" % (src, e), file=sys.stderr)
        return 2
    except Damaged as e:
        print("c4gh_reader: %s: damaged: %s" % (src, e), file=sys.stderr)
        return 3
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
