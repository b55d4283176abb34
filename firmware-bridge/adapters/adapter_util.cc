#include "adapters/adapter_util.h"

#include "common/glob.h"

namespace seqgate::bridge {

bool DirView::HasChild(std::string_view child) const {
  for (const auto& [child_name, type] : children) {
    if (child_name == child) return true;
  }
  return false;
}

bool DirView::HasChildDir(std::string_view child) const {
  for (const auto& [child_name, type] : children) {
    if (child_name == child && type == FileType::kDirectory) return true;
  }
  return false;
}

bool DirView::HasChildMatching(std::string_view pattern) const {
  for (const auto& [child_name, type] : children) {
    if (GlobMatch(pattern, child_name)) return true;
  }
  return false;
}

void FillVerdicts(const RunSnapshot& snap, const AssessContext& ctx, Family family,
                  const std::function<FileSignal(const Entry&)>& signal, Assessment* a) {
  const ShipPolicy policy(family, ctx.config->ship);
  a->files.reserve(a->files.size() + snap.entries.size());
  for (const Entry& e : snap.entries) {
    if (e.type == FileType::kDirectory) continue;
    FileVerdict v;
    v.path = e.path;
    v.size = e.size;
    v.mtime_ns = e.mtime_ns;
    v.inode = e.inode;
    v.device = e.device;
    if (e.type != FileType::kRegular) {
      v.reason = std::string(FileTypeName(e.type)) + ": never followed or shipped";
      a->files.push_back(std::move(v));
      continue;
    }
    const ShipDecision d = policy.Decide(e.path);
    v.wanted = d.ship;
    FileSignal s = signal(e);
    v.signal_ready = s.ready;
    v.unit = std::move(s.unit);
    if (!v.wanted) {
      v.reason = d.reason;
    } else if (!v.signal_ready) {
      v.reason = std::move(s.why_not);
    }
    a->files.push_back(std::move(v));
  }
}

bool QuietFor(const AssessContext& ctx, int64_t window_ns) {
  return ctx.now_ns - ctx.last_activity_ns >= window_ns;
}

std::string HumanDuration(int64_t ns) {
  int64_t s = ns / kSecondNs;
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + "s";
  const int64_t m = s / 60;
  if (m < 120) return std::to_string(m) + "m";
  return std::to_string(m / 60) + "h " + std::to_string(m % 60) + "m";
}

void AddProblem(Assessment* a, std::string_view file, const Status& st) {
  std::string m(file);
  m += ": ";
  // Some readers already name the file; say it once.
  m += st.message().starts_with(m) ? st.message().substr(m.size()) : st.message();
  a->problems.push_back(std::move(m));
}

void FinishAssessment(const AssessContext& ctx, Assessment* a) {
  // A marker we could not read may be half written; never complete (or ship) on a guess.
  if (!a->problems.empty() && !ctx.marked_complete) {
    if (a->state == RunState::kCompleted) {
      a->state = RunState::kInProgress;
      a->detail = "completion signalled, but metadata is unreadable: " + a->problems.front();
    }
    for (FileVerdict& v : a->files) {
      if (v.wanted && v.signal_ready) {
        v.signal_ready = false;
        v.reason = "run metadata unreadable: " + a->problems.front();
      }
    }
  }
  if (ctx.marked_complete && !IsTerminal(a->state)) {
    a->state = RunState::kCompleted;
    a->outcome = "MarkedComplete";
    a->detail = "marked complete by an operator (" + a->detail + ")";
    for (FileVerdict& v : a->files) {
      if (v.wanted && !v.signal_ready) {
        v.signal_ready = true;
        v.reason.clear();
      }
    }
    return;
  }
  if (a->state == RunState::kInProgress && QuietFor(ctx, ctx.config->stall_ns)) {
    a->state = RunState::kStalled;
    a->detail = "nothing changed for " + HumanDuration(ctx.now_ns - ctx.last_activity_ns) +
                " (stall window " + HumanDuration(ctx.config->stall_ns) + ") while " + a->detail;
  }
}

}  // namespace seqgate::bridge
