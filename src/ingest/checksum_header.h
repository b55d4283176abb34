// The tus checksum extension's Upload-Checksum header: "<algorithm> <base64 digest>" covering
// one request body. sha1 is required by the spec; sha256 and md5 are what seqgate clients send.
#pragma once

#include <string_view>

#include "common/hashing.h"
#include "common/status.h"

namespace seqgate::ingest {

struct UploadChecksum {
  DigestAlgorithm algorithm = DigestAlgorithm::kSha1;
  Digest expected;
};

// The value of Tus-Checksum-Algorithm.
inline constexpr std::string_view kSupportedChecksums = "sha1,sha256,md5";

// Parses the header value. kUnsupported for an unknown algorithm, kInvalidArgument for any
// other malformation (missing digest, bad base64, wrong digest length). Both mean 400.
Result<UploadChecksum> ParseUploadChecksum(std::string_view value);

}  // namespace seqgate::ingest
