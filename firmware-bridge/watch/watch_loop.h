// The watching loop: periodic full reconciliation passes, and earlier partial passes when
// inotify hints that something changed inside a known run.
//
// Hints only make passes come sooner. A hint outside every known run (a new run folder) or a
// queue overflow triggers a full pass; hints inside runs rescan just those runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "adapters/events.h"
#include "watch/inotify_hint.h"
#include "watch/reconciler.h"

namespace seqgate::bridge {

struct WatchLoopOptions {
  int64_t interval_ns = 60 * kSecondNs;  // full pass at least this often (network shares)
  int64_t debounce_ns = 2 * kSecondNs;   // let a burst of events settle before a partial pass
};

class WatchLoop {
 public:
  // `hint` may be null (no inotify: network share, or inotify unavailable). `clock` returns
  // wall-clock nanoseconds; tests substitute their own.
  WatchLoop(Reconciler* reconciler, std::unique_ptr<InotifyHint> hint, WatchLoopOptions options,
            std::function<int64_t()> clock);

  // Waits up to `max_wait_ms` for a hint, then runs whatever pass is due. Returns the events
  // of that pass (empty when none was due); problems from inotify come back as kProblem events.
  [[nodiscard]] Result<std::vector<Event>> Step(int max_wait_ms);

  // Passes run so far: (full, partial). For tests and metrics.
  std::pair<uint64_t, uint64_t> passes() const { return {full_passes_, partial_passes_}; }

 private:
  Reconciler* reconciler_;
  std::unique_ptr<InotifyHint> hint_;
  WatchLoopOptions options_;
  std::function<int64_t()> clock_;
  int64_t last_full_ns_ = 0;
  int64_t first_hint_ns_ = 0;  // when the oldest unprocessed hint arrived (0 = none)
  bool want_full_ = true;
  std::set<std::string> dirty_runs_;
  uint64_t full_passes_ = 0, partial_passes_ = 0;
};

}  // namespace seqgate::bridge
