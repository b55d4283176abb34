// How a file travels: compressed into seekable zstd frames, or unchanged ("identity") when it is
// already compressed. The choice is made from the file's first bytes, never from its name,
// unless configuration overrides it for a glob.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace seqgate::pipeline {

enum class Encoding { kIdentity, kZstdSeekable };

// "identity" or "zstd", as `seqgatectl pack --json` reports it.
std::string_view EncodingName(Encoding e);
// "identity" or "zstd-seekable", as the seqgate tus extension declares it on the wire.
std::string_view EncodingWireName(Encoding e);
// Parses either spelling ("zstd", "zstd-seekable", "identity").
std::optional<Encoding> ParseEncoding(std::string_view name);

// How many leading bytes DetectCompressedFormat wants to see.
inline constexpr size_t kSniffBytes = 64 * 1024;

// Names the compressed format whose magic bytes start `head` ("cram", "bgzf", "gzip", "bzip2",
// "xz", "zstd", "pod5", "ora", "incompressible"), or nullopt for data worth compressing.
// "incompressible" is a content probe: a block that zstd cannot shrink by 3% (an unknown
// compressed format, e.g. DRAGEN ORA whose magic is not public) is not worth compressing.
std::optional<std::string> DetectCompressedFormat(ByteView head);

// One override rule: files whose path matches `glob` (common/glob.h rules) get `encoding`.
struct EncodingRule {
  std::string glob;
  Encoding encoding;
};

// Ordered overrides; the first matching rule wins, otherwise content detection decides.
class EncodingPolicy {
 public:
  EncodingPolicy() = default;
  explicit EncodingPolicy(std::vector<EncodingRule> rules) : rules_(std::move(rules)) {}

  // The override for `path`, if any rule matches.
  std::optional<Encoding> Override(std::string_view path) const;
  const std::vector<EncodingRule>& rules() const { return rules_; }

 private:
  std::vector<EncodingRule> rules_;
};

}  // namespace seqgate::pipeline
