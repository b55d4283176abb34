// tus 1.0 header values the client builds and parses: pure functions, no I/O, so every
// corner of the wire format is unit-tested without a server.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/hashing.h"
#include "common/status.h"

namespace seqgate::transfer {

// What an OPTIONS answer told us about the server.
struct ServerCaps {
  std::vector<std::string> versions;    // Tus-Version, preferred first
  std::vector<std::string> extensions;  // Tus-Extension
  std::vector<std::string> checksums;   // Tus-Checksum-Algorithm
  std::optional<uint64_t> max_size;     // Tus-Max-Size

  bool Has(std::string_view extension) const;
  bool HasChecksum(std::string_view algorithm) const;
};

// Builds ServerCaps from the (case-insensitively looked up) header values of an OPTIONS
// answer. kUnsupported when the server does not speak tus 1.0.0; kInvalidArgument when
// Tus-Max-Size is not a number.
Result<ServerCaps> ParseServerCaps(std::optional<std::string_view> tus_version,
                                   std::optional<std::string_view> tus_extension,
                                   std::optional<std::string_view> tus_max_size,
                                   std::optional<std::string_view> tus_checksum_algorithm);

// Splits a comma-separated header value, trimming blanks and dropping empty items.
std::vector<std::string> SplitList(std::string_view value);

// An Upload-Metadata value: "key base64(value)" pairs joined by commas, in the given order.
// Keys must be non-empty printable ASCII without space or comma (programmer error otherwise).
std::string EncodeMetadata(const std::vector<std::pair<std::string, std::string>>& pairs);

// The Upload-Checksum value for a digest: "<alg> <base64 digest>", e.g. "sha256 47DEQ...=".
std::string ChecksumHeader(DigestAlgorithm alg, const Digest& digest);

// A non-negative decimal offset or length header (Upload-Offset, Upload-Length); nullopt for
// anything else (signs, blanks, overflow), because a misread offset would corrupt the upload.
std::optional<uint64_t> ParseUnsigned(std::string_view value);

// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, relative to `now`. A date in
// the past gives zero; anything unparsable gives nullopt (the caller's own backoff applies).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

// Resolves a Location header against the URL of the request that returned it: "/path" keeps
// scheme and authority, a relative name replaces the last path segment, an absolute URL is kept
// only on the same origin (scheme, host, port; case-insensitive). Another origin, or "//host",
// is kPermissionDenied: our client certificate and the data go to the configured centre only.
Result<std::string> ResolveLocation(std::string_view request_url, std::string_view location);

}  // namespace seqgate::transfer
