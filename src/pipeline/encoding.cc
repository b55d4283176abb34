#include "pipeline/encoding.h"

#include "common/glob.h"

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

std::optional<Encoding> EncodingPolicy::Override(std::string_view path) const {
  for (const auto& r : rules_) {
    if (GlobMatch(r.glob, path)) return r.encoding;
  }
  return std::nullopt;
}

}  // namespace seqgate::pipeline
