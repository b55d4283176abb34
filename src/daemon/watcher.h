// The daemon's side of the firmware bridge: one reconciler (and inotify hint) per watch root,
// polled from the main loop. In --once mode it scans until every run that is finished now has
// been fully announced, then stops looking: "deliver what is complete now, then exit".
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "adapters/events.h"
#include "daemon/daemon_config.h"
#include "watch/reconciler.h"
#include "watch/watch_loop.h"

namespace seqgate::journal {
class Journal;
}

namespace seqgate::daemon {

class Intake;

class Watcher {
 public:
  Watcher(const DaemonConfig& config, bool once);
  ~Watcher();

  // Whatever passes are due at wall-clock `now_ns`: the events, in order.
  [[nodiscard]] Result<std::vector<bridge::Event>> Poll(int64_t now_ns);
  // The first full pass ran on every root (service), or every finished run is fully announced
  // (--once).
  bool settled() const { return settled_; }
  // Replaces the watch roots and scan settings; runs of roots that stay keep their trackers.
  void Reload(const DaemonConfig& config);
  // Operator: the run (folder or run id) is complete. False when no watched run matches.
  bool MarkComplete(const std::string& run);

  // --once: prints a summary of the target runs to stderr; 0 when every one was delivered,
  // 3 otherwise (each undelivered run with its reason).
  int OnceSummary(journal::Journal& journal, const Intake& intake) const;

 private:
  struct Root;
  std::unique_ptr<Root> MakeRoot(const WatchRoot& r) const;
  bridge::WatchConfig WatchConfigOf(const WatchRoot& r) const;

  DaemonConfig config_;
  bool once_;
  bool settled_ = false;
  int64_t once_started_ns_ = 0;
  std::vector<std::unique_ptr<Root>> roots_;
  std::set<std::string> once_targets_;  // run keys finished when --once looked
};

}  // namespace seqgate::daemon
