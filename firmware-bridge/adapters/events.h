// Normalized run events: what the bridge tells the daemon (and the journal records).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/run_model.h"

namespace seqgate::bridge {

enum class EventKind {
  kRunDiscovered,   // a run folder was recognised; `identity` is filled
  kFileReady,       // a file may be shipped: its signal says so and it has settled
  kFileChanged,     // an announced file changed (size, mtime or inode); it will be re-announced
  kFileVanished,    // an announced file disappeared from the run folder
  kUnitChanged,     // a unit (analysis, SMRT cell, pooled ONT run) changed state
  kRunCompleted,    // terminal with a good (or unknown) outcome; every ready file announced
  kRunFailed,       // terminal: the instrument reported failure
  kRunAborted,      // terminal: stopped early (user, crash, all cells aborted)
  kRunStalled,      // not finished and nothing changed for the stall window
  kRunResumed,      // back in progress after stalled/terminal (late writes, requeued analysis)
  kRunMoved,        // the run folder was renamed/moved; `detail` holds the old root
  kRunUnavailable,  // the run folder (or its share) cannot be reached; not deleted
  kRunAvailable,    // reachable again
  kProblem,         // something could not be read or looks wrong; `detail` says what
};

// "run_discovered", "file_ready", ... (stable, for logs and JSON).
std::string_view EventKindName(EventKind k);

struct Event {
  EventKind kind = EventKind::kProblem;
  std::string run_key;   // RunIdentity::Key()
  std::string run_root;  // absolute path of the run folder
  RunIdentity identity;  // full for kRunDiscovered, family/run_id/flow_cell otherwise
  std::string unit;      // for kUnitChanged and unit-governed files
  std::string path;      // run-relative, for file events
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  std::optional<SourceChecksum> checksum;
  RunState state = RunState::kInProgress;
  std::string outcome;
  std::string detail;

  // One line for logs and test expectations: "<kind> [<unit>] [<path>] [<state>/<outcome>]".
  std::string Brief() const;
};

}  // namespace seqgate::bridge
