#include "daemon/intake.h"

#include "common/log.h"
#include "daemon/run_naming.h"

namespace seqgate::daemon {

std::string RunStateWord(bridge::RunState s) {
  switch (s) {
    case bridge::RunState::kInProgress:
      return "in_progress";
    case bridge::RunState::kCompleted:
      return "completed";
    case bridge::RunState::kFailed:
      return "failed";
    case bridge::RunState::kAborted:
      return "aborted";
    case bridge::RunState::kStalled:
      return "stalled";
  }
  return "in_progress";
}

Intake::Intake(Env& env, journal::Journal& journal, std::function<void(int64_t)> on_source_gone)
    : env_(env), journal_(journal), on_source_gone_(std::move(on_source_gone)) {}

int64_t Intake::RunId(const std::string& run_key) const {
  auto it = runs_.find(run_key);
  return it == runs_.end() ? 0 : it->second;
}

std::set<int64_t> Intake::TakeTouchedRuns() {
  std::set<int64_t> out;
  out.swap(touched_);
  return out;
}

Result<int64_t> Intake::EnsureRun(const bridge::Event& e, int64_t now_ns,
                                  std::optional<bridge::RunState> state) {
  auto known = runs_.find(e.run_key);
  if (known != runs_.end() && !state) return known->second;
  const bridge::RunIdentity& id =
      identities_.count(e.run_key) != 0 ? identities_[e.run_key] : e.identity;
  journal::RunRecord r;
  if (known != runs_.end()) {
    SEQGATE_ASSIGN_OR_RETURN(r, journal_.Run(known->second));
  } else {
    r.discovered_ns = now_ns;
    r.state = "in_progress";
  }
  r.run_id = id.run_id;
  r.flowcell = id.flow_cell;
  r.family = std::string(bridge::FamilyName(id.family));
  if (!id.instrument.empty()) r.instrument = id.instrument;
  r.run_dir = e.run_root;
  r.name = CentreRunName(id);
  r.metadata_json = MetadataJson(id);
  if (state) {
    r.state = RunStateWord(*state);
    r.outcome = e.outcome.empty() ? std::nullopt : std::optional<std::string>(e.outcome);
  }
  SEQGATE_ASSIGN_OR_RETURN(const int64_t run, journal_.RecordRun(r));
  runs_[e.run_key] = run;
  touched_.insert(run);
  return run;
}

Status Intake::FileReady(const bridge::Event& e, int64_t run, int64_t now_ns) {
  const std::string path = e.run_root + "/" + e.path;
  // The event says what the scan saw; the journal records what is there now, device included.
  auto st = env_.Stat(path);
  if (!st.ok() || st->type != FileType::kRegular || st->size != e.size ||
      st->mtime_ns != e.mtime_ns || st->inode != e.inode) {
    Log(LogLevel::kDebug, "file_ready",
        {{"path", path}, {"reason", "changed again since the scan; waiting for the next one"}});
    return Status::Ok();
  }
  SEQGATE_ASSIGN_OR_RETURN(const journal::FileRecord before,
                           journal_.RecordFileSeen(run, e.path, *st));
  SEQGATE_RETURN_IF_ERROR(journal_.RecordReady(before.id, now_ns));
  if (before.state == journal::FileState::kPending && before.error &&
      before.error->rfind("source changed", 0) == 0) {
    Log(LogLevel::kWarning, "source_changed",
        {{"run", e.run_key}, {"file", e.path}, {"reason", *before.error}});
  }
  Log(LogLevel::kInfo, "file_ready",
      {{"run", e.run_key},
       {"file", e.path},
       {"bytes", std::to_string(e.size)},
       {"state", std::string(journal::FileStateName(before.state))}});
  touched_.insert(run);
  return Status::Ok();
}

Status Intake::Apply(const bridge::Event& e, int64_t now_ns) {
  using bridge::EventKind;
  switch (e.kind) {
    case EventKind::kRunDiscovered: {
      identities_[e.run_key] = e.identity;
      SEQGATE_RETURN_IF_ERROR(EnsureRun(e, now_ns, bridge::RunState::kInProgress).status());
      Log(LogLevel::kInfo, "run_discovered", {{"run", e.run_key}, {"path", e.run_root}});
      return Status::Ok();
    }
    case EventKind::kFileReady: {
      SEQGATE_ASSIGN_OR_RETURN(const int64_t run, EnsureRun(e, now_ns, std::nullopt));
      return FileReady(e, run, now_ns);
    }
    case EventKind::kFileChanged:
    case EventKind::kFileVanished: {
      const int64_t run = RunId(e.run_key);
      if (run == 0) return Status::Ok();
      SEQGATE_ASSIGN_OR_RETURN(auto files, journal_.FilesOfRun(run));
      for (const auto& f : files) {
        if (f.rel_path != e.path || f.state == journal::FileState::kDelivered) continue;
        const bool gone = e.kind == EventKind::kFileVanished;
        Log(LogLevel::kWarning, gone ? "problem" : "source_changed",
            {{"run", e.run_key},
             {"file", e.path},
             {"reason", gone ? "the file vanished from the run folder before it was delivered"
                             : "the file changed before it was delivered; it starts over "
                               "once it settles"}});
        if (on_source_gone_) on_source_gone_(f.id);
        if (gone) {
          SEQGATE_RETURN_IF_ERROR(journal_.RecordFailed(
              f.id, "source vanished: " + e.run_root + "/" + e.path + " is gone"));
        }
      }
      touched_.insert(run);
      return Status::Ok();
    }
    case EventKind::kRunCompleted:
    case EventKind::kRunFailed:
    case EventKind::kRunAborted:
    case EventKind::kRunStalled:
    case EventKind::kRunResumed: {
      SEQGATE_RETURN_IF_ERROR(EnsureRun(e, now_ns, e.state).status());
      const char* ev = e.kind == EventKind::kRunCompleted ? "run_completed"
                       : e.kind == EventKind::kRunFailed  ? "run_failed"
                       : e.kind == EventKind::kRunAborted ? "run_aborted"
                       : e.kind == EventKind::kRunStalled ? "run_stalled"
                                                          : "run_discovered";
      Log(e.kind == EventKind::kRunCompleted || e.kind == EventKind::kRunResumed
              ? LogLevel::kInfo
              : LogLevel::kWarning,
          ev, {{"run", e.run_key}, {"state", RunStateWord(e.state)}, {"reason", e.outcome}});
      return Status::Ok();
    }
    case EventKind::kRunMoved: {
      SEQGATE_RETURN_IF_ERROR(EnsureRun(e, now_ns, std::nullopt).status());
      const int64_t run = RunId(e.run_key);
      SEQGATE_ASSIGN_OR_RETURN(journal::RunRecord r, journal_.Run(run));
      r.run_dir = e.run_root;
      SEQGATE_RETURN_IF_ERROR(journal_.RecordRun(r).status());
      Log(LogLevel::kInfo, "run_discovered",
          {{"run", e.run_key}, {"path", e.run_root}, {"reason", "moved from " + e.detail}});
      return Status::Ok();
    }
    case EventKind::kRunUnavailable:
      Log(LogLevel::kWarning, "run_unavailable", {{"run", e.run_key}, {"reason", e.detail}});
      return Status::Ok();
    case EventKind::kRunAvailable:
      Log(LogLevel::kInfo, "run_discovered", {{"run", e.run_key}, {"reason", "reachable again"}});
      return Status::Ok();
    case EventKind::kUnitChanged:
      Log(LogLevel::kDebug, "problem", {{"run", e.run_key}, {"reason", e.Brief()}});
      return Status::Ok();
    case EventKind::kProblem:
      Log(LogLevel::kWarning, "problem", {{"run", e.run_key}, {"reason", e.detail}});
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace seqgate::daemon
