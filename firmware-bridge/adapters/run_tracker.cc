#include "adapters/run_tracker.h"

#include <algorithm>

#include "adapters/adapter_util.h"

namespace seqgate::bridge {
namespace {

EventKind TerminalEvent(RunState s) {
  switch (s) {
    case RunState::kCompleted:
      return EventKind::kRunCompleted;
    case RunState::kFailed:
      return EventKind::kRunFailed;
    case RunState::kAborted:
      return EventKind::kRunAborted;
    case RunState::kStalled:
      return EventKind::kRunStalled;
    case RunState::kInProgress:
      return EventKind::kRunResumed;
  }
  return EventKind::kProblem;
}

}  // namespace

RunTracker::RunTracker(const Adapter* adapter, const FamilyConfig* config, TrackerOptions options)
    : adapter_(adapter), config_(config), options_(options) {}

Event RunTracker::Base(EventKind kind) const {
  Event e;
  e.kind = kind;
  e.run_key = key_;
  e.run_root = root_;
  e.identity.family = last_.identity.family;
  e.identity.run_id = last_.identity.run_id;
  e.identity.flow_cell = last_.identity.flow_cell;
  return e;
}

bool RunTracker::Announced(const std::string& path) const {
  auto it = files_.find(path);
  return it != files_.end() && it->second.announced;
}

bool RunTracker::AllAnnounced() const {
  for (const FileVerdict& v : last_.files) {
    if (v.wanted && v.signal_ready && !Announced(v.path)) return false;
  }
  return true;
}

bool RunTracker::Settling(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end() || it->second.announced) return false;
  for (const FileVerdict& v : last_.files) {
    if (v.path == path) return v.wanted && v.signal_ready;
  }
  return false;
}

std::vector<Event> RunTracker::Update(const RunSnapshot& snap, Env* env, int64_t now_ns) {
  std::vector<Event> out;
  std::vector<Event> file_events;
  root_ = snap.root;
  const int64_t future_limit = now_ns + options_.future_tolerance_ns;

  // 1. What changed on disk since the last scan.
  std::unordered_map<std::string, FileMemory> seen;
  seen.reserve(snap.entries.size());
  for (const Entry& e : snap.entries) {
    if (e.type != FileType::kRegular) continue;
    auto old = files_.find(e.path);
    FileMemory m;
    if (old != files_.end()) m = old->second;
    const bool same = old != files_.end() && m.size == e.size && m.mtime_ns == e.mtime_ns &&
                      m.inode == e.inode && m.device == e.device;
    if (!same) {
      if (old != files_.end() && m.announced) {
        Event ev = Base(EventKind::kFileChanged);
        ev.path = e.path;
        ev.size = e.size;
        ev.mtime_ns = e.mtime_ns;
        ev.inode = e.inode;
        ev.detail = "size " + std::to_string(m.size) + " -> " + std::to_string(e.size) +
                    (m.mtime_ns != e.mtime_ns ? ", mtime changed" : "") +
                    (m.inode != e.inode || m.device != e.device ? ", inode changed" : "");
        file_events.push_back(std::move(ev));
      }
      const bool new_file = old == files_.end();
      m.size = e.size;
      m.mtime_ns = e.mtime_ns;
      m.inode = e.inode;
      m.device = e.device;
      m.announced = false;
      m.stable_since_ns = now_ns;
      if (new_file && options_.trust_old_mtime && e.mtime_ns <= now_ns) {
        m.stable_since_ns = e.mtime_ns;
      }
      if (!first_update_) last_activity_ns_ = now_ns;
    }
    if (e.mtime_ns > future_limit && !m.future_reported) {
      m.future_reported = true;
      Event ev = Base(EventKind::kProblem);
      ev.path = e.path;
      ev.detail = "mtime is " + HumanDuration(e.mtime_ns - now_ns) +
                  " in the future (clock skew?); stability is judged by observation instead";
      file_events.push_back(std::move(ev));
    }
    seen.emplace(e.path, m);
  }
  for (const auto& [path, m] : files_) {
    if (seen.count(path) != 0) continue;
    if (!first_update_) last_activity_ns_ = now_ns;
    if (m.announced) {
      Event ev = Base(EventKind::kFileVanished);
      ev.path = path;
      file_events.push_back(std::move(ev));
    }
  }
  files_ = std::move(seen);

  // 2. The family's view.
  last_activity_ns_ = std::max(last_activity_ns_, snap.NewestMtime(future_limit));
  AssessContext ctx;
  ctx.env = env;
  ctx.now_ns = now_ns;
  ctx.last_activity_ns = last_activity_ns_;
  ctx.marked_complete = marked_complete_;
  ctx.config = config_;
  last_ = adapter_->Assess(snap, ctx);
  key_ = last_.identity.Key();
  for (Event& ev : file_events) {
    ev.run_key = key_;
    ev.identity.run_id = last_.identity.run_id;
    ev.identity.flow_cell = last_.identity.flow_cell;
  }

  if (!discovered_) {
    discovered_ = true;
    Event ev = Base(EventKind::kRunDiscovered);
    ev.identity = last_.identity;
    ev.detail = last_.qc_or_test ? "QC/test run: " + last_.qc_reason : "";
    out.push_back(std::move(ev));
  }
  for (const ScanProblem& p : snap.problems) {
    if (!reported_problems_.insert(p.path + ": " + p.message).second) continue;
    Event ev = Base(EventKind::kProblem);
    ev.path = p.path;
    ev.detail = p.message;
    out.push_back(std::move(ev));
  }
  for (const std::string& p : last_.problems) {
    if (!reported_problems_.insert(p).second) continue;
    Event ev = Base(EventKind::kProblem);
    ev.detail = p;
    out.push_back(std::move(ev));
  }
  for (Event& ev : file_events) out.push_back(std::move(ev));

  // 3. Units that moved.
  for (const UnitStatus& u : last_.units) {
    auto it = units_.find(u.name);
    const bool known = it != units_.end();
    if ((known && it->second == u.state) || (!known && u.state == RunState::kInProgress)) {
      units_[u.name] = u.state;
      continue;
    }
    units_[u.name] = u.state;
    Event ev = Base(EventKind::kUnitChanged);
    ev.unit = u.name;
    ev.state = u.state;
    ev.outcome = u.outcome;
    ev.detail = u.detail;
    out.push_back(std::move(ev));
  }

  // 4. Files that are ready: signal + settle window.
  bool pending = false;
  for (const FileVerdict& v : last_.files) {
    if (!v.wanted || !v.signal_ready) continue;
    FileMemory& m = files_[v.path];
    if (m.announced) continue;
    if (now_ns - m.stable_since_ns < config_->settle_ns) {
      pending = true;
      continue;
    }
    m.announced = true;
    Event ev = Base(EventKind::kFileReady);
    ev.path = v.path;
    ev.size = v.size;
    ev.mtime_ns = v.mtime_ns;
    ev.inode = v.inode;
    ev.unit = v.unit;
    ev.checksum = v.checksum;
    out.push_back(std::move(ev));
  }

  // 5. The run's state; terminal states wait until every ready file is announced.
  RunState now_state = last_.state;
  if (IsTerminal(now_state) && pending) now_state = reported_;
  if (now_state != reported_) {
    reported_ = now_state;
    Event ev = Base(TerminalEvent(now_state));
    ev.state = now_state;
    ev.outcome = last_.outcome;
    ev.detail = last_.detail;
    out.push_back(std::move(ev));
  }
  first_update_ = false;
  return out;
}

}  // namespace seqgate::bridge
