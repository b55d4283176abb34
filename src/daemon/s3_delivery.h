// The S3 path of the delivery engine (protocol = "s3"): each ready file is packed (digests of
// the original, zstd frames or pass-through, as for tus), encrypted with Crypt4GH for the
// configured recipients into a staging object in the state directory, and uploaded as an S3
// multipart upload whose state lives in the journal. Run manifests go up the same way, as
// encrypted objects next to the run's files. Delivery (delivery.cc) owns the threads and the
// scheduling; it calls these on a job's thread (Deliver*) or on its main thread (the rest).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "common/env.h"
#include "crypt4gh/secret.h"
#include "daemon/s3_config.h"
#include "daemon/staging_space.h"
#include "journal/journal.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/worker_pool.h"
#include "transfer/bandwidth_limiter.h"
#include "transfer/s3/access_token.h"
#include "transfer/s3/multipart_uploader.h"

namespace seqgate::daemon {

struct S3DeliveryOptions {
  S3Settings settings;
  std::string state_dir;  // staging objects go to <state_dir>/s3-staging (0700)
  pipeline::PipelineConfig pipeline;
  std::chrono::seconds connect_timeout{20};
  std::chrono::seconds stall{60};
};

// What one object upload left: the object's key, size, SHA-256 and checked ETag.
struct S3Outcome {
  std::string key, etag, sha256;
  uint64_t size = 0;
  uint32_t parts_sent = 0, parts_kept = 0;
};

// What a delivery job hands each object upload: its stop signal, and the bandwidth cap it
// started under (shared with every other upload; null = unlimited).
struct S3Job {
  std::stop_token stop;
  transfer::BandwidthLimiter* limiter = nullptr;
  std::function<void(uint64_t done, uint64_t size)> progress;  // object bytes held; may be empty
};

class S3Delivery {
 public:
  // Reads the credentials and the recipients' keys named by the (checked) settings.
  static Result<std::unique_ptr<S3Delivery>> Create(Env& env, journal::Journal& journal,
                                                    pipeline::WorkerPool& pool,
                                                    S3DeliveryOptions options);

  // On a job's thread: stages `source` (the file of record `f`, in run `run_name`) unless its
  // staged object is still there, records the digests, then uploads it with the journal as
  // the resume state. kSourceChanged when the file changed; kAborted when `job.stop` fired.
  // `progress(done, size)` reports object bytes acknowledged.
  Result<S3Outcome> DeliverFile(const journal::FileRecord& f, const std::string& source,
                                const std::string& run_name, S3Job job,
                                const std::function<void(uint64_t, uint64_t)>& progress);
  // On a job's thread: the run manifest, encrypted, as <prefix>/<run>/seqgate-manifest.json.c4gh.
  Result<S3Outcome> DeliverManifest(const journal::RunRecord& run, const std::string& manifest,
                                    S3Job job);
  // On the main thread: records the delivered file (ETag, receipt) and removes its staging.
  Status RecordDelivered(int64_t file, const std::string& run_name, const std::string& path,
                         const S3Outcome& out);

  // The run was recorded delivered: its staged manifest object goes.
  void ForgetManifest(int64_t run_id);

  // On the main thread, every tick: reads the token file, warns once per token at 24 h and
  // 2 h (remembered in the journal, so a restart does not repeat them), and says why new S3
  // work must wait ("needs a new token: …"), or "" when a usable token is there.
  std::string CheckToken();
  // The last CheckToken() verdict, for status screens (any thread).
  std::string waiting() const;

  // The object key of a file: [prefix/]run/rel_path.c4gh, with .zst before it when the packed
  // stream is zstd. Checked against the inbox's naming rules before anything is sent.
  Result<std::string> ObjectKey(const std::string& run_name, const std::string& rel_path,
                                bool zstd) const;

 private:
  S3Delivery(Env& env, journal::Journal& journal, pipeline::WorkerPool& pool,
             S3DeliveryOptions options)
      : env_(env), journal_(journal), pool_(pool), o_(std::move(options)) {}
  transfer::s3::MultipartOptions UploadOptions(const std::string& key, S3Job job);
  std::string StagingPath(const journal::FileRecord& f) const;
  std::string ManifestStagingPath(int64_t run_id) const;
  // Packs and encrypts `source` into the staging path; returns the digests for the journal.
  struct Staged {
    journal::PackedInfo packed;
    journal::S3ObjectInfo object;
  };
  Result<Staged> Stage(const journal::FileRecord& f, const std::string& source,
                       const std::string& run_name, const std::string& staging);
  Result<S3Outcome> Upload(const std::string& key, const std::string& path, S3Job job);

  Env& env_;
  journal::Journal& journal_;
  pipeline::WorkerPool& pool_;
  S3DeliveryOptions o_;
  StagingSpace space_{env_, o_.state_dir + "/s3-staging"};
  transfer::s3::Credentials credentials_;  // secrets: never logged
  std::vector<crypt4gh::PublicKey> recipients_;
  std::unique_ptr<transfer::s3::TokenFile> token_file_;
  mutable std::mutex mu_;
  std::string waiting_;
};

}  // namespace seqgate::daemon
