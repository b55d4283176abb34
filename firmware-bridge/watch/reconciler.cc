#include "watch/reconciler.h"

#include <utility>

namespace seqgate::bridge {
namespace {

Event RunEvent(EventKind kind, const RunTracker& t, const std::string& root) {
  Event e;
  e.kind = kind;
  e.run_key = t.key();
  e.run_root = root;
  e.identity.family = t.assessment().identity.family;
  e.identity.run_id = t.assessment().identity.run_id;
  e.identity.flow_cell = t.assessment().identity.flow_cell;
  return e;
}

}  // namespace

Reconciler::Reconciler(ScanFs* fs, Env* env, WatchConfig config)
    : fs_(fs), env_(env), config_(std::move(config)), adapters_(MakeAdapters(config_.generic)) {}

const FamilyConfig& Reconciler::ConfigFor(Family f) const {
  auto it = config_.families.find(f);
  return it == config_.families.end() ? config_.defaults : it->second;
}

void Reconciler::Unavailable(Tracked* t, const std::string& why, std::vector<Event>* out) {
  if (!t->available) return;
  t->available = false;
  if (t->filtered) return;
  Event e = RunEvent(EventKind::kRunUnavailable, *t->tracker, t->root);
  e.detail = why;
  out->push_back(std::move(e));
}

void Reconciler::UpdateRun(Tracked* t, const RunSnapshot& snap, int64_t now_ns,
                           std::vector<Event>* out) {
  if (!t->available) {
    t->available = true;
    if (!t->filtered) out->push_back(RunEvent(EventKind::kRunAvailable, *t->tracker, t->root));
  }
  std::vector<Event> events = t->tracker->Update(snap, env_, now_ns);
  t->quiet =
      events.empty() && IsTerminal(t->tracker->reported_state()) && t->tracker->AllAnnounced();
  t->skipped = 0;
  if (t->tracker->assessment().qc_or_test && config_.skip_qc_runs) {
    // Announce once so operators can see why nothing ships; then stay silent.
    for (Event& e : events) {
      if (e.kind == EventKind::kRunDiscovered) {
        e.detail += "; ignored (QC/test runs are filtered)";
        out->push_back(std::move(e));
      }
    }
    t->filtered = true;
    return;
  }
  t->filtered = false;
  for (Event& e : events) out->push_back(std::move(e));
}

std::vector<Event> Reconciler::Reconcile(int64_t now_ns) {
  std::vector<Event> out;
  auto found = DiscoverRuns(fs_, config_.root, adapters_, config_.discovery_depth);
  if (!found.ok()) {
    if (root_available_) {
      root_available_ = false;
      Event p;
      p.kind = EventKind::kProblem;
      p.run_root = config_.root;
      p.detail = "watch root unavailable: " + found.status().message();
      out.push_back(std::move(p));
    }
    for (auto& t : runs_) Unavailable(t.get(), "watch root unavailable", &out);
    return out;
  }
  root_available_ = true;
  for (const ScanProblem& p : found->problems) {
    if (!reported_problems_.insert(p.path + ": " + p.message).second) continue;
    Event e;
    e.kind = EventKind::kProblem;
    e.run_root = config_.root;
    e.path = p.path;
    e.detail = p.message;
    out.push_back(std::move(e));
  }
  std::set<std::string> discovered;
  for (const FoundRun& r : found->runs) discovered.insert(r.root);
  for (auto& t : runs_) t->seen = false;

  for (const FoundRun& r : found->runs) {
    Tracked* known = nullptr;
    for (auto& t : runs_) {
      if (t->root == r.root) known = t.get();
    }
    if (known != nullptr && known->available && (known->quiet || known->filtered) &&
        known->skipped + 1 < config_.quiet_rescan_every) {
      known->seen = true;
      ++known->skipped;
      continue;
    }
    auto snap = ScanRun(fs_, r.root, now_ns, config_.limits);
    if (known != nullptr) {
      known->seen = true;
      if (!snap.ok()) {
        Unavailable(known, snap.status().message(), &out);
        continue;
      }
      UpdateRun(known, *snap, now_ns, &out);
      continue;
    }
    if (!snap.ok()) {
      Event e;
      e.kind = EventKind::kProblem;
      e.run_root = r.root;
      e.detail = "cannot scan new run folder: " + snap.status().message();
      out.push_back(std::move(e));
      continue;
    }
    auto t = std::make_unique<Tracked>();
    t->root = r.root;
    t->config = ConfigFor(r.adapter->family());
    t->tracker = std::make_unique<RunTracker>(r.adapter, &t->config, config_.tracker);
    t->seen = true;
    std::vector<Event> events = t->tracker->Update(*snap, env_, now_ns);
    // A folder renamed or moved: same run id + flow cell as a run whose folder is gone.
    Tracked* moved = nullptr;
    for (auto& old : runs_) {
      if (old->tracker->key() == t->tracker->key() && discovered.count(old->root) == 0 &&
          old->tracker->assessment().identity.family == r.adapter->family()) {
        moved = old.get();
      }
    }
    if (moved != nullptr) {
      Event e = RunEvent(EventKind::kRunMoved, *moved->tracker, r.root);
      e.detail = "moved from " + moved->root;
      out.push_back(std::move(e));
      moved->root = r.root;
      moved->seen = true;
      UpdateRun(moved, *snap, now_ns, &out);
      continue;
    }
    Tracked* added = t.get();
    runs_.push_back(std::move(t));
    if (added->tracker->assessment().qc_or_test && config_.skip_qc_runs) {
      added->filtered = true;
      for (Event& e : events) {
        if (e.kind != EventKind::kRunDiscovered) continue;
        e.detail += "; ignored (QC/test runs are filtered)";
        out.push_back(std::move(e));
      }
      continue;
    }
    for (Event& e : events) out.push_back(std::move(e));
  }
  for (auto& t : runs_) {
    if (!t->seen) Unavailable(t.get(), "run folder no longer found under the watch root", &out);
  }
  return out;
}

std::vector<Event> Reconciler::ReconcileRuns(int64_t now_ns, const std::set<std::string>& roots) {
  std::vector<Event> out;
  for (auto& t : runs_) {
    if (roots.count(t->root) == 0) continue;
    auto snap = ScanRun(fs_, t->root, now_ns, config_.limits);
    if (!snap.ok()) {
      Unavailable(t.get(), snap.status().message(), &out);
      continue;
    }
    UpdateRun(t.get(), *snap, now_ns, &out);
  }
  return out;
}

std::string Reconciler::RunRootOf(std::string_view path) const {
  for (const auto& t : runs_) {
    if (path == t->root || (path.starts_with(t->root) && path[t->root.size()] == '/')) {
      return t->root;
    }
  }
  return {};
}

bool Reconciler::MarkComplete(std::string_view run_id_or_key) {
  bool any = false;
  for (auto& t : runs_) {
    const RunIdentity& id = t->tracker->assessment().identity;
    if (id.run_id == run_id_or_key || t->tracker->key() == run_id_or_key) {
      t->tracker->MarkComplete();
      any = true;
    }
  }
  return any;
}

std::vector<Reconciler::RunView> Reconciler::Runs() const {
  std::vector<RunView> out;
  for (const auto& t : runs_) out.push_back({t->root, t->tracker.get(), t->available, t->filtered});
  return out;
}

}  // namespace seqgate::bridge
