// Delivery's S3 path (protocol = "s3"): the same jobs, scheduling and failure handling as the
// tus path in delivery.cc, with S3Delivery doing the staging, encryption and multipart upload.
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/delivery.h"
#include "daemon/delivery_job.h"

namespace seqgate::daemon {

// The cap in force when the job starts stays its cap (as for tus uploads): a SIGHUP changes
// it for the jobs that start afterwards.
S3Job Delivery::S3JobOf(Job* job) {
  std::lock_guard lock(mu_);
  job->throttle = throttle_;
  S3Job s3;
  s3.stop = job->stopper.get_token();
  s3.limiter = job->throttle ? &job->throttle->limiter : nullptr;
  return s3;
}

void Delivery::RunS3Upload(Job* job, journal::FileRecord f, std::string source,
                           std::string run_name) {
  job->s3_result = options_.s3->DeliverFile(f, source, run_name, S3JobOf(job),
                                            [job](uint64_t done, uint64_t size) {
                                              job->offset = done;
                                              job->size = size;
                                            });
  job->finished = true;
  if (wake_) wake_();
}

Status Delivery::FinishS3File(Job& job) {
  const auto& r = *job.s3_result;
  if (!r.ok()) return FileNotDelivered(job, r.status());
  // Delivered only now: CompleteMultipartUpload succeeded and the ETag matched (the uploader
  // checked it against the parts' MD5s), and the object is the size that was staged.
  SEQGATE_RETURN_IF_ERROR(options_.s3->RecordDelivered(job.file, job.run_name, job.path, *r));
  bytes_acked_total_ += r->size;
  last_delivery_ns_ = WallClockNs();
  Log(LogLevel::kInfo, "file_delivered",
      {{"run", job.run_name},
       {"file", job.path},
       {"bytes", std::to_string(r->size)},
       {"sha256", r->sha256},
       {"state", "uploaded"},
       {"url", r->key}});
  return Status::Ok();
}

void Delivery::RunS3Manifest(Job* job, journal::RunRecord run, std::string manifest) {
  job->s3_result = options_.s3->DeliverManifest(run, manifest, S3JobOf(job));
  job->finished = true;
  if (wake_) wake_();
}

Status Delivery::FinishS3Manifest(Job& job) {
  const auto& r = *job.s3_result;
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kAborted) return Status::Ok();
    const std::string why = "manifest upload failed: " + r.status().ToString();
    SEQGATE_RETURN_IF_ERROR(journal_.RecordRunError(job.run, why));
    Log(LogLevel::kError, "problem", {{"run", job.run_name}, {"reason", why}});
    NoteError(job.run_name + ": " + why);
    return Status::Ok();
  }
  Log(LogLevel::kInfo, "manifest_sent", {{"run", job.run_name}, {"url", r->key}});
  // The inbox signs no run receipt: ours records what was uploaded and checked.
  const nlohmann::json receipt = {
      {"protocol", "s3"},
      {"status", "uploaded"},
      {"manifest", {{"key", r->key}, {"etag", r->etag}, {"size", r->size}, {"sha256", r->sha256}}}};
  SEQGATE_RETURN_IF_ERROR(journal_.RecordManifestCreated(job.run, r->key));
  SEQGATE_RETURN_IF_ERROR(journal_.RecordRunDelivered(job.run, receipt.dump(), "uploaded"));
  options_.s3->ForgetManifest(job.run);
  return AfterRunDelivered(job.run, job.run_name, receipt.dump());
}

}  // namespace seqgate::daemon
