// Crash-safe filesystem steps for the ingest store. Every state change that a client is told
// about follows temp → write → fsync → rename → fsync(dir), so after a power cut a file is
// either the old version or the new one, never half (restic's local backend is the model).
// An fsync failure is returned, never retried: the page cache may already have dropped data.
// Every change goes through the given Env, so a test can cut the power between any two steps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace seqgate::ingest {

// Replaces `path` with `data` atomically and durably (temp file in the same directory).
Status WriteFileAtomic(Env& env, const std::string& path, std::string_view data);

// Reads a whole small file; kInvalidArgument if it is larger than `max_bytes`.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

// fsyncs a directory so entries created, renamed or removed in it survive a crash.
Status FsyncDir(Env& env, const std::string& dir);

// mkdir -p with mode 0750; every directory it creates is made durable in its parent.
Status MakeDirs(Env& env, const std::string& dir);

// Renames `from` to `to`, refusing to replace an existing `to` (kAlreadyExists is reported as
// kInvalidArgument "exists"), then fsyncs both parent directories.
Status RenameNoReplace(Env& env, const std::string& from, const std::string& to);

// Removes a file or directory tree; a missing path is fine. Fsyncs the parent.
Status RemoveTree(Env& env, const std::string& path);

// `bytes` random bytes from the OS CSPRNG (via OpenSSL), as lower-case hex.
Result<std::string> RandomHex(size_t bytes);

// The parent directory of `path` ("a/b/c" → "a/b").
std::string ParentDir(const std::string& path);

}  // namespace seqgate::ingest
