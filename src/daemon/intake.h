// Where the bridge's run events enter the journal: record before acting. A ready file becomes a
// pending job (or stays what it was, if the journal already knows this version of it); a file
// that changed starts over; run state changes are kept so manifests go out when runs end.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "adapters/events.h"
#include "common/env.h"
#include "common/status.h"
#include "journal/journal.h"

namespace seqgate::daemon {

class Intake {
 public:
  // `on_vanished(file_id)` is called for a known file that disappeared or changed before it
  // was delivered, so the daemon can stop an upload of it that is in flight.
  Intake(Env& env, journal::Journal& journal, std::function<void(int64_t)> on_source_gone);

  // Applies one event. Errors are journal failures (the daemon stops: it cannot record).
  [[nodiscard]] Status Apply(const bridge::Event& e, int64_t now_ns);

  // Runs whose state or files changed since the last call (candidates for a manifest).
  std::set<int64_t> TakeTouchedRuns();

  // The journal id of a run by its bridge key, 0 when unknown.
  int64_t RunId(const std::string& run_key) const;

 private:
  Result<int64_t> EnsureRun(const bridge::Event& e, int64_t now_ns,
                            std::optional<bridge::RunState> state);
  Status FileReady(const bridge::Event& e, int64_t run, int64_t now_ns);

  Env& env_;
  journal::Journal& journal_;
  std::function<void(int64_t)> on_source_gone_;
  std::map<std::string, int64_t> runs_;                    // bridge key → journal id
  std::map<std::string, bridge::RunIdentity> identities_;  // full identity from discovery
  std::set<int64_t> touched_;
};

// The journal's word for a bridge run state.
std::string RunStateWord(bridge::RunState s);

}  // namespace seqgate::daemon
