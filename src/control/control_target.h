// The seam between seqgated's state and its operators: the control socket (seqgatectl) and the
// metrics listener call this interface; the daemon implements it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace seqgate::control {

// What seqgated exposes to operators. Called from the control/metrics server threads; the
// daemon's implementation is thread-safe. JSON shapes are documented in docs/control.md
// ("seqgatectl and the control socket"); renderers tolerate missing optional keys.
class ControlTarget {
 public:
  virtual ~ControlTarget() = default;
  // One-screen summary.
  virtual nlohmann::json Status() = 0;
  // Every run the journal knows.
  virtual nlohmann::json Runs() = 0;
  // The files of one run: run id, name or journal id; kNotFound when none matches.
  virtual Result<nlohmann::json> Files(const std::string& run) = 0;
  // Retries the failed files of a run, or one file (its id); "all" retries every failed file.
  virtual Result<nlohmann::json> Retry(const std::string& what) = 0;
  // Stops starting new work; in-flight PATCHes end.
  virtual Result<nlohmann::json> Pause() = 0;
  // Undoes Pause().
  virtual Result<nlohmann::json> Resume() = 0;
  // Declares a run folder complete (families with no completion marker).
  virtual Result<nlohmann::json> MarkComplete(const std::string& run_dir) = 0;
  // Prometheus text exposition format (build it with prometheus.h).
  virtual std::string Metrics() = 0;
};

}  // namespace seqgate::control
