// The delivery engine: turns the journal's pending files into uploads and finished runs into
// manifests. It runs on the daemon's main thread (Tick) and keeps up to `parallel` uploads in
// flight on their own threads, sharing one worker pool (CPU) and one transfer loop (network).
//
// Backpressure: each upload packs only as far ahead of the wire as its chunk queue allows, so
// memory is bounded by parallel × a few PATCHes whatever the run size. Fairness: a free slot
// goes to the run with the fewest uploads in flight, oldest run first.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>

#include "common/env.h"
#include "daemon/s3_delivery.h"
#include "journal/journal.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/worker_pool.h"
#include "transfer/bandwidth_limiter.h"
#include "transfer/bandwidth_schedule.h"
#include "transfer/http_client.h"
#include "transfer/transfer_loop.h"
#include "transfer/tus_uploader.h"

namespace seqgate::daemon {

struct DeliveryOptions {
  std::string endpoint;
  std::string site;
  unsigned parallel = 2;
  uint64_t patch_size = 64ull << 20;
  uint64_t max_patch_size = 1ull << 30;  // UploadSpec::max_patch_size
  bool md5_from_centre = true;  // UploadSpec::md5_from_centre
  pipeline::PipelineConfig pipeline;
  transfer::TransportOptions transport;
  std::optional<transfer::BandwidthSchedule> bandwidth;  // nullopt = unlimited
  bool ship_failed_runs = true;
  // --once: nobody will replace an expired S3 token while we wait, so jobs stop (keeping their
  // acknowledged parts) and the run is reported undelivered instead of waiting forever.
  bool once = false;
  std::string delivered_dir;             // SeqgateDelivered.json per run; "" = off
  bool delivered_in_run_folder = false;  // opt-in: write it into the run folder itself
  // protocol = "s3": files and manifests go to an S3 inbox as Crypt4GH objects through this
  // (delivery_s3.cc); null = tus to `endpoint`.
  std::shared_ptr<S3Delivery> s3;
};

// One upload in flight, for status screens.
struct UploadView {
  int64_t file = 0;
  std::string run, path;
  uint64_t offset = 0, size = 0;  // acknowledged / packed size (0 while unknown)
  double rate_bps = 0;
};

class Delivery {
 public:
  Delivery(Env& env, journal::Journal& journal, pipeline::WorkerPool& pool,
           transfer::TransferLoop& loop, DeliveryOptions options);
  ~Delivery();  // Stop()

  // Called from any thread when a job finishes, so the main loop wakes and calls Tick().
  void SetWake(std::function<void()> wake) { wake_ = std::move(wake); }

  // Harvests finished jobs, starts uploads into free slots and manifests for finished runs.
  // `touched_runs` are runs whose files or state changed (manifest candidates). Errors are
  // journal failures: the daemon cannot go on without recording.
  [[nodiscard]] Status Tick(const std::set<int64_t>& touched_runs);

  // Stops every job in flight (each keeps what the centre acknowledged) and joins them.
  void Stop();
  // Paused: no new job starts; jobs in flight finish their current request and stop.
  void SetPaused(bool paused);
  bool paused() const { return paused_; }
  // Stops the upload of `file` if one is in flight (its source changed or vanished).
  void CancelFile(int64_t file);
  // SIGHUP: new limits. Uploads in flight finish under the cap they started with (none is cut
  // short); those that start afterwards share the new one. Beyond `parallel`, jobs finish.
  void SetLimits(unsigned parallel, std::optional<transfer::BandwidthSchedule> bandwidth);
  // Re-examines every run for a manifest on the next Tick (start-up, retries).
  void RecheckAllRuns() { recheck_all_ = true; }

  size_t in_flight() const;
  // Whether nothing runs and nothing can start now (for --once).
  bool Quiescent() const { return quiescent_; }
  std::vector<UploadView> Uploads() const;
  uint64_t bytes_acked_total() const { return bytes_acked_total_.load(); }
  uint64_t retries_total() const { return retries_total_.load(); }
  std::optional<std::string> last_error() const;
  // Why deliveries wait, for status screens ("needs a new token: …"); "" when they do not.
  std::string waiting() const { return options_.s3 ? options_.s3->waiting() : std::string(); }
  int64_t last_delivery_ns() const { return last_delivery_ns_.load(); }

 private:
  struct Job;
  Status Harvest(std::set<int64_t>* runs);  // adds the runs of finished jobs
  Status FinishFile(Job& job);
  Status FinishManifest(Job& job);
  Status FileNotDelivered(Job& job, const Status& why);
  Status RecordDigests(int64_t file, const transfer::UploadOutcome& out);
  Status StartUploads();
  Status StartManifests(const std::set<int64_t>& runs);
  Status StartUpload(const journal::FileRecord& f, const journal::RunRecord& run);
  void RunUpload(Job* job, journal::FileRecord f, std::string source, std::string run_name);
  void RunManifest(Job* job, journal::RunRecord run, std::string manifest);
  // The S3 path (delivery_s3.cc): the same jobs, other transport and records.
  S3Job S3JobOf(Job* job);  // its stop signal and the bandwidth cap in force now
  void RunS3Upload(Job* job, journal::FileRecord f, std::string source, std::string run_name);
  void RunS3Manifest(Job* job, journal::RunRecord run, std::string manifest);
  Status FinishS3File(Job& job);
  Status FinishS3Manifest(Job& job);
  // A finished run: its SeqgateDelivered.json notes and the run_delivered event.
  Status AfterRunDelivered(int64_t run_id, const std::string& run_name, const std::string& receipt);
  Status WriteDeliveredNote(const journal::RunRecord& run, const std::string& receipt);
  void NoteError(const std::string& message);
  bool RunEligible(const journal::RunRecord& run) const;

  Env& env_;
  journal::Journal& journal_;
  pipeline::WorkerPool& pool_;
  transfer::TransferLoop& loop_;
  DeliveryOptions options_;
  std::function<void()> wake_;
  // The schedule and the one token bucket every upload draws from; each job holds a reference
  // so a reload cannot pull it from under an upload in flight. Null = unlimited.
  struct Throttle {
    explicit Throttle(transfer::BandwidthSchedule s) : schedule(std::move(s)), limiter(schedule) {}
    transfer::BandwidthSchedule schedule;
    transfer::BandwidthLimiter limiter;
  };
  std::shared_ptr<Throttle> throttle_;  // guarded by mu_

  mutable std::mutex mu_;
  std::map<int64_t, std::unique_ptr<Job>> jobs_;  // by file id; manifests by -run id
  std::set<int64_t> waiting_source_;  // files whose source no longer matches the journal
  std::optional<std::string> last_error_;
  bool paused_ = false;
  bool recheck_all_ = true;
  bool quiescent_ = false;
  std::atomic<uint64_t> bytes_acked_total_{0};
  std::atomic<uint64_t> retries_total_{0};
  std::atomic<int64_t> last_delivery_ns_{0};
};

}  // namespace seqgate::daemon
