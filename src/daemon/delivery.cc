#include "daemon/delivery.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/delivery_job.h"
#include "daemon/journal_upload_state.h"
#include "daemon/manifest.h"
#include "daemon/manifest_sender.h"
#include "transfer/tus_uploader.h"

namespace seqgate::daemon {
namespace {

bool Terminal(const std::string& state) {
  return state == "completed" || state == "failed" || state == "aborted";
}

constexpr auto kStopped = StatusCode::kAborted;

}  // namespace

Delivery::Delivery(Env& env, journal::Journal& journal, pipeline::WorkerPool& pool,
                   transfer::TransferLoop& loop, DeliveryOptions options)
    : env_(env), journal_(journal), pool_(pool), loop_(loop), options_(std::move(options)) {
  SetLimits(options_.parallel, options_.bandwidth);
}

void Delivery::SetLimits(unsigned parallel, std::optional<transfer::BandwidthSchedule> bandwidth) {
  std::lock_guard lock(mu_);
  options_.parallel = parallel == 0 ? 1 : parallel;
  throttle_ = bandwidth ? std::make_shared<Throttle>(std::move(*bandwidth)) : nullptr;
}

Delivery::~Delivery() { Stop(); }

void Delivery::Stop() {
  std::vector<Job*> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, j] : jobs_) {
      j->RequestStop();
      all.push_back(j.get());
    }
  }
  for (Job* j : all) {
    if (j->thread.joinable()) j->thread.join();
  }
  std::lock_guard lock(mu_);
  jobs_.clear();
}

void Delivery::SetPaused(bool paused) {
  std::lock_guard lock(mu_);
  paused_ = paused;
  if (paused) {
    for (auto& [id, j] : jobs_) j->RequestStop();
  }
}

void Delivery::CancelFile(int64_t file) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(file);
  if (it != jobs_.end()) it->second->RequestStop();
}

size_t Delivery::in_flight() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

std::optional<std::string> Delivery::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void Delivery::NoteError(const std::string& message) {
  std::lock_guard lock(mu_);
  last_error_ = message;
}

std::vector<UploadView> Delivery::Uploads() const {
  std::lock_guard lock(mu_);
  std::vector<UploadView> out;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, j] : jobs_) {
    if (j->manifest) continue;
    UploadView v;
    v.file = j->file;
    v.run = j->run_name;
    v.path = j->path;
    v.offset = j->offset.load();
    v.size = j->size.load();
    const double secs = std::chrono::duration<double>(now - j->started).count();
    if (secs > 0.5 && v.offset > j->start_offset) {
      v.rate_bps = static_cast<double>(v.offset - j->start_offset) / secs;
    }
    out.push_back(std::move(v));
  }
  return out;
}

bool Delivery::RunEligible(const journal::RunRecord& run) const {
  if (run.state == "failed" || run.state == "aborted") return options_.ship_failed_runs;
  return true;
}

Status Delivery::Tick(const std::set<int64_t>& touched_runs) {
  std::set<int64_t> runs = touched_runs;
  SEQGATE_RETURN_IF_ERROR(Harvest(&runs));
  // S3: an expired or missing token holds new work back (jobs in flight wait in their gate).
  if (options_.s3 && !options_.s3->CheckToken().empty()) {
    std::lock_guard lock(mu_);
    if (options_.once) {
      for (auto& [id, job] : jobs_) job->RequestStop();
      quiescent_ = jobs_.empty();
    } else {
      quiescent_ = false;  // the service waits for the token file to be replaced
    }
    return Status::Ok();
  }
  SEQGATE_RETURN_IF_ERROR(StartUploads());
  SEQGATE_RETURN_IF_ERROR(StartManifests(runs));
  std::lock_guard lock(mu_);
  quiescent_ = jobs_.empty();
  return Status::Ok();
}

Status Delivery::Harvest(std::set<int64_t>* runs) {
  std::vector<std::unique_ptr<Job>> done;
  {
    std::lock_guard lock(mu_);
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      if (it->second->finished) {
        done.push_back(std::move(it->second));
        it = jobs_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& j : done) {
    if (j->thread.joinable()) j->thread.join();
    runs->insert(j->run);
    if (j->s3_result) {
      SEQGATE_RETURN_IF_ERROR(j->manifest ? FinishS3Manifest(*j) : FinishS3File(*j));
    } else {
      SEQGATE_RETURN_IF_ERROR(j->manifest ? FinishManifest(*j) : FinishFile(*j));
    }
  }
  return Status::Ok();
}

Status Delivery::FinishFile(Job& job) {
  const auto& r = *job.upload_result;
  const std::string who = job.run_name + "/" + job.path;
  if (r.ok()) {
    auto [status, reason] = ParseReceiptStatus(r->receipt);
    if (!r->verification) status = "sent";  // plain tus: HEAD showed every byte
    if (status.empty()) status = r->receipt_status.empty() ? "verified" : r->receipt_status;
    if (status == "quarantined") {
      const std::string why =
          "the centre quarantined the file" + (reason.empty() ? std::string() : ": " + reason);
      SEQGATE_RETURN_IF_ERROR(journal_.RecordFailed(job.file, why));
      Log(LogLevel::kError, "file_failed",
          {{"run", job.run_name}, {"file", job.path}, {"reason", why}});
      NoteError(who + ": " + why);
      return Status::Ok();
    }
    SEQGATE_RETURN_IF_ERROR(RecordDigests(job.file, *r));
    SEQGATE_RETURN_IF_ERROR(journal_.RecordDelivered(job.file, r->receipt, status));
    last_delivery_ns_ = WallClockNs();
    Log(LogLevel::kInfo, "file_delivered",
        {{"run", job.run_name},
         {"file", job.path},
         {"bytes", std::to_string(r->length)},
         {"sha256", r->state.original_sha256},
         {"md5", r->state.original_md5},
         {"state", status},
         {"url", r->upload_url}});
    return Status::Ok();
  }
  return FileNotDelivered(job, r.status());
}

// Stopped: nothing to record. Source changed: wait for it to settle. Anything else: failed.
Status Delivery::FileNotDelivered(Job& job, const Status& st) {
  const std::string who = job.run_name + "/" + job.path;
  if (st.code() == kStopped) {
    Log(LogLevel::kDebug, "upload_progress",
        {{"run", job.run_name}, {"file", job.path}, {"reason", "stopped: " + st.message()}});
    return Status::Ok();
  }
  if (st.code() == StatusCode::kSourceChanged) {
    std::lock_guard lock(mu_);
    waiting_source_.insert(job.file);
    Log(LogLevel::kWarning, "source_changed",
        {{"run", job.run_name}, {"file", job.path}, {"reason", st.message()}});
    return Status::Ok();
  }
  SEQGATE_RETURN_IF_ERROR(journal_.RecordFailed(job.file, st.ToString()));
  Log(LogLevel::kError, "file_failed",
      {{"run", job.run_name}, {"file", job.path}, {"reason", st.ToString()}});
  NoteError(who + ": " + st.ToString());
  return Status::Ok();
}

// The file's digests must be in the journal before it counts as delivered: the run manifest
// lists them. An upload resumed after the centre already had every byte never re-packs, so
// its digests come from the centre's receipt, which states what the centre verified.
Status Delivery::RecordDigests(int64_t file, const transfer::UploadOutcome& out) {
  journal::UploadProgress p = ProgressOf(out.state);
  p.complete = true;
  p.acked_offset = out.length;
  if (!p.packed) {
    if (std::optional<journal::PackedInfo> from_receipt = PackedInfoFromReceipt(out.receipt)) {
      journal::PackedInfo k = std::move(*from_receipt);
      k.frame_size = p.shape.frame_size;
      k.level = p.shape.level;
      p.packed = std::move(k);
    }
  }
  return journal_.RecordUploadProgress(file, p);
}

Status Delivery::StartUploads() {
  {
    std::lock_guard lock(mu_);
    if (paused_) return Status::Ok();
  }
  auto count_files = [&] {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [id, j] : jobs_)
      if (!j->manifest) ++n;
    return n;
  };
  if (count_files() >= options_.parallel) return Status::Ok();
  SEQGATE_ASSIGN_OR_RETURN(auto queue, journal_.WorkQueue(2000));
  if (queue.empty()) return Status::Ok();
  std::map<int64_t, journal::RunRecord> runs;
  std::set<int64_t> rejected;
  while (count_files() < options_.parallel) {
    // Per run: uploads in flight now. The run with the fewest gets the slot; the queue is
    // ordered oldest run first, so ties go to the oldest.
    std::map<int64_t, int> busy;
    {
      std::lock_guard lock(mu_);
      for (const auto& [id, j] : jobs_) {
        if (!j->manifest) ++busy[j->run];
      }
    }
    const journal::FileRecord* pick = nullptr;
    for (const auto& f : queue) {
      if (rejected.count(f.id) != 0) continue;
      {
        std::lock_guard lock(mu_);
        if (jobs_.count(f.id) != 0) continue;
      }
      if (runs.count(f.run) == 0) {
        SEQGATE_ASSIGN_OR_RETURN(runs[f.run], journal_.Run(f.run));
      }
      if (!RunEligible(runs[f.run])) {
        rejected.insert(f.id);
        continue;
      }
      if (pick == nullptr || busy[f.run] < busy[pick->run]) pick = &f;
      if (busy[f.run] == 0) break;
    }
    if (pick == nullptr) break;
    rejected.insert(pick->id);
    SEQGATE_RETURN_IF_ERROR(StartUpload(*pick, runs[pick->run]));
  }
  return Status::Ok();
}

Status Delivery::StartUpload(const journal::FileRecord& f, const journal::RunRecord& run) {
  const std::string source = run.run_dir + "/" + f.rel_path;
  // Only the version of the file the journal recorded may be sent under its record.
  auto now = env_.Stat(source);
  if (!now.ok() && now.status().code() == StatusCode::kNotFound) {
    const std::string why = "source vanished: " + source + " is gone";
    SEQGATE_RETURN_IF_ERROR(journal_.RecordFailed(f.id, why));
    Log(LogLevel::kError, "file_failed",
        {{"run", run.name}, {"file", f.rel_path}, {"reason", why}});
    NoteError(run.name + "/" + f.rel_path + ": " + why);
    return Status::Ok();
  }
  FileIdentity want = f.identity;
  if (now.ok()) want.type = now->type;
  if (!now.ok() || !(*now == want)) {
    std::lock_guard lock(mu_);
    if (waiting_source_.insert(f.id).second) {
      Log(LogLevel::kWarning, "source_changed",
          {{"run", run.name},
           {"file", f.rel_path},
           {"reason", now.ok()
                          ? "changed since it was announced (" + f.identity.DescribeChange(*now) +
                                "); waiting for the bridge to see it settle"
                          : now.status().ToString()}});
    }
    return Status::Ok();
  }
  {
    std::lock_guard lock(mu_);
    waiting_source_.erase(f.id);
  }
  auto job = std::make_unique<Job>();
  job->file = f.id;
  job->run = run.id;
  job->run_name = run.name;
  job->path = f.rel_path;
  job->offset = f.acked_offset;
  job->start_offset = f.acked_offset;
  job->size = f.packed ? f.packed->packed_size : 0;
  Job* raw = job.get();
  {
    std::lock_guard lock(mu_);
    jobs_[f.id] = std::move(job);
  }
  raw->thread = std::thread([this, raw, f, source, name = run.name] {
    if (options_.s3) {
      RunS3Upload(raw, f, source, name);
    } else {
      RunUpload(raw, f, source, name);
    }
  });
  Log(LogLevel::kInfo, "upload_created",
      {{"run", run.name},
       {"file", f.rel_path},
       {"offset", std::to_string(f.acked_offset)},
       {"state", f.upload_url || f.object ? "resuming" : "new"}});
  return Status::Ok();
}

void Delivery::RunUpload(Job* job, journal::FileRecord f, std::string source,
                         std::string run_name) {
  transfer::HttpClient http(options_.transport, &loop_);
  transfer::UploadSpec spec;
  spec.source_path = source;
  spec.endpoint = options_.endpoint;
  spec.run = run_name;
  spec.rel_path = f.rel_path;
  spec.pack = options_.pipeline.pack;
  spec.pack.force_encoding = options_.pipeline.encoding.Override(f.rel_path);
  spec.patch_size = options_.patch_size;
  spec.max_patch_size = options_.max_patch_size;
  spec.md5_from_centre = options_.md5_from_centre;
  {
    std::lock_guard lock(mu_);
    job->throttle = throttle_;
  }
  spec.limiter = job->throttle ? &job->throttle->limiter : nullptr;
  spec.stop = job->stopper.get_token();
  spec.persist = [this, job](const transfer::UploadState& s) -> Status {
    SEQGATE_RETURN_IF_ERROR(journal_.RecordUploadProgress(job->file, ProgressOf(s)));
    const uint64_t before = job->offset.exchange(s.acked_offset);
    if (s.acked_offset > before) bytes_acked_total_ += s.acked_offset - before;
    if (s.packed) job->size = s.packed_size;
    // Checked after recording: what the centre acknowledged is never forgotten.
    if (job->stopper.stop_requested()) return Status(kStopped, "stopped by the daemon");
    return Status::Ok();
  };
  spec.log = [this, job](const std::string& note) {
    if (note.rfind("transient failure", 0) == 0) {
      ++retries_total_;
      NoteError(job->run_name + "/" + job->path + ": " + note);
      (void)journal_.RecordTransientError(job->file, note);  // best effort: a note, not a state
      Log(LogLevel::kWarning, "upload_retry",
          {{"run", job->run_name}, {"file", job->path}, {"reason", note}});
    } else {
      Log(LogLevel::kDebug, "upload_progress",
          {{"run", job->run_name}, {"file", job->path}, {"reason", note}});
    }
  };
  // Frame records are read here, off the main loop: a long file has tens of thousands.
  std::optional<transfer::UploadState> resume;
  auto frames = journal_.Frames(f.id);
  if (!frames.ok()) {
    job->upload_result = frames.status();
    job->finished = true;
    if (wake_) wake_();
    return;
  }
  resume = ResumeState(f, std::move(*frames), source, options_.endpoint);
  transfer::TusUploader uploader(env_, pool_, http, std::move(spec));
  job->upload_result = uploader.Run(std::move(resume));
  job->finished = true;
  if (wake_) wake_();
}

Status Delivery::StartManifests(const std::set<int64_t>& touched) {
  std::set<int64_t> runs = touched;
  if (recheck_all_) {
    SEQGATE_ASSIGN_OR_RETURN(auto all, journal_.Runs());
    for (const auto& r : all) runs.insert(r.id);
    recheck_all_ = false;
  }
  for (int64_t id : runs) {
    {
      std::lock_guard lock(mu_);
      if (paused_ || jobs_.count(-id) != 0) continue;
    }
    SEQGATE_ASSIGN_OR_RETURN(journal::RunRecord run, journal_.Run(id));
    if (run.manifest_receipt || run.error || !Terminal(run.state) || !RunEligible(run)) continue;
    SEQGATE_ASSIGN_OR_RETURN(auto files, journal_.FilesOfRun(id));
    if (files.empty()) continue;
    const bool all_delivered = std::all_of(files.begin(), files.end(), [](const auto& f) {
      return f.state == journal::FileState::kDelivered;
    });
    if (!all_delivered) continue;
    std::string manifest = BuildManifest(options_.site, run, files);
    auto job = std::make_unique<Job>();
    job->manifest = true;
    job->run = id;
    job->run_name = run.name;
    job->path = "seqgate-manifest.json";
    Job* raw = job.get();
    {
      std::lock_guard lock(mu_);
      jobs_[-id] = std::move(job);
    }
    raw->thread = std::thread([this, raw, run, m = std::move(manifest)]() mutable {
      if (options_.s3) {
        RunS3Manifest(raw, std::move(run), std::move(m));
      } else {
        RunManifest(raw, std::move(run), std::move(m));
      }
    });
  }
  return Status::Ok();
}

void Delivery::RunManifest(Job* job, journal::RunRecord run, std::string manifest) {
  transfer::HttpClient http(options_.transport, &loop_);
  ManifestUpload m;
  m.endpoint = options_.endpoint;
  m.run = run.name;
  m.bytes = std::move(manifest);
  m.known_url = run.manifest_url;
  m.stop = job->stopper.get_token();
  m.created = [this, id = run.id](const std::string& url) {
    return journal_.RecordManifestCreated(id, url);
  };
  m.note = [this, job](const std::string& note) {
    ++retries_total_;
    Log(LogLevel::kWarning, "upload_retry", {{"run", job->run_name}, {"reason", note}});
  };
  job->manifest_result = SendManifest(http, m);
  job->finished = true;
  if (wake_) wake_();
}

Status Delivery::FinishManifest(Job& job) {
  const auto& r = *job.manifest_result;
  if (!r.ok()) {
    if (r.status().code() == kStopped) return Status::Ok();
    const std::string why = "manifest upload failed: " + r.status().ToString();
    SEQGATE_RETURN_IF_ERROR(journal_.RecordRunError(job.run, why));
    Log(LogLevel::kError, "problem", {{"run", job.run_name}, {"reason", why}});
    NoteError(job.run_name + ": " + why);
    return Status::Ok();
  }
  Log(LogLevel::kInfo, "manifest_sent", {{"run", job.run_name}, {"url", r->url}});
  std::string status = "sent";
  if (r->verification) {
    auto rr = ParseRunReceipt(r->receipt);
    if (!rr.ok() || rr->status != "complete") {
      const std::string why =
          "the centre's run receipt is not complete: " +
          (rr.ok() ? rr->status + " (" + rr->reason + ")" : rr.status().message());
      SEQGATE_RETURN_IF_ERROR(journal_.RecordRunError(job.run, why));
      Log(LogLevel::kError, "problem", {{"run", job.run_name}, {"reason", why}});
      NoteError(job.run_name + ": " + why);
      return Status::Ok();
    }
    status = rr->status;
  }
  SEQGATE_RETURN_IF_ERROR(journal_.RecordRunDelivered(job.run, r->receipt, status));
  return AfterRunDelivered(job.run, job.run_name, r->receipt);
}

Status Delivery::AfterRunDelivered(int64_t run_id, const std::string& run_name,
                                   const std::string& receipt) {
  SEQGATE_ASSIGN_OR_RETURN(journal::RunRecord run, journal_.Run(run_id));
  Log(LogLevel::kInfo, "run_delivered",
      {{"run", run_name}, {"state", run.run_receipt_status.value_or("")}, {"path", run.run_dir}});
  if (Status s = WriteDeliveredNote(run, receipt); !s.ok()) {
    Log(LogLevel::kWarning, "problem", {{"run", run_name}, {"reason", s.ToString()}});
  }
  return Status::Ok();
}

Status Delivery::WriteDeliveredNote(const journal::RunRecord& run, const std::string& receipt) {
  std::vector<std::string> dirs;
  if (!options_.delivered_dir.empty()) dirs.push_back(options_.delivered_dir + "/" + run.name);
  if (options_.delivered_in_run_folder) dirs.push_back(run.run_dir);
  if (dirs.empty()) return Status::Ok();
  nlohmann::json note;
  note["run"] = run.name;
  note["run_id"] = run.run_id;
  note["flowcell"] = run.flowcell;
  note["site"] = options_.site;
  note["run_dir"] = run.run_dir;
  note["state"] = run.state;
  note["delivered_ns"] = run.delivered_ns.value_or(0);
  note["run_receipt_status"] = run.run_receipt_status.value_or("");
  auto doc = nlohmann::json::parse(receipt, nullptr, false);
  note["receipt"] = doc.is_discarded() ? nlohmann::json(receipt) : doc;
  const std::string text = note.dump(2) + "\n";
  for (const std::string& dir : dirs) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);  // failures surface at open
    const std::string tmp = dir + "/.SeqgateDelivered.json.tmp";
    const std::string dst = dir + "/SeqgateDelivered.json";
    SEQGATE_ASSIGN_OR_RETURN(auto out, env_.CreateWritable(tmp, 0644));
    SEQGATE_RETURN_IF_ERROR(out->Append(AsBytes(text)));
    SEQGATE_RETURN_IF_ERROR(out->Sync());
    SEQGATE_RETURN_IF_ERROR(out->Close());
    SEQGATE_RETURN_IF_ERROR(env_.RenameFile(tmp, dst, /*replace=*/true));
    // A LIMS hook may act on the note at once: it must still be there after a power cut.
    SEQGATE_RETURN_IF_ERROR(env_.SyncDir(dir));
  }
  return Status::Ok();
}

}  // namespace seqgate::daemon
