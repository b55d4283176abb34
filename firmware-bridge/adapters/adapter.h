// The contract every instrument family implements: recognise a run folder, and turn a
// snapshot of it into an Assessment. Adapters are pure apart from reading small metadata files
// through the Env, so they are tested on hand-built folders and replayed snapshots.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adapters/run_model.h"
#include "adapters/ship_policy.h"
#include "adapters/snapshot.h"
#include "common/env.h"

namespace seqgate::bridge {

inline constexpr int64_t kSecondNs = 1'000'000'000;

// Per-family settings; defaults follow what mature watchers use (instruments.md §4).
struct FamilyConfig {
  ShipOverrides ship;
  // A file must keep size, mtime and inode for this long before it is ready.
  int64_t settle_ns = 120 * kSecondNs;
  // A run that is not finished and where nothing changed for this long is stalled.
  int64_t stall_ns = 6 * 3600 * kSecondNs;
  // MGI/generic only: globs that must each match at least one file before the run can be
  // complete, an optional marker glob, and how long the whole run must be quiet.
  std::vector<std::string> expected;
  std::string marker_glob;
  int64_t stability_ns = 30 * 60 * kSecondNs;
};

// What an adapter may know besides the snapshot.
struct AssessContext {
  Env* env = nullptr;  // for reading metadata files (bounded)
  int64_t now_ns = 0;
  // The latest moment anything in the run was seen to change: the newest sane mtime, or a
  // later change the tracker observed. Drives stall detection.
  int64_t last_activity_ns = 0;
  bool marked_complete = false;  // an operator declared the run complete
  const FamilyConfig* config = nullptr;
};

// A directory as discovery sees it: its name, depth below the watch root and direct children.
struct DirView {
  std::string name;
  int depth = 0;  // 1 = directly under the watch root
  std::vector<std::pair<std::string, FileType>> children;

  bool HasChild(std::string_view child) const;
  bool HasChildDir(std::string_view child) const;
  // Whether some child name matches the glob `pattern` (no '/').
  bool HasChildMatching(std::string_view pattern) const;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual Family family() const = 0;
  // Whether `dir` is the root of a run of this family (name and direct children only; cheap).
  virtual bool Detect(const DirView& dir) const = 0;
  // The run's identity, state, units and per-file verdicts. Never fails: unreadable or
  // malformed inputs become `problems` and keep the run from completing.
  virtual Assessment Assess(const RunSnapshot& snap, const AssessContext& ctx) const = 0;
};

// The adapter for `family`.
std::unique_ptr<Adapter> MakeAdapter(Family family);

// Adapters in detection priority order (most specific markers first). The generic adapter is
// last and only present when `with_generic` (it claims any directory directly under the root).
std::vector<std::unique_ptr<Adapter>> MakeAdapters(bool with_generic);

}  // namespace seqgate::bridge
