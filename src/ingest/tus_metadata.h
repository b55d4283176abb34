// The tus Upload-Metadata header: comma-separated "key base64value" pairs (value optional).
// Parsing is strict, like @tus/server and unlike tusd, because a pair we silently dropped might
// be the digest the client expects us to verify.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace seqgate::ingest {

// Decoded metadata: key → value bytes ("" for a key sent without a value).
using Metadata = std::map<std::string, std::string>;

// Parses an Upload-Metadata value. An empty (or blank) header is valid and empty (tuspy sends
// one). kInvalidArgument with a reason for: a value longer than `max_bytes`, an empty pair, an
// empty key, a key with non-printable or non-ASCII bytes, a duplicate key, or a value that is
// not strict standard base64.
Result<Metadata> ParseUploadMetadata(std::string_view header, size_t max_bytes);

}  // namespace seqgate::ingest
