// seqgatectl scan: what the firmware bridge sees in a folder, without the daemon.
//
// One reconciliation pass over DIR with the same adapters and rules the daemon uses. A single
// look cannot observe stability, so a file counts as settled when its mtime is older than the
// settle window (the daemon additionally watches it stay unchanged).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/adapter_util.h"
#include "adapters/events.h"
#include "common/clock.h"
#include "ctl/commands.h"
#include "watch/reconciler.h"
#include "watch/watch_loop.h"

namespace seqgate::ctl {
namespace {

using bridge::Assessment;
using bridge::Event;
using bridge::EventKind;
using bridge::FileVerdict;
using bridge::Reconciler;

struct ScanArgs {
  std::string dir;
  bool json = false;
  bool generic = false;
  bool show_qc = false;
  bool no_files = false;
  int depth = 4;
  double settle_s = 120;
  double stall_s = 6 * 3600;
  double stability_s = 30 * 60;
  std::vector<std::string> include, exclude, expect, mark_complete;
  std::string marker;
  double follow_s = 0;      // > 0: keep watching this long, printing events as JSON lines
  double interval_s = 2;    // full reconciliation pass interval while following
  bool until_done = false;  // stop following once every run is terminal or stalled
};

// File names on instrument shares are bytes, not necessarily UTF-8 (SMB charset mismatches);
// invalid sequences become U+FFFD instead of making the JSON library throw.
std::string Dump(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json EventJson(const Event& e) {
  nlohmann::json j = {
      {"event", bridge::EventKindName(e.kind)}, {"run_key", e.run_key}, {"root", e.run_root}};
  if (!e.unit.empty()) j["unit"] = e.unit;
  if (!e.path.empty()) j["path"] = e.path;
  if (e.kind == EventKind::kFileReady || e.kind == EventKind::kFileChanged) {
    j["size"] = e.size;
    j["mtime_ns"] = e.mtime_ns;
  }
  if (e.checksum)
    j["source_checksum"] = {{"algorithm", e.checksum->algorithm}, {"hex", e.checksum->hex}};
  switch (e.kind) {
    case EventKind::kRunDiscovered:
      j["family"] = bridge::FamilyName(e.identity.family);
      j["run_id"] = e.identity.run_id;
      j["flow_cell"] = e.identity.flow_cell;
      j["instrument"] = e.identity.instrument;
      j["model"] = e.identity.model;
      j["metadata"] = e.identity.metadata;
      break;
    case EventKind::kUnitChanged:
    case EventKind::kRunCompleted:
    case EventKind::kRunFailed:
    case EventKind::kRunAborted:
    case EventKind::kRunStalled:
    case EventKind::kRunResumed:
      j["state"] = bridge::RunStateName(e.state);
      j["outcome"] = e.outcome;
      break;
    default:
      break;
  }
  if (!e.detail.empty()) j["detail"] = e.detail;
  return j;
}

// Per-file line for humans: ready / settling / waiting, or the reason it does not ship.
struct FileLine {
  const FileVerdict* v;
  bool ready;
  std::string why;  // empty when ready
};

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string StateText(const Assessment& a) {
  std::string s(bridge::RunStateName(a.state));
  if (!a.outcome.empty()) s += " (" + a.outcome + ")";
  return s;
}

std::vector<FileLine> Classify(const bridge::RunTracker& t, int64_t now_ns, int64_t settle_ns) {
  std::vector<FileLine> out;
  for (const FileVerdict& v : t.assessment().files) {
    FileLine l{&v, false, v.reason};
    if (v.wanted && v.signal_ready) {
      l.ready = t.Announced(v.path);
      if (!l.ready) {
        l.why = "settling: changed " + bridge::HumanDuration(now_ns - v.mtime_ns) +
                " ago, settle window " + bridge::HumanDuration(settle_ns);
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

nlohmann::json RunJson(const Reconciler::RunView& r, const std::vector<std::string>& problems,
                       int64_t now_ns, int64_t settle_ns, bool with_files) {
  const Assessment& a = r.tracker->assessment();
  nlohmann::json j = {{"run_id", a.identity.run_id},
                      {"family", bridge::FamilyName(a.identity.family)},
                      {"model", a.identity.model},
                      {"instrument", a.identity.instrument},
                      {"flow_cell", a.identity.flow_cell},
                      {"key", a.identity.Key()},
                      {"root", r.root},
                      {"available", r.available},
                      {"state", bridge::RunStateName(a.state)},
                      {"outcome", a.outcome},
                      {"detail", a.detail},
                      {"qc_or_test", a.qc_or_test},
                      {"metadata", a.identity.metadata},
                      {"problems", problems},
                      {"notes", a.notes}};
  if (a.qc_or_test) j["qc_reason"] = a.qc_reason;
  nlohmann::json units = nlohmann::json::array();
  for (const auto& u : a.units) {
    units.push_back({{"name", u.name},
                     {"state", bridge::RunStateName(u.state)},
                     {"outcome", u.outcome},
                     {"detail", u.detail}});
  }
  j["units"] = std::move(units);
  nlohmann::json files = nlohmann::json::array();
  uint64_t ship_bytes = 0, ready_count = 0, ship_count = 0;
  for (const FileLine& l : Classify(*r.tracker, now_ns, settle_ns)) {
    if (l.v->wanted) {
      ++ship_count;
      ship_bytes += l.v->size;
    }
    ready_count += l.ready;
    if (!with_files) continue;
    nlohmann::json f = {{"path", l.v->path},
                        {"size", l.v->size},
                        {"mtime_ns", l.v->mtime_ns},
                        {"ships", l.v->wanted},
                        {"ready", l.ready}};
    if (!l.why.empty()) f["reason"] = l.why;
    if (!l.v->unit.empty()) f["unit"] = l.v->unit;
    if (l.v->checksum) {
      f["source_checksum"] = {{"algorithm", l.v->checksum->algorithm},
                              {"hex", l.v->checksum->hex},
                              {"from", l.v->checksum->source}};
    }
    files.push_back(std::move(f));
  }
  j["files"] = std::move(files);
  j["summary"] = {{"files_shipped", ship_count},
                  {"bytes_shipped", ship_bytes},
                  {"files_ready", ready_count},
                  {"files_total", a.files.size()}};
  return j;
}

void PrintRun(const Reconciler::RunView& r, const std::vector<std::string>& problems,
              int64_t now_ns, int64_t settle_ns, bool with_files) {
  const Assessment& a = r.tracker->assessment();
  const auto& id = a.identity;
  std::printf("run %s  [%s%s%s]\n", id.run_id.c_str(),
              std::string(bridge::FamilyName(id.family)).c_str(), id.model.empty() ? "" : ", ",
              id.model.c_str());
  std::printf("  folder      %s%s\n", r.root.c_str(), r.available ? "" : "  (UNAVAILABLE)");
  if (!id.flow_cell.empty() || !id.instrument.empty()) {
    std::printf("  flow cell   %s   instrument %s\n",
                id.flow_cell.empty() ? "-" : id.flow_cell.c_str(),
                id.instrument.empty() ? "-" : id.instrument.c_str());
  }
  std::printf("  state       %s: %s\n", StateText(a).c_str(), a.detail.c_str());
  if (a.qc_or_test)
    std::printf("  QC/test     %s (not shipped by the daemon)\n", a.qc_reason.c_str());
  for (const auto& u : a.units) {
    std::string state(bridge::RunStateName(u.state));
    if (!u.outcome.empty()) state += " (" + u.outcome + ")";
    std::printf("  unit        %s: %s — %s\n", u.name.c_str(), state.c_str(), u.detail.c_str());
  }
  for (const std::string& p : problems) std::printf("  PROBLEM     %s\n", p.c_str());
  for (const std::string& n : a.notes) std::printf("  note        %s\n", n.c_str());

  const std::vector<FileLine> lines = Classify(*r.tracker, now_ns, settle_ns);
  uint64_t bytes = 0;
  size_t ship = 0, ready = 0;
  std::map<std::string, std::vector<const FileVerdict*>> not_shipped;  // reason -> files
  for (const FileLine& l : lines) {
    if (l.v->wanted) {
      ++ship;
      bytes += l.v->size;
      ready += l.ready;
    } else {
      not_shipped[l.why].push_back(l.v);
    }
  }
  std::printf("  ships       %zu files, %s; %zu ready now\n", ship, HumanBytes(bytes).c_str(),
              ready);
  if (!with_files) return;
  // A run can hold 100,000 files: list what ships, summarize the rest by reason.
  for (const FileLine& l : lines) {
    if (!l.v->wanted) continue;
    std::printf("    %-8s %10s  %s%s%s\n", l.ready ? "ready" : "waiting",
                HumanBytes(l.v->size).c_str(), l.v->path.c_str(), l.ready ? "" : "  — ",
                l.ready ? "" : l.why.c_str());
  }
  for (const auto& [reason, files] : not_shipped) {
    std::printf("  not shipped %zu files: %s\n", files.size(), reason.c_str());
    for (size_t i = 0; i < files.size() && i < 3; ++i)
      std::printf("    %s\n", files[i]->path.c_str());
    if (files.size() > 3) std::printf("    ... and %zu more\n", files.size() - 3);
  }
}

// --follow: the daemon's view over time. Observes stability instead of trusting old mtimes.
int Follow(bridge::WatchConfig cfg, const ScanArgs& args) {
  cfg.tracker.trust_old_mtime = false;
  cfg.skip_qc_runs = !args.show_qc;
  bridge::Reconciler rec(bridge::ScanFs::Default(), Env::Default(), cfg);
  auto hint = bridge::InotifyHint::Create(cfg.root);
  if (!hint.ok()) {
    std::fprintf(stderr, "seqgatectl scan: inotify unavailable (%s); polling only\n",
                 hint.status().ToString().c_str());
  }
  bridge::WatchLoopOptions opts;
  opts.interval_ns = static_cast<int64_t>(args.interval_s * 1e9);
  opts.debounce_ns = std::min<int64_t>(opts.interval_ns, 500'000'000);
  bridge::WatchLoop loop(&rec, hint.ok() ? std::move(*hint) : nullptr, opts, SteadyWallNs);
  const int64_t end = SteadyWallNs() + static_cast<int64_t>(args.follow_s * 1e9);
  while (SteadyWallNs() < end) {
    auto events = loop.Step(200);
    if (!events.ok()) {
      std::fprintf(stderr, "seqgatectl scan: %s\n", events.status().ToString().c_str());
      return 1;
    }
    for (const Event& e : *events) std::printf("%s\n", Dump(EventJson(e), -1).c_str());
    std::fflush(stdout);
    if (!args.until_done) continue;
    bool done = false;
    for (const auto& r : rec.Runs()) {
      if (r.filtered) continue;
      const bridge::RunState s = r.tracker->reported_state();
      done = bridge::IsTerminal(s) || s == bridge::RunState::kStalled;
      if (!done) break;
    }
    if (done) return 0;
  }
  return args.until_done ? 3 : 0;  // 3: still running when time ran out
}

int RunScan(const ScanArgs& args) {
  const int64_t now_ns = WallClockNs();
  const auto secs = [](double s) { return static_cast<int64_t>(s * 1e9); };
  bridge::WatchConfig cfg;
  // Absolute (lexically: the root itself must not be a symlink), so events name real paths.
  std::string root = std::filesystem::absolute(args.dir).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  cfg.root = root;
  cfg.discovery_depth = args.depth;
  cfg.generic = args.generic;
  cfg.skip_qc_runs = false;  // scan shows them, flagged
  cfg.tracker.trust_old_mtime = true;
  bridge::FamilyConfig fam;
  fam.ship.include = args.include;
  fam.ship.exclude = args.exclude;
  fam.settle_ns = secs(args.settle_s);
  fam.stall_ns = secs(args.stall_s);
  fam.stability_ns = secs(args.stability_s);
  fam.expected = args.expect;
  fam.marker_glob = args.marker;
  cfg.defaults = fam;
  if (args.follow_s > 0) return Follow(cfg, args);
  bridge::Reconciler rec(bridge::ScanFs::Default(), Env::Default(), cfg);
  std::vector<Event> events = rec.Reconcile(now_ns);
  if (!args.mark_complete.empty()) {
    // Operator's "this run is complete", applied to this look only (scan keeps no state).
    for (const std::string& id : args.mark_complete) {
      if (!rec.MarkComplete(id)) {
        std::fprintf(stderr, "seqgatectl scan: --mark-complete %s: no such run\n", id.c_str());
        return 1;
      }
    }
    for (Event& e : rec.Reconcile(now_ns)) events.push_back(std::move(e));
  }
  std::map<std::string, std::vector<std::string>> problems;  // run root -> messages
  bool root_failed = false;
  for (const Event& e : events) {
    if (e.kind != EventKind::kProblem) continue;
    std::string m = e.path.empty() ? e.detail : e.path + ": " + e.detail;
    const bool root_is_run = !rec.RunRootOf(cfg.root).empty();
    if (e.run_root.empty() || (e.run_root == cfg.root && !root_is_run)) {  // the watch root
      std::fprintf(stderr, "seqgatectl scan: %s\n", m.c_str());
      root_failed = root_failed || e.detail.starts_with("watch root unavailable");
      continue;
    }
    auto& list = problems[e.run_root];
    if (std::find(list.begin(), list.end(), m) == list.end()) list.push_back(std::move(m));
  }
  if (root_failed) return 1;

  std::vector<Reconciler::RunView> runs = rec.Runs();
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.root < b.root; });
  if (!args.show_qc && !args.json) {
    size_t hidden = 0;
    std::erase_if(runs, [&](const Reconciler::RunView& r) {
      const bool qc = r.tracker->assessment().qc_or_test;
      hidden += qc;
      return qc;
    });
    if (hidden > 0)
      std::fprintf(stderr, "seqgatectl scan: %zu QC/test runs hidden (--show-qc)\n", hidden);
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : runs) {
      out.push_back(RunJson(r, problems[r.root], now_ns, fam.settle_ns, !args.no_files));
    }
    std::printf("%s\n", Dump(out, 2).c_str());
    return 0;
  }
  if (runs.empty()) std::printf("no runs found under %s\n", args.dir.c_str());
  for (size_t i = 0; i < runs.size(); ++i) {
    if (i > 0) std::printf("\n");
    PrintRun(runs[i], problems[runs[i].root], now_ns, fam.settle_ns, !args.no_files);
  }
  return 0;
}

}  // namespace

void AddScanCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ScanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "Show each run under DIR as the bridge sees it: family, ids, state, what ships");
  cmd->add_option("DIR", args->dir, "Watch root or run folder")->required();
  cmd->add_flag(
      "--json", args->json,
      "Print a JSON array with one object per run (run_id, family, state, outcome, files)");
  cmd->add_flag("--generic", args->generic,
                "Treat folders directly under DIR that no family claims as generic runs");
  cmd->add_option("--include", args->include, "Also ship files matching GLOB (repeatable)");
  cmd->add_option("--exclude", args->exclude, "Never ship files matching GLOB (repeatable)");
  cmd->add_option("--expect", args->expect,
                  "MGI/generic: GLOB that must match before a run is complete (repeatable)");
  cmd->add_option("--marker", args->marker, "MGI/generic: marker GLOB that completes a run");
  cmd->add_option("--mark-complete", args->mark_complete,
                  "Treat RUN_ID as complete for this look, as an operator would (repeatable)");
  cmd->add_option("--settle", args->settle_s, "Settle window in seconds (default 120)");
  cmd->add_option("--stall", args->stall_s, "Stall window in seconds (default 21600)");
  cmd->add_option("--stability", args->stability_s,
                  "MGI/generic: seconds without change before complete (default 1800)");
  cmd->add_option("--depth", args->depth, "How deep below DIR to look for run folders (default 4)");
  cmd->add_flag("--show-qc", args->show_qc, "Also list QC/test runs (JSON always includes them)");
  cmd->add_flag("--no-files", args->no_files, "Summaries only, no per-file listing");
  cmd->add_option("--follow", args->follow_s,
                  "Keep watching for SECONDS as the daemon would, printing events as JSON lines");
  cmd->add_option("--interval", args->interval_s,
                  "--follow: seconds between full reconciliation passes (default 2)");
  cmd->add_flag("--until-done", args->until_done,
                "--follow: stop once every run is terminal or stalled (exit 3 if time runs out)");
  cmd->callback([args, &exit_code] { exit_code = RunScan(*args); });
}

}  // namespace seqgate::ctl
