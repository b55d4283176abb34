#include "daemon/watcher.h"

#include <cstdio>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/intake.h"
#include "journal/journal.h"
#include "watch/inotify_hint.h"
#include "watch/scan_fs.h"

namespace seqgate::daemon {

struct Watcher::Root {
  std::string path;
  std::unique_ptr<bridge::Reconciler> reconciler;
  std::unique_ptr<bridge::WatchLoop> loop;
};

Watcher::Watcher(const DaemonConfig& config, bool once) : config_(config), once_(once) {
  for (const WatchRoot& r : config_.roots) roots_.push_back(MakeRoot(r));
}

Watcher::~Watcher() = default;

bridge::WatchConfig Watcher::WatchConfigOf(const WatchRoot& r) const {
  bridge::WatchConfig cfg;
  cfg.root = r.path;
  while (cfg.root.size() > 1 && cfg.root.back() == '/') cfg.root.pop_back();
  cfg.discovery_depth = r.depth;
  cfg.generic = r.generic;
  // --once looks at a folder that may have been finished long ago: an old mtime is settled.
  // The service observes stability itself (copy tools preserve mtimes of files in flight).
  cfg.tracker.trust_old_mtime = once_;
  bridge::FamilyConfig fam;
  fam.ship.include = r.include;
  fam.ship.exclude = r.exclude;
  fam.settle_ns = static_cast<int64_t>(config_.settle_seconds * 1e9);
  fam.stall_ns = static_cast<int64_t>(config_.stall_hours * 3600e9);
  fam.expected = r.expected;
  fam.marker_glob = r.marker;
  cfg.defaults = fam;
  return cfg;
}

std::unique_ptr<Watcher::Root> Watcher::MakeRoot(const WatchRoot& r) const {
  auto root = std::make_unique<Root>();
  root->path = r.path;
  root->reconciler = std::make_unique<bridge::Reconciler>(bridge::ScanFs::Default(), Env::Default(),
                                                          WatchConfigOf(r));
  std::unique_ptr<bridge::InotifyHint> hint;
  if (!once_) {
    auto h = bridge::InotifyHint::Create(r.path);
    if (h.ok()) {
      hint = std::move(*h);
    } else {
      Log(LogLevel::kWarning, "problem",
          {{"path", r.path},
           {"reason", "inotify unavailable, polling only: " + h.status().ToString()}});
    }
  }
  bridge::WatchLoopOptions opts;
  opts.interval_ns = static_cast<int64_t>(config_.interval_seconds * 1e9);
  if (once_) opts.interval_ns = 1'000'000'000;  // settle as fast as the files allow
  opts.debounce_ns = std::min<int64_t>(opts.interval_ns, 2'000'000'000);
  root->loop = std::make_unique<bridge::WatchLoop>(root->reconciler.get(), std::move(hint), opts,
                                                   SteadyWallNs);
  return root;
}

Result<std::vector<bridge::Event>> Watcher::Poll(int64_t now_ns) {
  std::vector<bridge::Event> out;
  if (once_ && settled_) return out;  // --once delivers what it found; it stops looking
  if (once_started_ns_ == 0) once_started_ns_ = now_ns;
  for (auto& root : roots_) {
    SEQGATE_ASSIGN_OR_RETURN(auto events, root->loop->Step(0));
    for (auto& e : events) out.push_back(std::move(e));
  }
  bool all_passed = true;
  for (auto& root : roots_) all_passed = all_passed && root->loop->passes().first > 0;
  if (!once_) {
    settled_ = settled_ || all_passed;
    return out;
  }
  if (!all_passed) return out;
  // --once: a run is a target when the instrument is done with it; the look ends when every
  // target has been fully announced (its files out of their settle window).
  bool waiting = false;
  for (auto& root : roots_) {
    for (const auto& v : root->reconciler->Runs()) {
      if (v.filtered || !v.available) continue;
      const auto& a = v.tracker->assessment();
      const bool done_now = bridge::IsTerminal(a.state);
      if (!done_now) continue;
      once_targets_.insert(v.tracker->key());
      if (!bridge::IsTerminal(v.tracker->reported_state())) waiting = true;
    }
  }
  // Files settle within the settle window; a run that never announces (a problem in its
  // metadata) must not hold --once for ever.
  const int64_t limit = static_cast<int64_t>((config_.settle_seconds + 30) * 1e9);
  if (!waiting || now_ns - once_started_ns_ > limit) settled_ = true;
  return out;
}

void Watcher::Reload(const DaemonConfig& config) {
  std::vector<std::unique_ptr<Root>> next;
  config_ = config;
  for (const WatchRoot& r : config.roots) {
    std::unique_ptr<Root> kept;
    for (auto& old : roots_) {
      if (old && old->path == r.path) kept = std::move(old);
    }
    next.push_back(kept ? std::move(kept) : MakeRoot(r));
  }
  roots_ = std::move(next);
}

bool Watcher::MarkComplete(const std::string& run) {
  std::string key = run;
  while (key.size() > 1 && key.back() == '/') key.pop_back();
  for (auto& root : roots_) {
    for (const auto& v : root->reconciler->Runs()) {
      if (v.root == key || v.tracker->key() == key) {
        return root->reconciler->MarkComplete(v.tracker->key());
      }
    }
    if (root->reconciler->MarkComplete(key)) return true;
  }
  return false;
}

int Watcher::OnceSummary(journal::Journal& journal, const Intake& intake) const {
  int delivered = 0, undelivered = 0;
  for (const std::string& key : once_targets_) {
    const int64_t id = intake.RunId(key);
    auto run = id == 0 ? Result<journal::RunRecord>(NotFound("not recorded")) : journal.Run(id);
    if (run.ok() && run->manifest_receipt) {
      ++delivered;
      std::fprintf(stderr, "seqgated: delivered %s (%s)\n", run->name.c_str(),
                   run->run_receipt_status.value_or("").c_str());
      continue;
    }
    ++undelivered;
    std::string why = run.ok() ? run->error.value_or("") : run.status().message();
    if (run.ok()) {
      auto files = journal.FilesOfRun(run->id);
      int failed = 0, open = 0;
      if (files.ok()) {
        for (const auto& f : *files) {
          if (f.state == journal::FileState::kFailed) {
            ++failed;
            if (why.empty()) why = f.rel_path + ": " + f.error.value_or("failed");
          } else if (f.state != journal::FileState::kDelivered) {
            ++open;
          }
        }
      }
      if (why.empty() && files.ok() && files->empty()) why = "no files to ship";
      if (why.empty()) why = std::to_string(open) + " files not delivered";
      if (failed > 0) why = std::to_string(failed) + " files failed; first: " + why;
    }
    std::fprintf(stderr, "seqgated: NOT delivered %s: %s\n", key.c_str(), why.c_str());
  }
  std::fprintf(stderr, "seqgated: --once: %d of %zu finished runs delivered\n", delivered,
               once_targets_.size());
  return undelivered == 0 ? 0 : 3;
}

}  // namespace seqgate::daemon
