// A point-in-time listing of one run folder: the only view of the filesystem adapters get.
//
// Scanners produce snapshots (watch/scanner.h), tests build them by hand or from temp dirs.
// Entries are sorted by path so that lookups and "everything under X/" are binary searches.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"

namespace seqgate::bridge {

// One entry of a run folder. Symlinks are listed as symlinks and never followed.
struct Entry {
  std::string path;  // relative to the run root, '/'-separated, no leading "./"
  FileType type = FileType::kRegular;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  uint64_t device = 0;
};

// Something the scanner could not look at; reported, never fatal.
struct ScanProblem {
  std::string path;  // relative to the run root ("" = the root itself)
  std::string message;
};

struct RunSnapshot {
  std::string root;            // absolute path of the run folder
  int64_t taken_at_ns = 0;     // wall clock when the scan started
  std::vector<Entry> entries;  // sorted by path (call Sort() after filling)
  std::vector<ScanProblem> problems;

  // Sorts entries by path; required before any lookup.
  void Sort();
  // The entry at exactly `path`, or nullptr.
  const Entry* Find(std::string_view path) const;
  // Like Find, but ASCII case-insensitive (vendors vary the case of file names); linear.
  const Entry* FindIgnoreCase(std::string_view path) const;
  // Whether a regular file exists at `path`.
  bool HasFile(std::string_view path) const;
  // All entries whose path starts with `prefix` (use "dir/" for "everything under dir").
  std::span<const Entry> WithPrefix(std::string_view prefix) const;
  // Names of the direct children of directory `dir` ("" = root) that are directories.
  std::vector<std::string> SubdirNames(std::string_view dir) const;
  // Latest mtime among all entries that is not after `not_after_ns` (future mtimes are clock
  // skew and must not keep a run looking alive); 0 for an empty snapshot.
  int64_t NewestMtime(int64_t not_after_ns) const;
  // Absolute path of a relative entry path.
  std::string Abs(std::string_view rel) const;
};

// Final path component of `path`.
std::string_view BaseName(std::string_view path);
// Everything before the final '/' ("" when there is none).
std::string_view DirName(std::string_view path);

}  // namespace seqgate::bridge
