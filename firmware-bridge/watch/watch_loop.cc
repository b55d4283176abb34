#include "watch/watch_loop.h"

#include <utility>

namespace seqgate::bridge {

WatchLoop::WatchLoop(Reconciler* reconciler, std::unique_ptr<InotifyHint> hint,
                     WatchLoopOptions options, std::function<int64_t()> clock)
    : reconciler_(reconciler),
      hint_(std::move(hint)),
      options_(options),
      clock_(std::move(clock)) {}

Result<std::vector<Event>> WatchLoop::Step(int max_wait_ms) {
  std::vector<Event> out;
  if (hint_ != nullptr) {
    SEQGATE_ASSIGN_OR_RETURN(Hint h, hint_->Wait(max_wait_ms));
    if (!h.problem.empty()) {
      Event e;
      e.kind = EventKind::kProblem;
      e.detail = h.problem;
      out.push_back(std::move(e));
    }
    if (h.changed) {
      if (first_hint_ns_ == 0) first_hint_ns_ = clock_();
      if (h.overflow) want_full_ = true;
      for (const std::string& d : h.paths) {
        std::string run = reconciler_->RunRootOf(d);
        if (run.empty()) {
          want_full_ = true;  // something new (or removed) outside every known run
        } else {
          dirty_runs_.insert(std::move(run));
        }
      }
    }
  }
  const int64_t now = clock_();
  const bool interval_due = now - last_full_ns_ >= options_.interval_ns;
  const bool hint_due = first_hint_ns_ != 0 && now - first_hint_ns_ >= options_.debounce_ns;
  if (interval_due || (want_full_ && hint_due) || (want_full_ && last_full_ns_ == 0)) {
    for (Event& e : reconciler_->Reconcile(now)) out.push_back(std::move(e));
    last_full_ns_ = now;
    ++full_passes_;
    want_full_ = false;
    dirty_runs_.clear();
    first_hint_ns_ = 0;
  } else if (hint_due && !dirty_runs_.empty()) {
    for (Event& e : reconciler_->ReconcileRuns(now, dirty_runs_)) out.push_back(std::move(e));
    ++partial_passes_;
    dirty_runs_.clear();
    first_hint_ns_ = 0;
  }
  return out;
}

}  // namespace seqgate::bridge
