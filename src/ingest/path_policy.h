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
// NAME_MAX is 255, but the server appends to the last component: ".zst" for zstd-seekable
// files and ".json" + ".tmp-<12 hex>" for the receipt index beside it. 200 leaves room for all.
inline constexpr size_t kMaxComponentBytes = 200;
inline constexpr size_t kMaxPathDepth = 32;

// A site name: 1–64 bytes of [A-Za-z0-9._-], starting with a letter or digit.
Status ValidateSiteName(std::string_view site);

// A run name: 1–128 bytes of [A-Za-z0-9._+-], starting with a letter or digit.
Status ValidateRunName(std::string_view run);

// Normalises a relative file path ("a//b/./c" → "a/b/c") and refuses, with the reason:
// empty or overlong paths or components, absolute paths, "..", backslashes, NUL and other
// control bytes, invalid UTF-8, a trailing '/', more than kMaxPathDepth components, a
// component that starts with a space or ends with '.' or ' ', and any non-ASCII code point
// outside the precomposed European letters (so that every accepted path is already in NFC and
// NFKC form and distinct accepted paths stay distinct under both; docs/hostile-inputs.md).
Result<std::string> NormaliseRelativePath(std::string_view path);

}  // namespace seqgate::ingest
