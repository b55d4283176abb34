// Periodic reconciliation of a watch root: discover runs, scan each, and keep one RunTracker
// per run across passes.
//
// This is the part that never trusts events: NFS/SMB shares deliver no inotify events, so a
// pass re-derives everything from a scan (inotify, when available, only makes passes come
// sooner). A run folder that disappears is "unavailable", never "deleted"; one that reappears
// under another name with the same run id + flow cell is the same run, moved.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/adapter.h"
#include "adapters/events.h"
#include "adapters/run_tracker.h"
#include "watch/scan_fs.h"
#include "watch/scanner.h"

namespace seqgate::bridge {

struct WatchConfig {
  std::string root;          // absolute path of the watch root
  int discovery_depth = 4;   // how deep below the root run folders are looked for
  bool generic = false;      // folders directly under the root no family claims are generic runs
  bool skip_qc_runs = true;  // QC/test runs are announced once, then ignored
  TrackerOptions tracker;
  std::map<Family, FamilyConfig> families;  // per-family settings, overriding `defaults`
  FamilyConfig defaults;                    // for every family without an entry in `families`
  // A run that is finished, fully announced and unchanged at its last scan is rescanned only
  // every Nth full pass (1 = always): most of a gateway's runs are done, and their scans are
  // most of its idle CPU. Discovery still sees the folder every pass, and inotify hints
  // (ReconcileRuns) rescan it at once.
  int quiet_rescan_every = 10;
  ScanLimits limits;
};

class Reconciler {
 public:
  // `fs` and `env` must outlive the reconciler.
  Reconciler(ScanFs* fs, Env* env, WatchConfig config);

  // One pass at wall-clock `now_ns`: the events since the previous pass, run by run.
  std::vector<Event> Reconcile(int64_t now_ns);

  // A partial pass: rescans only the tracked runs whose folder is one of `roots` (no
  // discovery). For inotify hints inside known runs; full passes still run periodically.
  std::vector<Event> ReconcileRuns(int64_t now_ns, const std::set<std::string>& roots);

  // The tracked run folder containing absolute `path`, or "" when none does.
  std::string RunRootOf(std::string_view path) const;

  // An operator declares the run complete (by run id or RunIdentity::Key()). False when no
  // tracked run matches.
  bool MarkComplete(std::string_view run_id_or_key);

  struct RunView {
    std::string root;
    const RunTracker* tracker = nullptr;
    bool available = true;
    bool filtered = false;  // QC/test run, ignored
  };
  // Every run seen so far, in discovery order.
  std::vector<RunView> Runs() const;

 private:
  struct Tracked {
    std::string root;
    FamilyConfig config;
    std::unique_ptr<RunTracker> tracker;
    bool available = true;
    bool filtered = false;
    bool seen = false;
    bool quiet = false;  // terminal, all announced, no events at the last scan
    int skipped = 0;     // full passes skipped since the last scan
  };

  const FamilyConfig& ConfigFor(Family f) const;
  void UpdateRun(Tracked* t, const RunSnapshot& snap, int64_t now_ns, std::vector<Event>* out);
  void Unavailable(Tracked* t, const std::string& why, std::vector<Event>* out);

  ScanFs* fs_;
  Env* env_;
  WatchConfig config_;
  std::vector<std::unique_ptr<Adapter>> adapters_;
  std::vector<std::unique_ptr<Tracked>> runs_;
  std::set<std::string> reported_problems_;
  bool root_available_ = true;
};

}  // namespace seqgate::bridge
