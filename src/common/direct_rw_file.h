// A RandomRWFile whose writes bypass the page cache: O_DIRECT from an aligned buffer of its own.
// For data that is written once, in order, and not read again soon — the centre's uploads. On a
// busy centre, caching them only evicts what others need, and every cached byte costs a copy
// into a fresh page and, later, writeback and reclaim (docs/pipeline.md, "The centre's page
// cache").
#pragma once

#include <memory>
#include <string>

#include "common/env.h"

namespace seqgate {

// Opens the existing regular file `path` (symlinks refused) for direct writes. kUnsupported when
// its filesystem has no O_DIRECT (e.g. tmpfs): the caller falls back to an ordinary file.
//
// Sequential writes gather in a 1 MiB aligned buffer and go out whole; a write elsewhere, Sync
// and Truncate write out what is gathered first. The last, partial block goes out padded with
// zeros and the file is cut back to its true size; its bytes stay in memory so the next write
// rewrites that block whole. Reads through fd() therefore see what was written before the last
// Sync or Truncate — as upload data is read only once acknowledged, that is all they need.
// Between a Sync and the next write the file holds one descriptor (fd()); writes open an
// O_DIRECT one of their own on the same file, which Sync closes.
Result<std::unique_ptr<RandomRWFile>> OpenDirectRW(const std::string& path);

}  // namespace seqgate
