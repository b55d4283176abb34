// The memory of one run between scans: turns successive Assessments into events.
//
// Pure apart from the adapter's bounded metadata reads: feed it snapshots and the time, get
// events. It owns the rules every family shares: a file is ready only when its family's
// signal covers it AND its size, mtime and inode have stayed the same for the settle window;
// a file that changes after being announced is announced again; future mtimes are tolerated
// (stability is then judged by observation) and reported once; "run completed" follows the
// announcement of every file that is ready, so its consumer can close the run's manifest.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/adapter.h"
#include "adapters/events.h"

namespace seqgate::bridge {

struct TrackerOptions {
  // Treat a file whose mtime is older than the settle window as already stable on first
  // sight. Right for one-shot scans (seqgatectl scan); the daemon observes instead, because
  // copy tools can preserve old mtimes on files they are still writing.
  bool trust_old_mtime = false;
  // How far in the future an mtime may be before it is reported as clock skew.
  int64_t future_tolerance_ns = 60 * kSecondNs;
};

class RunTracker {
 public:
  // `adapter` and `config` must outlive the tracker.
  RunTracker(const Adapter* adapter, const FamilyConfig* config, TrackerOptions options);

  // Assesses `snap` at wall-clock `now_ns` and returns what happened since the last call, in
  // order: discovery, problems, file changes, unit changes, file readiness, run state.
  std::vector<Event> Update(const RunSnapshot& snap, Env* env, int64_t now_ns);

  // An operator declared the run complete (MGI/generic, or a run whose marker never comes).
  void MarkComplete() { marked_complete_ = true; }

  // The assessment of the last Update, with each verdict's readiness as the tracker sees it.
  const Assessment& assessment() const { return last_; }
  // Whether `path` has been announced ready (and not changed since).
  bool Announced(const std::string& path) const;
  // Whether `path` is wanted and signal-ready but still inside its settle window.
  bool Settling(const std::string& path) const;
  // Whether every file that is wanted and signal-ready has been announced (none settling).
  bool AllAnnounced() const;
  const std::string& key() const { return key_; }
  RunState reported_state() const { return reported_; }

 private:
  struct FileMemory {
    uint64_t size = 0;
    uint64_t inode = 0;
    uint64_t device = 0;
    int64_t mtime_ns = 0;
    int64_t stable_since_ns = 0;  // when this identity was first seen (or its old mtime)
    bool announced = false;
    bool future_reported = false;
  };

  Event Base(EventKind kind) const;

  const Adapter* adapter_;
  const FamilyConfig* config_;
  TrackerOptions options_;
  bool first_update_ = true;
  bool discovered_ = false;
  bool marked_complete_ = false;
  std::string key_;
  std::string root_;
  RunState reported_ = RunState::kInProgress;
  int64_t last_activity_ns_ = 0;
  std::unordered_map<std::string, FileMemory> files_;
  std::map<std::string, RunState> units_;
  std::set<std::string> reported_problems_;
  Assessment last_;
};

}  // namespace seqgate::bridge
