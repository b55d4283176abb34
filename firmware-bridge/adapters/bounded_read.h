// Reading instrument metadata files without trusting them.
//
// Marker and metadata files are small by nature; a huge one is a broken or hostile run
// folder, so every read is capped and an oversized file is an error naming the file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "adapters/snapshot.h"
#include "common/env.h"
#include "common/status.h"

namespace seqgate::bridge {

// Caps, by kind of file.
inline constexpr size_t kMaxMarkerBytes = 1 << 20;          // markers, small JSON/XML
inline constexpr size_t kMaxMetadataBytes = 16 << 20;       // RunInfo.xml with TileSet, ...
inline constexpr size_t kMaxChecksumListBytes = 256 << 20;  // output_hash / Manifest.tsv

// Reads all of `path` when it holds at most `max_bytes`; otherwise kResourceExhausted
// naming the file and the limit. Reads at most max_bytes + 1 bytes whatever the file says.
[[nodiscard]] Result<std::string> ReadBounded(Env* env, const std::string& path, size_t max_bytes);

// Reads the run-relative `rel` of `snap`, which must be a regular file in the snapshot (so a
// symlink planted under a marker's name is never followed). Errors name `rel`.
[[nodiscard]] Result<std::string> ReadRunFile(Env* env, const RunSnapshot& snap,
                                              std::string_view rel, size_t max_bytes);

// The last at most `max_bytes` of run-relative `rel` (a regular file in `snap`): for logs,
// whose end says how a program stopped, whatever their size.
[[nodiscard]] Result<std::string> ReadRunFileTail(Env* env, const RunSnapshot& snap,
                                                  std::string_view rel, size_t max_bytes);

}  // namespace seqgate::bridge
