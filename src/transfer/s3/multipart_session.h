// The multipart uploader's per-upload session, shared by its .cc files (not a public API:
// multipart_uploader.h is). One Session drives one object: plan, state, parts in flight, token.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/hashing.h"
#include "transfer/s3/multipart_options.h"
#include "transfer/s3/multipart_state.h"
#include "transfer/s3/multipart_uploader.h"
#include "transfer/s3/part_plan.h"
#include "transfer/s3/s3_xml.h"
#include "transfer/s3/token_gate.h"

namespace seqgate::transfer::s3::detail {

using Query = std::vector<std::pair<std::string, std::string>>;
using Headers = std::vector<std::pair<std::string, std::string>>;

inline std::string Sha256Hex(std::string_view s) {
  return ComputeDigest(DigestAlgorithm::kSha256, AsBytes(s)).hex();
}

// A token the inbox refuses: 401 (the SDA proxy), or S3's own token codes.
inline bool IsTokenRejection(int http, std::string_view code) {
  return http == 401 || code == "ExpiredToken" || code == "InvalidToken" ||
         code == "TokenRefreshRequired";
}

enum class PartFate { kSend, kVerifyListed };
struct PendingPart {
  uint32_t number;
  PartFate fate;
  std::string listed_etag;
};

class Session {
 public:
  Session(const ObjectSource& src, const MultipartOptions& o, Endpoint ep, PartPlan plan)
      : src_(src), o_(o), ep_(std::move(ep)), plan_(plan), stop_cb_(o.stop, [this] { Wake(); }) {
    if (o.state_store == nullptr) owned_store_ = std::make_unique<FileStateStore>(o.state_path);
    store_ = o.state_store != nullptr ? o.state_store : owned_store_.get();
    if (o.token_mode != TokenMode::kNone) {
      gate_.emplace(*o.token_file,
                    TokenGate::Hooks{[this] { return Now(); }, o.note,
                                     [this](std::chrono::milliseconds d) { return Sleep(d); },
                                     o.warn_token_expiry},
                    o.token_poll);
    }
  }

  Result<MultipartResult> Run();
  Status AbortOnly();

 private:
  int64_t Now() const {
    return o_.now ? o_.now()
                  : std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  }
  void Note(const std::string& m) const {
    if (o_.note) o_.note(m);
  }
  bool Stopped() const { return o_.stop.stop_requested() || failed_.load(); }
  void Wake() {
    { std::lock_guard lock(sleep_mu_); }  // a sleeper between its check and its wait sees it
    cv_.notify_all();
  }
  // Sleeps up to `d`; false when stopped meanwhile.
  bool Sleep(std::chrono::milliseconds d) {
    std::unique_lock lock(sleep_mu_);
    cv_.wait_for(lock, d, [this] { return Stopped(); });
    return !Stopped();
  }
  std::string ObjectPath() const { return "/" + o_.bucket + "/" + o_.key; }

  Result<std::optional<AccessToken>> UsableToken() {
    if (!gate_) return std::optional<AccessToken>();
    SEQGATE_ASSIGN_OR_RETURN(AccessToken t, gate_->Acquire());
    return std::optional<AccessToken>(std::move(t));
  }
  // `path` is the request's path; empty = the object's.
  Result<S3Request> Build(const std::string& method, const Query& q, const Headers& extra,
                          const std::string& payload_sha, const AccessToken* tok,
                          const std::string& path);
  using MakeBody = std::function<void(S3Request&)>;
  Result<HttpResponse> Call(S3Transport& t, const std::string& what, const std::string& method,
                            const Query& q, const Headers& extra, const std::string& payload_sha,
                            const MakeBody& body, const std::string& path = {});
  Status Backoff(const Status& st, unsigned* attempt, std::optional<std::chrono::seconds> ra,
                 const std::string& what);

  Status Create(S3Transport& t);
  Result<std::map<uint32_t, ListedPart>> ListAll(S3Transport& t);
  Status Abort(S3Transport& t, const std::string& upload_id);
  Status AbortUnrecorded(S3Transport& t, const std::string& keep);
  Status UploadPart(S3Transport& t, const PendingPart& p);
  Status RunWorkers(std::vector<PendingPart> pending);
  Result<std::string> Complete(S3Transport& t);
  // The ETag the recorded parts give, when they cover the whole object; nullopt otherwise.
  std::optional<std::string> ExpectedEtag() const;
  // The object under our key as the bucket listing shows it (ETag, size); nullopt if absent.
  Result<std::optional<ListedObject>> FindObject(S3Transport& t);
  // The upload vanished: the object's ETag when the listing shows the recorded parts' ETag
  // (an earlier Complete succeeded), nullopt when the object is absent or another.
  Result<std::optional<std::string>> CompletedMeanwhile(S3Transport& t);
  Status Save() {
    std::lock_guard lock(state_mu_);
    return store_->Save(state_);
  }

  const ObjectSource& src_;
  const MultipartOptions& o_;
  Endpoint ep_;
  PartPlan plan_;
  std::unique_ptr<FileStateStore> owned_store_;  // when no store was given: the state file
  MultipartStateStore* store_ = nullptr;
  MultipartState state_;
  std::mutex state_mu_;
  std::atomic<bool> failed_{false};
  std::mutex sleep_mu_;
  std::condition_variable cv_;
  std::stop_callback<std::function<void()>> stop_cb_;

  std::optional<TokenGate> gate_;

  std::atomic<uint64_t> bytes_sent_{0};
  std::atomic<unsigned> retries_{0};
  std::atomic<uint32_t> parts_sent_{0};
  uint32_t parts_kept_ = 0;
};

}  // namespace seqgate::transfer::s3::detail
