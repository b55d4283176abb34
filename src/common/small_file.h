// Small state files (a few KiB of JSON) read whole and replaced durably: the client-side upload
// state files of `seqgatectl upload` and `seqgatectl s3 upload`. Not for data files — those are
// streamed and never held in memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace seqgate {

// The file's whole content, or nullopt when it does not exist. Refuses files over `max_bytes`
// (kInvalidArgument naming the path): a state file that large is not ours.
Result<std::optional<std::string>> ReadSmallFileIfExists(const std::string& path,
                                                         size_t max_bytes = 16u << 20);

// Replaces `path` with `text` so that a crash leaves either the old or the new content: written
// to "<path>.tmp" (mode 0600), fsync'd, renamed over `path`, and the directory fsync'd.
Status ReplaceFileDurably(const std::string& path, std::string_view text);

// A secret (an S3 access or secret key) from a file: at most 4 KiB, surrounding whitespace
// removed, not empty. Errors name `what` and the path, never the content.
Result<std::string> ReadSecretFile(const std::string& what, const std::string& path);

}  // namespace seqgate
