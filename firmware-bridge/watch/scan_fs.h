// The filesystem seam of the scanner: directory handles, listing and lstat-like stats.
//
// Env (common/env.h) opens files by path; walking a run with 100,000 files cheaply needs
// openat/fstatat/getdents on directory handles instead, and tests need to inject unreadable
// directories and vanished shares (root can read anything, so chmod cannot fake them).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace seqgate::bridge {

class ScanFs {
 public:
  virtual ~ScanFs() = default;

  // The process-wide POSIX implementation. Never deleted.
  static ScanFs* Default();

  // Opens directory `path` for listing; a symlink at `path` itself is refused (kInvalidArgument)
  // so the watch root cannot be redirected.
  [[nodiscard]] virtual Result<int> OpenDir(const std::string& path) = 0;
  // Opens subdirectory `name` of directory `dir`, never following a symlink.
  [[nodiscard]] virtual Result<int> OpenDirAt(int dir, std::string_view name) = 0;
  // Calls `fn` for every entry of `dir` except "." and "..". `type` comes from the directory
  // entry when the filesystem provides it, else kOther (the caller then stats).
  [[nodiscard]] virtual Status ReadDir(
      int dir, const std::function<void(std::string_view name, FileType type)>& fn) = 0;
  // lstat of `name` inside `dir` (symlinks are reported, never followed).
  [[nodiscard]] virtual Result<FileIdentity> StatAt(int dir, std::string_view name) = 0;
  virtual void Close(int dir) = 0;
};

}  // namespace seqgate::bridge
