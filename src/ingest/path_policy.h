// Which names from the network may become directory or file names under the storage root.
// Everything here is an allow-list: a site, a run and a relative path that pass can be joined
// under <storage>/<site>/<run>/ and cannot escape it, hide in a dot-directory of ours, or
// smuggle control bytes into logs and receipts.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace seqgate::ingest {

inline constexpr size_t kMaxPathBytes = 1024;
inline constexpr size_t kMaxComponentBytes = 255;
inline constexpr size_t kMaxPathDepth = 32;

// A site name: 1–64 bytes of [A-Za-z0-9._-], starting with a letter or digit.
Status ValidateSiteName(std::string_view site);

// A run name: 1–128 bytes of [A-Za-z0-9._+-], starting with a letter or digit.
Status ValidateRunName(std::string_view run);

// Normalises a relative file path ("a//b/./c" → "a/b/c") and refuses, with the reason:
// empty or overlong paths or components, absolute paths, "..", backslashes, NUL and other
// control bytes, invalid UTF-8, a trailing '/', more than kMaxPathDepth components.
Result<std::string> NormaliseRelativePath(std::string_view path);

}  // namespace seqgate::ingest
