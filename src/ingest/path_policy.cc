#include "ingest/path_policy.h"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace seqgate::ingest {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Status ValidateName(std::string_view name, std::string_view what, size_t max,
                    std::string_view extra) {
  if (name.empty()) return InvalidArgument(std::string(what) + " is empty");
  if (name.size() > max) {
    return InvalidArgument(std::string(what) + " is longer than " + std::to_string(max) + " bytes");
  }
  if (!IsAlnum(name.front())) {
    return InvalidArgument(std::string(what) + " must start with a letter or digit");
  }
  for (char c : name) {
    if (!IsAlnum(c) && extra.find(c) == std::string_view::npos) {
      return InvalidArgument(std::string(what) + " may hold only letters, digits and '" +
                             std::string(extra) + "'");
    }
  }
  return Status::Ok();
}

// Decodes the UTF-8 sequence starting at s[i] into *cp and returns its length, or 0 if it is
// not well-formed (overlongs, surrogates and code points above U+10FFFF are refused as RFC 3629
// requires).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n = 0;
  uint32_t v = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

// Letters outside ASCII that a path may hold: the precomposed letters of the European
// alphabets (Latin-1, Latin Extended-A, Romanian comma-below letters, Greek, Cyrillic).
// Every one of them is already in NFC and NFKC form and none is a combining mark, so a string
// of them is unchanged by either normalisation: two different accepted names can never
// normalise to the same name, which is why this is an allow-list and not a list of the
// tricks (combining marks, compatibility forms, look-alike slashes, invisible and
// bidirectional controls) that we would otherwise have to keep complete without ICU.
bool IsAllowedNonAscii(uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xFF) return cp != 0xD7 && cp != 0xF7;  // not × and ÷
  if (cp >= 0x100 && cp <= 0x17F) {
    // Ĳ ĳ Ŀ ŀ ŉ ſ have compatibility decompositions (NFKC would change them).
    return cp != 0x132 && cp != 0x133 && cp != 0x13F && cp != 0x140 && cp != 0x149 &&
           cp != 0x17F;
  }
  if (cp >= 0x218 && cp <= 0x21B) return true;  // Ș ș Ț ț
  // Greek: the tonos capitals and the basic letters (U+0387 and U+037E change under NFC).
  if (cp == 0x386 || (cp >= 0x388 && cp <= 0x38A) || cp == 0x38C) return true;
  if (cp >= 0x38E && cp <= 0x3CE) return cp != 0x3A2;  // U+03A2 is unassigned
  if (cp >= 0x400 && cp <= 0x45F) return true;         // Cyrillic
  return false;
}

// Why a non-ASCII code point is refused, in words an operator can act on.
std::string RefusedCodePoint(uint32_t cp) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
  std::string what;
  if (cp <= 0x9F) {
    what = "a control character";
  } else if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
             (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
             (cp >= 0xFE20 && cp <= 0xFE2F)) {
    what = "a combining mark (names must use precomposed letters, NFC)";
  } else if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
             (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || cp == 0xAD) {
    what = "an invisible or bidirectional formatting character";
  } else {
    what = "a character outside the allowed set (ASCII and precomposed European letters)";
  }
  return "path contains " + what + " (" + hex + ")";
}

}  // namespace

Status ValidateSiteName(std::string_view site) {
  return ValidateName(site, "site name", 64, "._-");
}

Status ValidateRunName(std::string_view run) { return ValidateName(run, "run name", 128, "._+-"); }

Result<std::string> NormaliseRelativePath(std::string_view path) {
  if (path.empty()) return InvalidArgument("path is empty");
  if (path.size() > kMaxPathBytes) {
    return InvalidArgument("path is longer than " + std::to_string(kMaxPathBytes) + " bytes");
  }
  if (path.front() == '/') return InvalidArgument("path is absolute");
  if (path.back() == '/') return InvalidArgument("path ends with '/'");
  for (size_t i = 0; i < path.size();) {
    auto c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7f) return InvalidArgument("path contains a control character");
    if (c == '\\') return InvalidArgument("path contains a backslash");
    uint32_t cp = 0;
    size_t n = DecodeUtf8(path, i, &cp);
    if (n == 0) return InvalidArgument("path is not valid UTF-8");
    if (cp >= 0x80 && !IsAllowedNonAscii(cp)) return InvalidArgument(RefusedCodePoint(cp));
    i += n;
  }
  std::vector<std::string_view> parts;
  std::string_view rest = path;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") return InvalidArgument("path contains '..'");
    if (part.size() > kMaxComponentBytes) {
      return InvalidArgument("a path component is longer than " +
                             std::to_string(kMaxComponentBytes) + " bytes");
    }
    // Windows, SMB and many archive tools drop a trailing dot or space and some strip a
    // leading space, so "a.", "a " and " a" would become "a" on the way out of the centre.
    if (part.back() == '.' || part.back() == ' ' || part.front() == ' ') {
      return InvalidArgument("a path component starts with a space or ends with '.' or ' '");
    }
    parts.push_back(part);
  }
  if (parts.empty()) return InvalidArgument("path names no file");
  if (parts.size() > kMaxPathDepth) {
    return InvalidArgument("path is deeper than " + std::to_string(kMaxPathDepth) + " levels");
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace seqgate::ingest
