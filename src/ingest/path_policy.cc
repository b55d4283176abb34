#include "ingest/path_policy.h"

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

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not well-formed (overlongs,
// surrogates and code points above U+10FFFF are refused as RFC 3629 requires).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  // C1 controls (U+0080–U+009F) are control characters too.
  if (cp >= 0x80 && cp <= 0x9F) return 0;
  return n;
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
    size_t n = Utf8SequenceLength(path, i);
    if (n == 0) return InvalidArgument("path is not valid UTF-8 or holds a control character");
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
