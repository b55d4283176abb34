// What operators see and may do (seqgatectl over the control socket, Prometheus /metrics):
// read from the journal and the delivery engine, both thread-safe; commands that change the
// daemon's course run on its main loop through `post`, so the loop's state is never touched
// from a control thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "control/control_target.h"
#include "daemon/delivery.h"
#include "journal/journal.h"

namespace seqgate::daemon {

class OperatorView final : public control::ControlTarget {
 public:
  using Command = std::function<Result<nlohmann::json>()>;
  // `post` runs a command on the main loop and returns its result (blocking the caller).
  OperatorView(journal::Journal& journal, Delivery& delivery,
               std::function<Result<nlohmann::json>(Command)> post);

  nlohmann::json Status() override;
  nlohmann::json Runs() override;
  Result<nlohmann::json> Files(const std::string& run) override;
  Result<nlohmann::json> Retry(const std::string& what) override;
  Result<nlohmann::json> Pause() override;
  Result<nlohmann::json> Resume() override;
  Result<nlohmann::json> MarkComplete(const std::string& run_dir) override;
  std::string Metrics() override;

  // The reconcilers' MarkComplete, run on the main loop; true when some run matched.
  void SetMarkComplete(std::function<bool(const std::string&)> fn) { mark_ = std::move(fn); }
  // One line for systemd's STATUS=.
  std::string StatusLine();
  // Transfer rate over the last sample window (bytes/s); sampled by the main loop.
  void SampleRate();

 private:
  Result<journal::RunRecord> FindRun(const std::string& key);
  // Status() from per-state totals already read (Metrics reads them once for both).
  nlohmann::json StatusOf(const Result<std::map<journal::FileState, journal::StateTotals>>& t);

  journal::Journal& journal_;
  Delivery& delivery_;
  std::function<Result<nlohmann::json>(Command)> post_;
  std::function<bool(const std::string&)> mark_;
  const std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();

  std::mutex mu_;
  double rate_bps_ = 0;
  uint64_t last_bytes_ = 0;
  std::chrono::steady_clock::time_point last_sample_ = std::chrono::steady_clock::now();
};

// RFC 3339 UTC ("2026-11-21T10:00:00Z") of nanoseconds since the epoch.
std::string Rfc3339(int64_t ns);

}  // namespace seqgate::daemon
