// Uploads one file to a tus 1.0 server: packs it on the fly (pipeline), sends frame-aligned
// PATCHes, survives every transient failure by re-syncing with HEAD, and resumes from an
// UploadState after the process itself was interrupted. With the server's
// "seqgate-verification" extension it declares encoding, run, path and digests and fetches
// the receipt; without it (plain tus, e.g. @tus/server) the file counts as sent when HEAD
// shows the full length.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "common/env.h"
#include "common/status.h"
#include "pipeline/packer.h"
#include "pipeline/worker_pool.h"
#include "transfer/bandwidth_limiter.h"
#include "transfer/bandwidth_schedule.h"
#include "transfer/chunk_queue.h"
#include "transfer/http_client.h"
#include "transfer/retry_policy.h"
#include "transfer/source_file.h"
#include "transfer/tus_headers.h"
#include "transfer/upload_state.h"

namespace seqgate::transfer {

struct UploadSpec {
  std::string source_path;
  std::string endpoint;  // the tus creation URL, e.g. https://centre:8443/files/
  std::string run;       // seqgate-verification placement; empty = not placed
  std::string rel_path;  // relative path inside the run (defaults to the file's base name)
  pipeline::PackOptions pack;
  uint64_t patch_size = 64ull << 20;  // target PATCH body; whole frames, so may differ a bit
  // The first PATCH of a run is at most this big, so the link is busy while the pipeline
  // fills the next 64 MiB (costs one extra request per file).
  uint64_t first_patch_size = 16ull << 20;
  // PATCHes of chunks read from the source (identity data with chunk checksums) grow fourfold,
  // up to this, while the answer to one takes more than 1/20 of its time (a long round trip, a slow
  // commit): tus sends one PATCH at a time, so each pays that wait, and there a larger PATCH
  // costs no memory. A lost connection still costs at most one PATCH. ≤ patch_size: never.
  uint64_t max_patch_size = 1ull << 30;
  RetryPolicy retry;
  // The process-wide bucket every upload draws from (the daemon's, or RunUploads'); when set,
  // `bandwidth` and `bandwidth_share` are ignored. Must outlive Run.
  BandwidthLimiter* limiter = nullptr;
  // Without a limiter: a cap of rate / share for this upload alone, read at each PATCH.
  const BandwidthSchedule* bandwidth = nullptr;  // nullptr = unlimited
  unsigned bandwidth_share = 1;                  // uploads sharing the cap (each gets rate / share)
  // Send Upload-Checksum when the server offers sha256. Off only to exercise end-to-end
  // verification on its own (tests, diagnosis).
  bool chunk_checksums = true;
  // When the centre verifies end to end (seqgate-verification), take the original's MD5 from
  // its signed receipt instead of computing it here: the centre hashes every byte anyway and
  // checks them against our SHA-256, so its MD5 is of exactly our original. Saves the slowest
  // hash on the gateway. Off (or pack.md5 off) keeps the old behaviour.
  bool md5_from_centre = true;
  // Called with the state after every change worth surviving a crash (creation, each
  // acknowledged PATCH, completion). Its failure stops the upload.
  std::function<Status(const UploadState&)> persist;
  // Progress and retry notes for the operator (never secrets). May be empty.
  std::function<void(const std::string&)> log;
  // A stop request makes Run return kAborted promptly, exactly as TusUploader::Cancel does
  // (e.g. the daemon's shutdown). Default: never stops.
  std::stop_token stop;
};

struct UploadOutcome {
  std::string upload_url;
  bool verification = false;     // the server has the seqgate-verification extension
  int receipt_http = 0;          // GET on the upload URL: 200 receipt, 202 pending
  std::string receipt;           // the receipt JSON (verification mode)
  std::string receipt_status;    // Seqgate-Receipt-Status (verified / unverified / quarantined)
  uint64_t length = 0;           // packed stream size = the server's final offset
  uint64_t body_bytes_sent = 0;  // PATCH body bytes put on the wire by this run, retries included
  unsigned retries = 0;
  UploadState state;
};

class TusUploader {
 public:
  TusUploader(Env& env, pipeline::WorkerPool& pool, HttpClient& http, UploadSpec spec);
  ~TusUploader();
  TusUploader(const TusUploader&) = delete;
  TusUploader& operator=(const TusUploader&) = delete;

  // Runs the upload to completion or to a permanent failure (with its reason). `resume` is a
  // state saved by an earlier run for the same file and endpoint, if any. kAborted after
  // Cancel() or a stop request.
  Result<UploadOutcome> Run(std::optional<UploadState> resume);

  // Stops a running (or future) Run from any thread: the in-flight request is cut, a retry
  // backoff ends, packing stops, and Run returns kAborted within well under a second. The
  // acknowledged offset stays persisted (a cut PATCH was never acknowledged), so a new
  // uploader resumes from it.
  void Cancel();

 private:
  class RecordingSink;

  Status Attempt();  // one pass: discover, create or HEAD, send until done
  Status Discover();
  // After discovery: a fresh upload to a verifying centre leaves MD5 to the centre.
  void DecideMd5();
  // Takes the original's MD5 from the receipt when we left it to the centre.
  void AdoptCentreMd5();
  Status PrepareFresh();
  Status PrePack();  // records-only pass for servers without creation-defer-length
  Status Create();
  Status Head();
  Status SendChunks();
  Status Position(uint64_t offset);  // makes pending_ start at `offset`
  void StartProducer(uint64_t start);
  void StopProducer();
  void ProducerMain(uint64_t start, ChunkQueue* queue);
  // After a 460 for a chunk read from the source: OK when the source still holds the bytes
  // that were hashed (the chunk was damaged in transit), else kSourceChanged.
  Status CheckSentAsHashed(const Chunk& c);
  // After a from_source chunk was acknowledged: grows the PATCH size (see max_patch_size) when
  // the answer took `wait` of the `total` the PATCH took.
  void MaybeGrowPatches(const Chunk& c, std::chrono::steady_clock::duration wait,
                        std::chrono::steady_clock::duration total);
  Status FetchReceipt();
  Status Persist();
  void Note(const std::string& msg);
  Status Stopped() const;
  std::vector<std::string> TusHeaders() const;
  Status Refused(const HttpResponse& r, std::string_view what);

  Env& env_;
  pipeline::WorkerPool& pool_;
  HttpClient& http_;
  UploadSpec spec_;

  std::mutex mu_;  // guards state_ between the producer thread and the uploader
  UploadState state_;
  std::optional<ServerCaps> caps_;
  bool verification_ = false, checksum_ = false;
  bool length_declared_ = false;  // the server knows Upload-Length
  uint64_t offset_ = 0;           // the server's offset as last learned
  bool done_ = false;
  std::optional<std::chrono::seconds> retry_after_;
  UploadOutcome out_;

  std::atomic<bool> cancelled_{false};
  std::mutex cancel_mu_;  // guards queue_ (replaced by the uploader, aborted by Cancel)
  std::condition_variable cancel_cv_;  // ends a backoff early

  std::optional<SourceFile> source_;  // where from_source chunks are read (set by Run)
  std::unique_ptr<ChunkQueue> queue_;
  std::thread producer_;
  uint64_t queue_next_ = 0;  // stream offset of the next chunk queue_ yields
  uint64_t patch_target_ = 0;  // the PATCH size chunks are cut to now (spec_.patch_size or more)
  std::optional<Chunk> pending_;
};

// Decides the stream's encoding before packing (as Pack would: configuration, else content)
// so the upload can declare it at creation.
Result<pipeline::Encoding> DecideEncoding(Env& env, const std::string& path,
                                          const pipeline::PackOptions& options);

}  // namespace seqgate::transfer
