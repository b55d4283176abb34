#include "pipeline/encoding.h"

#include <zstd.h>

#include <array>
#include <memory>

namespace seqgate::pipeline {
namespace {

bool StartsWith(ByteView head, std::initializer_list<uint8_t> magic) {
  if (head.size() < magic.size()) return false;
  size_t i = 0;
  for (uint8_t b : magic) {
    if (head[i++] != b) return false;
  }
  return true;
}

// BGZF (BAM, tabix, bgzipped FASTQ) is gzip with an extra field whose subfield id is "BC".
bool IsBgzf(ByteView h) {
  return h.size() >= 18 && (h[3] & 0x04) != 0 && h[12] == 'B' && h[13] == 'C';
}

// zstd frames or a skippable frame (0x184D2A50..5F little-endian) first.
bool IsZstd(ByteView h) {
  if (StartsWith(h, {0x28, 0xB5, 0x2F, 0xFD})) return true;
  return h.size() >= 4 && (h[0] & 0xF0) == 0x50 && h[1] == 0x2A && h[2] == 0x4D && h[3] == 0x18;
}

// True when a fast zstd pass cannot shrink `head` by at least 3%: compressing it would cost CPU
// on both sides and gain nothing.
bool LooksIncompressible(ByteView head) {
  if (head.empty()) return true;
  const size_t bound = ZSTD_compressBound(head.size());
  std::unique_ptr<uint8_t[]> out(new uint8_t[bound]);
  const size_t n = ZSTD_compress(out.get(), bound, head.data(), head.size(), 1);
  if (ZSTD_isError(n)) return false;  // cannot judge: compress, the safe default
  return n * 100 > head.size() * 97;
}

// Matches one glob segment sequence without "**" handling across '/'; '*' and '?' never match
// '/'.
bool MatchSimple(std::string_view g, std::string_view s) {
  size_t gi = 0, si = 0;
  size_t star_g = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (gi < g.size()) {
      const char c = g[gi];
      if (c == '*' && gi + 1 < g.size() && g[gi + 1] == '*') {
        // "**": any sequence including '/'. "**/" may also match zero directories.
        std::string_view rest = g.substr(gi + 2);
        const bool slash = !rest.empty() && rest[0] == '/';
        for (size_t k = si; k <= s.size(); ++k) {
          if (MatchSimple(rest, s.substr(k))) return true;
          if (slash && (k == si || s[k - 1] == '/') && MatchSimple(rest.substr(1), s.substr(k)))
            return true;
        }
        return false;
      }
      if (c == '*') {
        star_g = gi++;
        star_s = si;
        continue;
      }
      if (c == '?' && s[si] != '/') {
        ++gi;
        ++si;
        continue;
      }
      if (c == '[') {
        size_t end = g.find(']', gi + 1);
        if (end != std::string_view::npos && s[si] != '/') {
          std::string_view set = g.substr(gi + 1, end - gi - 1);
          bool negate = !set.empty() && (set[0] == '!' || set[0] == '^');
          if (negate) set.remove_prefix(1);
          bool hit = false;
          for (size_t k = 0; k < set.size(); ++k) {
            if (k + 2 < set.size() && set[k + 1] == '-') {
              if (s[si] >= set[k] && s[si] <= set[k + 2]) hit = true;
              k += 2;
            } else if (set[k] == s[si]) {
              hit = true;
            }
          }
          if (hit != negate) {
            gi = end + 1;
            ++si;
            continue;
          }
        }
      } else if (c != '?' && c == s[si]) {
        ++gi;
        ++si;
        continue;
      }
    }
    // Mismatch: let the last '*' swallow one more character (never a '/').
    if (star_g != std::string_view::npos && s[star_s] != '/') {
      gi = star_g + 1;
      si = ++star_s;
      continue;
    }
    return false;
  }
  while (gi < g.size() && g[gi] == '*') ++gi;
  return gi == g.size();
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  return e == Encoding::kZstdSeekable ? "zstd" : "identity";
}

std::string_view EncodingWireName(Encoding e) {
  return e == Encoding::kZstdSeekable ? "zstd-seekable" : "identity";
}

std::optional<Encoding> ParseEncoding(std::string_view name) {
  if (name == "identity") return Encoding::kIdentity;
  if (name == "zstd" || name == "zstd-seekable") return Encoding::kZstdSeekable;
  return std::nullopt;
}

std::optional<std::string> DetectCompressedFormat(ByteView h) {
  if (StartsWith(h, {'C', 'R', 'A', 'M'})) return "cram";
  if (StartsWith(h, {0x1F, 0x8B})) return IsBgzf(h) ? "bgzf" : "gzip";
  if (StartsWith(h, {'B', 'Z', 'h'}) && h.size() >= 4 && h[3] >= '1' && h[3] <= '9') return "bzip2";
  if (StartsWith(h, {0xFD, '7', 'z', 'X', 'Z', 0x00})) return "xz";
  if (IsZstd(h)) return "zstd";
  if (StartsWith(h, {0x04, 0x22, 0x4D, 0x18})) return "lz4";
  if (StartsWith(h, {0x8B, 'P', 'O', 'D', '\r', '\n', 0x1A, '\n'})) return "pod5";
  if (h.empty()) return "empty";
  if (LooksIncompressible(h.first(std::min(h.size(), kSniffBytes)))) return "incompressible";
  return std::nullopt;
}

bool GlobMatch(std::string_view glob, std::string_view path) {
  // Like .gitignore: a glob without '/' is matched against the last path component.
  if (glob.find('/') == std::string_view::npos) {
    const size_t slash = path.rfind('/');
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  }
  return MatchSimple(glob, path);
}

std::optional<Encoding> EncodingPolicy::Override(std::string_view path) const {
  for (const auto& r : rules_) {
    if (GlobMatch(r.glob, path)) return r.encoding;
  }
  return std::nullopt;
}

}  // namespace seqgate::pipeline
