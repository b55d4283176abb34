// The tus 1.0.0 server logic (core, creation, creation-with-upload, creation-defer-length,
// expiration, termination, checksum) plus the seqgate verification extension, independent of
// the HTTP library: requests come in as RequestHead, bodies through BodySink.
//
// Flow per request: Prepare (head only: routing, tus version, cheap refusals) → the session
// obtains the upload's lease if Prepare named one → Handle (state, disk) → for PATCH and
// creation-with-upload, a BodySink receives the body and produces the response.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "ingest/config.h"
#include "ingest/finalizer.h"
#include "ingest/http_types.h"
#include "ingest/live_upload.h"
#include "ingest/metrics.h"
#include "ingest/receipt_signer.h"
#include "ingest/upload_locks.h"
#include "ingest/upload_store.h"

namespace seqgate::ingest {

inline constexpr std::string_view kTusVersion = "1.0.0";
inline constexpr std::string_view kTusExtensions =
    "creation,creation-with-upload,creation-defer-length,expiration,termination,checksum,"
    "seqgate-verification";
inline constexpr std::string_view kOffsetContentType = "application/offset+octet-stream";
inline constexpr std::string_view kPublicKeyPath = "/.well-known/seqgate/receipt-key";

class TusService {
 public:
  TusService(const IngestConfig& config, const UploadStore& store, const ReceiptSigner& signer,
             Metrics& metrics);

  // Counts each site's incomplete uploads and finishes finalisations a crash interrupted.
  Status Start();

  enum class Route { kOptions, kPublicKey, kCreate, kUpload };
  struct Plan {
    std::optional<Response> response;  // set: send this, nothing else to do
    Route route = Route::kOptions;
    std::string upload_id;
    std::string lock_key;  // non-empty: hold this upload's lease while handling
  };
  // Decides from the head alone. Never touches the disk.
  Plan Prepare(const RequestHead& head, const Peer& peer) const;

  struct Outcome {
    Response response;               // valid when sink is null
    std::unique_ptr<BodySink> sink;  // set: stream the body into it, send what Finish returns
  };
  // Carries out a prepared request (holding the lease when plan.lock_key is set).
  Outcome Handle(const RequestHead& head, const Peer& peer, const Plan& plan);

  // Removes incomplete uploads past their expiry that no request holds.
  void SweepExpired(UploadLocks& locks);

  // --- used by the body sink -----------------------------------------------------------------
  const IngestConfig& config() const { return config_; }
  Metrics& metrics() { return metrics_; }
  // Finalises a complete upload, adds the outcome headers to `res`, forgets the live state.
  // false (with `res` turned into a 500) when finalisation hit an I/O error.
  bool FinishUpload(LiveUpload& up, Response* res);
  // Free space check for `incoming` more bytes; a 507 response when below the floor.
  std::optional<Response> CheckDisk(uint64_t incoming) const;
  // The answer to a storage failure, logged with `what`: 507 for a full disk, 503 for storage
  // that refuses writes (read-only, permissions), both transient for a gateway; else 500.
  static Response StorageFailure(const Status& st, std::string_view what);
  // Records a request on an upload: its expiry counts idle time from here (see Expired).
  void Touch(const std::string& site, const std::string& id);
  // Upload-Expires value (HTTP-date) for a unix time.
  static std::string HttpDate(int64_t unix_time);
  int64_t NextExpiry() const;
  // A response carrying Tus-Resumable, with a plain-text reason as body when given.
  static Response TusResponse(unsigned status, std::string reason = {});

 private:
  Outcome Create(const RequestHead& head, const Peer& peer);
  Response Head(const Peer& peer, const std::string& id);
  Outcome Patch(const RequestHead& head, const Peer& peer, const std::string& id);
  Response Delete(const Peer& peer, const std::string& id);
  Response Get(const Peer& peer, const std::string& id);
  Response Options() const;

  // The upload's live state, opened on first use; kNotFound for unknown ids (and for other
  // sites' ids, which live under another folder).
  Result<std::shared_ptr<LiveUpload>> Live(const std::string& site, const std::string& id);
  void Forget(const std::string& site, const std::string& id);
  void AdjustInProgress(const std::string& site, int delta);
  // A complete upload's receipt status in `res`, after finishing what an earlier failed
  // finalisation left (see unsettled_). false, with `res` the failure, when that fails again.
  bool Settle(LiveUpload& up, Response* res);
  // Whether an incomplete upload with this Upload-Expires time has expired.
  bool Expired(const std::string& site, const std::string& id, int64_t expires_unix);

  const IngestConfig& config_;
  const UploadStore& store_;
  const ReceiptSigner& signer_;
  Metrics& metrics_;
  Finalizer finalizer_;

  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex mu_;  // guards the maps below
  std::map<std::string, std::shared_ptr<LiveUpload>> live_;
  std::map<std::string, int> in_progress_;  // site → incomplete uploads
  // Complete uploads whose finalisation failed part way (disk full, storage read-only): the
  // receipt may be written while the file is not yet published, so none is reported until
  // Settle finishes the job. The value: whether the upload still counts in in_progress_.
  std::map<std::string, bool> unsettled_;
  // Last request per upload on the monotonic clock (expiry must survive wall-clock jumps).
  std::map<std::string, std::chrono::steady_clock::time_point> last_touch_;
};

}  // namespace seqgate::ingest
