#include "adapters/events.h"

namespace seqgate::bridge {

std::string_view EventKindName(EventKind k) {
  switch (k) {
    case EventKind::kRunDiscovered:
      return "run_discovered";
    case EventKind::kFileReady:
      return "file_ready";
    case EventKind::kFileChanged:
      return "file_changed";
    case EventKind::kFileVanished:
      return "file_vanished";
    case EventKind::kUnitChanged:
      return "unit_changed";
    case EventKind::kRunCompleted:
      return "run_completed";
    case EventKind::kRunFailed:
      return "run_failed";
    case EventKind::kRunAborted:
      return "run_aborted";
    case EventKind::kRunStalled:
      return "run_stalled";
    case EventKind::kRunResumed:
      return "run_resumed";
    case EventKind::kRunMoved:
      return "run_moved";
    case EventKind::kRunUnavailable:
      return "run_unavailable";
    case EventKind::kRunAvailable:
      return "run_available";
    case EventKind::kProblem:
      return "problem";
  }
  return "unknown";
}

std::string Event::Brief() const {
  std::string s(EventKindName(kind));
  if (!unit.empty()) s += " " + unit;
  if (!path.empty()) s += " " + path;
  switch (kind) {
    case EventKind::kUnitChanged:
    case EventKind::kRunCompleted:
    case EventKind::kRunFailed:
    case EventKind::kRunAborted:
      s += " ";
      s += RunStateName(state);
      if (!outcome.empty()) s += "/" + outcome;
      break;
    default:
      break;
  }
  return s;
}

}  // namespace seqgate::bridge
