#!/usr/bin/python3
"""Writes tests/hostile/paths.txt, the corpus of hostile names that tests/integration/
ingest_hostile.sh sends to seqgate-ingest (policy: docs/hostile-inputs.md). Deterministic: run
it again and `git diff` shows only what you changed here.

Line format (tab-separated; '#' starts a comment line):
    category  key  value  verdict  expect  note
key      seqgate-path (with seqgate-run "H<n>"), seqgate-run (with seqgate-path "f.txt"), or
         filename (a plain upload: no run, no path)
value    the raw bytes, every byte outside 0x21..0x7e and '\\' written as \\xHH
verdict  refuse  - creation answers 400 and the body contains `expect`
         accept  - creation answers 201; completed with its sha256 the file is verified and
                   stored at <site>/<run>/`expect` (escaped like value)
         plain   - a plain upload whose file lands at .unverified/<site>/<id>/`expect`
"""
import sys

CASES = []


def case(category, key, value, verdict, expect, note=""):
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    if isinstance(expect, str):
        expect = expect.encode("utf-8")
    CASES.append((category, key, value, verdict, expect, note))


def path(category, value, verdict, expect, note=""):
    case(category, "seqgate-path", value, verdict, expect, note)


def refuse(category, value, reason, note=""):
    path(category, value, "refuse", reason, note)


def accept(category, value, stored=None, note=""):
    path(category, value, "accept", value if stored is None else stored, note)


U = chr  # readability: U(0x202E)

# --- '..' in every position, '.' segments -------------------------------------------------
for v in ["..", "../x", "x/..", "x/../y", "../../../../etc/passwd", "a/b/../../../x",
          "./../x", "x/./../y", "a/b/c/..", "../", "..//x", "x//../y",
          "a/" * 31 + ".."]:
    refuse("traversal", v, "'..'" if not v.endswith("/") else "ends with '/'")
refuse("traversal", "...", "ends with '.'", "three dots: a name some systems treat as ..")
refuse("traversal", ".../x", "ends with '.'")
refuse("traversal", "x/..../y", "ends with '.'")
refuse("traversal", "..\\x", "backslash")
refuse("traversal", "..\\..\\windows\\win.ini", "backslash")
accept("traversal", "..;/x", note="Tomcat-style '..;' is a literal name here")
accept("traversal", "%2e%2e/x", note="metadata is base64, never percent-decoded: literal")
accept("traversal", "..%2f..%2fetc%2fpasswd", note="literal, one component")
accept("traversal", "..a/b..c", note="dots inside names are fine")
accept("dot-segment", "./a", "a", "normalised")
accept("dot-segment", "a/./b", "a/b", "normalised")
accept("dot-segment", "a/.", "a", "normalised")
accept("dot-segment", "./././a", "a", "normalised")
refuse("dot-segment", ".", "names no file")
refuse("dot-segment", "./", "ends with '/'")
refuse("dot-segment", "./.", "names no file")
accept("dot-segment", ".hidden", note="dot-files are names of the run, not of the server")
accept("dot-segment", ".uploads/lab-b/x", note="inside <site>/<run>/, not the server's .uploads")
accept("dot-segment", ".receipts/lab-a/R/files/x.json", note="inside the run: harmless")
accept("dot-segment", ".quarantine/x")

# --- absolute paths, '//', backslashes ------------------------------------------------------
for v in ["/", "/etc/passwd", "//etc/passwd", "///x", "/./x", "/../x", "/proc/self/cwd/x"]:
    refuse("absolute", v, "absolute")
refuse("absolute", "\\etc\\passwd", "backslash")
refuse("absolute", "\\\\server\\share\\x", "backslash")
refuse("absolute", "C:\\Windows\\x", "backslash")
accept("absolute", "C:/x", note="'C:' is a literal directory name on POSIX storage")
accept("absolute", "~/x", note="no tilde expansion: literal '~'")
accept("absolute", "~root/x")
accept("double-slash", "a//b", "a/b", "normalised")
accept("double-slash", "a///b////c", "a/b/c", "normalised")
refuse("double-slash", "a//", "ends with '/'")
refuse("double-slash", "//", "absolute")
for v in ["a\\b", "\\", "a\\", "a/b\\..\\..\\c"]:
    refuse("backslash", v, "backslash")

# --- NUL, C0, DEL, C1, CR/LF (header and log injection) -------------------------------------
refuse("nul", "\x00", "control character")
refuse("nul", "a\x00b", "control character")
refuse("nul", "a.txt\x00.fastq", "control character", "NUL truncation")
refuse("nul", "a/\x00/b", "control character")
for b in range(0x01, 0x20):
    refuse("c0", "a" + chr(b) + "b", "control character", "C0 0x%02X" % b)
refuse("c0", "a\x7f", "control character", "DEL")
for cp in range(0x80, 0xA0):
    refuse("c1", "a" + chr(cp) + "b", "control character", "C1 U+%04X" % cp)
refuse("crlf", "a\r\nX-Injected: 1", "control character", "response header injection")
refuse("crlf", "x\n{\"status\":\"verified\"}", "control character", "receipt/log line injection")
refuse("crlf", "x\r", "control character")
refuse("crlf", "ok\nlevel=error msg=forged", "control character", "log line injection")
refuse("crlf", "a\u2028b", "outside the allowed set", "U+2028 LINE SEPARATOR")
refuse("crlf", "a\u2029b", "outside the allowed set", "U+2029 PARAGRAPH SEPARATOR")

# --- lengths --------------------------------------------------------------------------------
accept("overlong", "n" * 200, note="longest component: 255 (NAME_MAX) less room for suffixes")
refuse("overlong", "n" * 201, "component is longer")
refuse("overlong", "n" * 255, "component is longer", "NAME_MAX itself")
refuse("overlong", "n" * 256, "component is longer", "> NAME_MAX")
refuse("overlong", "d/" + "n" * 5000, "longer than", "> PATH_MAX: over the metadata limit first")
accept("overlong", ("d" * 99 + "/") * 10 + "f" * 23, note="1023 bytes, 11 levels")
accept("overlong", ("d" * 99 + "/") * 10 + "f" * 24, note="exactly 1024 bytes")
refuse("overlong", ("d" * 99 + "/") * 10 + "f" * 25, "longer than 1024", "1025 bytes")
refuse("overlong", "a/" * 2100 + "f", "longer than", "> PATH_MAX: over the metadata limit first")
accept("overlong", "d/" * 31 + "f", note="32 levels")
refuse("overlong", "d/" * 32 + "f", "deeper than 32", "33 levels")
refuse("overlong", "./" * 600 + "f", "longer than 1024", "long only in '.' segments")
accept("overlong", "é" * 100, note="200 bytes of 2-byte letters")
refuse("overlong", "é" * 101, "component is longer", "101 letters but 202 bytes")

# --- empty components and names -------------------------------------------------------------
refuse("empty", "", "empty")
refuse("empty", "/", "absolute")
accept("empty", "a//b", "a/b", "empty component dropped")
refuse("empty", "a/", "ends with '/'")

# --- trailing dots and spaces, leading spaces ------------------------------------------------
for v in ["a.", "a..", "a ", " a", "a/b./c", "a. /b", "dir /f", " /f", "f.txt.", "f.txt "]:
    refuse("trailing", v, "starts with a space or ends with '.' or ' '")
accept("trailing", "a b/c d.txt", note="inner spaces are fine")
accept("trailing", ".a", note="a leading dot is a dot-file")

# --- invalid UTF-8, overlong encodings of '/' '.' '\\' NUL -----------------------------------
for v, note in [(b"\xff", "0xFF"), (b"\xfe\xff", "UTF-16 BOM bytes"), (b"a\xc3", "truncated"),
                (b"\xc3\x28", "bad continuation"), (b"\xa0\xa1", "lone continuations"),
                (b"\xed\xa0\x80", "surrogate U+D800"), (b"\xed\xbf\xbf", "surrogate U+DFFF"),
                (b"\xf4\x90\x80\x80", "above U+10FFFF"), (b"\xf8\x88\x80\x80\x80", "5-byte form"),
                (b"a\x80b", "raw 0x80"), (b"M\xfcller", "Latin-1, not UTF-8"),
                (b"\xc0\xaf", "overlong '/' (2 bytes)"), (b"\xe0\x80\xaf", "overlong '/' (3)"),
                (b"\xf0\x80\x80\xaf", "overlong '/' (4)"), (b"..\xc0\xafx", "..<overlong />x"),
                (b"\xc0\xae\xc0\xae/x", "overlong '..'"), (b"\xe0\x80\xae", "overlong '.' (3)"),
                (b"\xc1\x9c", "overlong '\\'"), (b"a\xc0\x80b", "overlong NUL (modified UTF-8)")]:
    refuse("bad-utf8", v, "not valid UTF-8", note)

# --- Unicode tricks: look-alike slashes and dots ------------------------------------------------
for cp, name in [(0xFF0F, "FULLWIDTH SOLIDUS"), (0x2215, "DIVISION SLASH"),
                 (0x2044, "FRACTION SLASH"), (0x29F8, "BIG SOLIDUS"), (0x2571, "BOX DIAGONAL"),
                 (0xFF3C, "FULLWIDTH REVERSE SOLIDUS"), (0x29F5, "REVERSE SOLIDUS OPERATOR"),
                 (0xFE68, "SMALL REVERSE SOLIDUS")]:
    refuse("lookalike", ".." + U(cp) + ".." + U(cp) + "etc", "outside the allowed set",
           "U+%04X %s" % (cp, name))
for cp, name in [(0xFF0E, "FULLWIDTH FULL STOP"), (0x2024, "ONE DOT LEADER"),
                 (0xFE52, "SMALL FULL STOP"), (0x3002, "IDEOGRAPHIC FULL STOP")]:
    refuse("lookalike", U(cp) * 2 + "/x", "outside the allowed set", "U+%04X %s" % (cp, name))
refuse("lookalike", "a" + U(0xB7) + "b", "outside the allowed set", "U+00B7 MIDDLE DOT")

# --- invisible and bidirectional characters ---------------------------------------------------
for cp, name in [(0x202E, "RIGHT-TO-LEFT OVERRIDE"), (0x202D, "LEFT-TO-RIGHT OVERRIDE"),
                 (0x202A, "LRE"), (0x202B, "RLE"), (0x202C, "PDF"), (0x2066, "LRI"),
                 (0x2067, "RLI"), (0x2068, "FSI"), (0x2069, "PDI"), (0x200E, "LRM"),
                 (0x200F, "RLM"), (0x200B, "ZERO WIDTH SPACE"), (0x200C, "ZWNJ"),
                 (0x200D, "ZWJ"), (0x2060, "WORD JOINER"), (0xFEFF, "BOM / ZWNBSP"),
                 (0x00AD, "SOFT HYPHEN")]:
    refuse("invisible", "report" + U(cp) + "txt.exe", "invisible or bidirectional",
           "U+%04X %s" % (cp, name))
for cp, name in [(0x061C, "ARABIC LETTER MARK"), (0x180E, "MONGOLIAN VOWEL SEPARATOR"),
                 (0x034F, "COMBINING GRAPHEME JOINER"), (0xFE0F, "VARIATION SELECTOR-16"),
                 (0xE0041, "TAG LATIN CAPITAL A"), (0x115F, "HANGUL CHOSEONG FILLER"),
                 (0x3164, "HANGUL FILLER")]:
    refuse("invisible", "a" + U(cp) + "b", "path contains", "U+%04X %s" % (cp, name))
for cp, name in [(0xA0, "NO-BREAK SPACE"), (0x2002, "EN SPACE"), (0x3000, "IDEOGRAPHIC SPACE"),
                 (0x1680, "OGHAM SPACE MARK"), (0x202F, "NARROW NBSP")]:
    refuse("invisible", "a" + U(cp) + "b", "path contains", "U+%04X %s" % (cp, name))

# --- NFC / NFD / NFKC: only names already in NFC and NFKC, from an allow-list ----------------
accept("nfc", "café.txt", note="NFC: é is U+00E9")
refuse("nfc", "cafe\u0301.txt", "combining mark", "NFD of café: e + U+0301")
accept("nfc", "Müller/Straße.fastq", note="NFC")
refuse("nfc", "Mu\u0308ller/Straße.fastq", "combining mark", "NFD of Müller")
refuse("nfc", "\u0301", "combining mark", "a lone combining mark")
refuse("nfc", "a\u0323\u0307", "combining mark", "two marks in non-canonical order")
refuse("nfc", "e\u20d7", "combining mark", "combining mark for symbols block")
refuse("nfc", "\u1100\u1161", "outside the allowed set", "Hangul as conjoining jamo (NFD)")
refuse("nfc", "\ud55c", "outside the allowed set", "Hangul syllable: outside the set")
accept("nfc", "Ș-ț-ă-î.txt", note="Romanian letters")
accept("nfc", "Ελλάδα/αρχείο.txt", note="Greek, with tonos")
accept("nfc", "данные/файл.txt", note="Cyrillic")
accept("nfc", "Łódź/żółć.fastq", note="Polish")
for cp, name in [(0x212B, "ANGSTROM SIGN -> U+00C5 under NFC"),
                 (0x2126, "OHM SIGN -> U+03A9 under NFC"),
                 (0x212A, "KELVIN SIGN -> K under NFC"),
                 (0x037E, "GREEK QUESTION MARK -> ';' under NFC"),
                 (0x0387, "GREEK ANO TELEIA -> U+00B7 under NFC"),
                 (0x1F71, "GREEK alpha with oxia -> U+03AC under NFC"),
                 (0xF900, "CJK COMPATIBILITY IDEOGRAPH under NFC"),
                 (0x0958, "DEVANAGARI QA: composition exclusion"),
                 (0xFB01, "LATIN SMALL LIGATURE FI -> 'fi' under NFKC"),
                 (0xFF46, "FULLWIDTH f -> f under NFKC"), (0x00B2, "SUPERSCRIPT TWO -> 2"),
                 (0x00B5, "MICRO SIGN -> U+03BC under NFKC"), (0x017F, "LONG S -> s under NFKC"),
                 (0x0133, "LIGATURE ij under NFKC"), (0x2168, "ROMAN NUMERAL NINE -> IX"),
                 (0x1D41A, "MATHEMATICAL BOLD a -> a"), (0x24B6, "CIRCLED A -> A"),
                 (0x03D0, "GREEK BETA SYMBOL -> U+03B2"), (0x00BD, "VULGAR FRACTION ONE HALF"),
                 (0x2070, "SUPERSCRIPT ZERO")]:
    refuse("nfkc", "file" + U(cp) + ".txt", "outside the allowed set", "U+%04X %s" % (cp, name))
for cp, name in [(0x1F600, "emoji"), (0xE000, "private use"), (0xFFFD, "replacement char"),
                 (0xFFFE, "noncharacter"), (0xFFFF, "noncharacter"), (0x10FFFF, "last code point"),
                 (0x4E2D, "CJK ideograph"), (0x05D0, "Hebrew"), (0x0627, "Arabic")]:
    refuse("other-unicode", "x" + U(cp), "outside the allowed set", "U+%04X %s" % (cp, name))
accept("confusable", "dаta.txt", note="Cyrillic a U+0430: stable under NFC/NFKC, a distinct name")
accept("confusable", "rοot.txt", note="Greek omicron: a distinct literal name")
accept("casefold", "Sample.fastq", note="case differs: distinct names on POSIX storage")
accept("casefold", "SAMPLE.FASTQ")
accept("casefold", "STRASSE.txt")
accept("casefold", "straße.txt", note="ß: folds to ss only under full case folding")
accept("casefold", "ÿ-Ÿ.txt")

# --- reserved names, shell and symlink look-alikes: literal names ----------------------------
for v in ["CON", "nul", "COM1", "LPT1.txt", "aux.fastq", "PRN/x"]:
    accept("reserved", v, note="Windows device names: ordinary on POSIX storage")
refuse("reserved", "seqgate-manifest.json", "reserved for the run manifest",
       "the manifest's own name, for a file upload")
accept("reserved", "sub/seqgate-manifest.json", note="only the run's top level is reserved")
refuse("symlink", "link -> /etc/passwd", "starts with a space or ends with '.' or ' '")
accept("symlink", "link->etc", note="just a name with '->' in it")
accept("symlink", "proc/self/root/etc/passwd", note="relative: stays inside the run")
accept("symlink", "dev/null", note="relative: a file called null in dir dev")
for v in ["-rf", "$(id)", "`id`", "a;b", "*", "?", "[a]", "a|b", "a<b>c", "\"q\"", "'q'",
          "a:b", "%00", "a=b,c", "{x}", "#x", "!x", "&x", "a%n%s"]:
    accept("shell", v, note="shell/format metacharacters are literal")

# --- seqgate-run ----------------------------------------------------------------------------
def run(value, verdict, expect, note=""):
    case("run", "seqgate-run", value, verdict, expect, note)


for v, why in [("..", "start with a letter or digit"), (".", "start with a letter or digit"),
               ("", "empty"), ("a/b", "may hold only"), ("../x", "start with"),
               ("R/../../x", "may hold only"), (".uploads", "start with"),
               (".receipts", "start with"), ("-rf", "start with"), ("R\x00", "may hold only"),
               ("R\n", "may hold only"), ("R\\x", "may hold only"), ("R x", "may hold only"),
               ("Rü", "may hold only"), ("R%2f..", "may hold only"), ("R" * 129, "longer than"),
               ("R\u202e", "may hold only"), ("R\uff0fx", "may hold only")]:
    run(v, "refuse", why)
for v in ["R" * 128, "run+1.2", "a..b", "lab-b", "RUN_A", "r"]:
    run(v, "accept", "f.txt")

# --- plain uploads: filename picks the name under .unverified/, never a path ------------------
def plain(value, stored, note=""):
    case("filename", "filename", value, "plain", stored, note)


plain("report.pdf", "report.pdf")
plain("a/b/c.txt", "c.txt", "last component only")
plain("../../../etc/passwd", "data", "refused name: 'data'")
plain("/etc/passwd", "data")
plain("..", "data")
plain("x\r\nSet-Cookie: a=b", "data")
plain("cafe\u0301", "data")
plain("a\x00b", "data")
plain("report\u202etxt.exe", "data")
plain("n" * 300, "data")


def escape(b):
    return "".join(chr(c) if 0x21 <= c <= 0x7E and c != 0x5C else "\\x%02x" % c for c in b)


def main():
    out = ["# Hostile names for seqgate-ingest, generated by tests/hostile/gen_paths.py: edit that.",
           "# category\tkey\tvalue\tverdict\texpect\tnote"]
    for cat, key, value, verdict, expect, note in CASES:
        out.append("\t".join([cat, key, escape(value), verdict, escape(expect), note]))
    text = "\n".join(out) + "\n"
    if len(sys.argv) > 1 and sys.argv[1] != "-":
        with open(sys.argv[1], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


main()
