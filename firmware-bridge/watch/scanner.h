// Walking run folders into snapshots, and finding run folders under a watch root.
//
// Symlinks are listed and never followed, so nothing outside the watch root is ever read.
// Entries that cannot be read are reported in the snapshot's problems, never fatal; only a
// root that cannot be opened at all fails (the share is unavailable).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/adapter.h"
#include "adapters/snapshot.h"
#include "watch/scan_fs.h"

namespace seqgate::bridge {

struct ScanLimits {
  int max_depth = 32;               // deeper directories are reported, not walked
  size_t max_entries = 10'000'000;  // a runaway tree is reported, not walked to the end
};

// Snapshot of the run folder at `root` (absolute). Fails only when `root` cannot be opened.
[[nodiscard]] Result<RunSnapshot> ScanRun(ScanFs* fs, const std::string& root, int64_t now_ns,
                                          const ScanLimits& limits = {});

struct FoundRun {
  std::string root;  // absolute
  const Adapter* adapter = nullptr;
};

struct Discovery {
  std::vector<FoundRun> runs;
  std::vector<ScanProblem> problems;  // paths relative to the watch root
};

// Finds run folders at most `max_depth` levels below `watch_root` (the root itself counts, at
// depth 0), asking `adapters` in order; a claimed folder is not searched further. Hidden
// directories (".snapshot", ...) are skipped. Fails only when `watch_root` cannot be opened.
[[nodiscard]] Result<Discovery> DiscoverRuns(ScanFs* fs, const std::string& watch_root,
                                             const std::vector<std::unique_ptr<Adapter>>& adapters,
                                             int max_depth = 4);

}  // namespace seqgate::bridge
