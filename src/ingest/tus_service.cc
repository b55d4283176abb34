#include "ingest/tus_service.h"

#include <unistd.h>

#include <charconv>
#include <ctime>

#include "ingest/checksum_header.h"
#include "ingest/durable_fs.h"
#include "common/log.h"
#include "ingest/patch_sink.h"
#include "ingest/tus_metadata.h"

namespace seqgate::ingest {
namespace {

// Strict unsigned decimal as tus headers use it: digits only, no sign, no spaces.
std::optional<uint64_t> ParseUint(const std::string* s) {
  if (s == nullptr || s->empty() || s->size() > 19) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size()) return std::nullopt;
  return v;
}

std::string LockKey(const std::string& site, const std::string& id) { return site + "/" + id; }

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

TusService::TusService(const IngestConfig& config, const UploadStore& store,
                       const ReceiptSigner& signer, Metrics& metrics)
    : config_(config),
      store_(store),
      signer_(signer),
      metrics_(metrics),
      finalizer_(store, signer, config.server_name) {}

Status TusService::Start() {
  SEQGATE_RETURN_IF_ERROR(store_.Init());
  for (const auto& u : store_.ListAll()) {
    Status st = finalizer_.Recover(u.site, u.id);
    if (!st.ok()) {
      Log(LogLevel::kError, "upload.recover_failed",
          {{"site", u.site}, {"upload", u.id}, {"error", st.ToString()}});
      std::lock_guard<std::mutex> lock(mu_);
      unsettled_.emplace(LockKey(u.site, u.id), false);
    }
    auto info = store_.LoadInfo(u.site, u.id);
    auto progress = store_.LoadProgress(u.site, u.id);
    if (!info.ok() || !progress.ok()) continue;
    if (!info->length || progress->offset < *info->length) {
      AdjustInProgress(u.site, +1);
    } else if (auto receipt = store_.LoadReceipt(u.site, u.id); receipt.ok() && !*receipt) {
      // Complete, never finalised: the next HEAD does it; it is not counted in progress.
      std::lock_guard<std::mutex> lock(mu_);
      unsettled_.emplace(LockKey(u.site, u.id), false);
    }
  }
  return Status::Ok();
}

Response TusService::TusResponse(unsigned status, std::string reason) {
  Response r;
  r.status = status;
  r.Set("Tus-Resumable", std::string(kTusVersion));
  if (!reason.empty()) {
    r.Set("Content-Type", "text/plain; charset=utf-8");
    r.body = std::move(reason) + "\n";
  }
  return r;
}

std::string TusService::HttpDate(int64_t unix_time) {
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

int64_t TusService::NextExpiry() const { return Now() + config_.limits.upload_expiry_s; }

void TusService::AdjustInProgress(const std::string& site, int delta) {
  std::lock_guard<std::mutex> lock(mu_);
  in_progress_[site] += delta;
  metrics_.uploads_in_progress += delta;
}

std::optional<Response> TusService::CheckDisk(uint64_t incoming) const {
  auto avail = store_.env().AvailableBytes(store_.root());
  if (!avail.ok()) return TusResponse(500, "cannot check free space");
  if (*avail < config_.limits.min_free_bytes || *avail - config_.limits.min_free_bytes < incoming) {
    Log(LogLevel::kWarning, "storage.full",
        {{"available", std::to_string(*avail)}, {"incoming", std::to_string(incoming)}});
    return TusResponse(507, "insufficient storage: the centre is below its free-space floor");
  }
  return std::nullopt;
}

Response TusService::StorageFailure(const Status& st, std::string_view what) {
  Log(LogLevel::kError, "storage.failed", {{"what", std::string(what)}, {"error", st.ToString()}});
  switch (st.code()) {
    case StatusCode::kResourceExhausted:
      return TusResponse(507, "insufficient storage: " + std::string(what));
    case StatusCode::kPermissionDenied: {
      // EROFS lands here (and EACCES): the storage refuses writes until an operator acts; the
      // upload is intact, so the gateway is told to come back rather than that it failed.
      Response r = TusResponse(503, "storage is not writable (read-only?): " + std::string(what));
      r.Set("Retry-After", "5");
      return r;
    }
    default:
      return TusResponse(500, std::string(what));
  }
}

void TusService::Touch(const std::string& site, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  last_touch_[LockKey(site, id)] = std::chrono::steady_clock::now();
}

bool TusService::Expired(const std::string& site, const std::string& id, int64_t expires_unix) {
  // Upload-Expires is wall-clock time (announced to clients, kept across restarts). A wall
  // clock stepped forward must not expire an upload whose client is still sending, so it must
  // also have been idle that long on the monotonic clock: since its last request, or since
  // start for an upload not seen since. A clock stepped back only keeps uploads longer.
  if (expires_unix >= Now()) return false;
  auto since = started_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = last_touch_.find(LockKey(site, id)); it != last_touch_.end()) since = it->second;
  }
  return std::chrono::steady_clock::now() - since >=
         std::chrono::seconds(config_.limits.upload_expiry_s);
}

TusService::Plan TusService::Prepare(const RequestHead& head, const Peer& peer) const {
  Plan plan;
  const std::string& base = config_.base_path;
  std::string_view target = head.target;
  if (head.method == "OPTIONS") {
    plan.route = Route::kOptions;
    return plan;
  }
  if (target == kPublicKeyPath) {
    plan.route = Route::kPublicKey;
    if (head.method != "GET") plan.response = TusResponse(405, "use GET");
    return plan;
  }
  bool is_collection =
      target == base || target == std::string_view(base).substr(0, base.size() - 1);
  bool under_base = target.size() > base.size() && target.substr(0, base.size()) == base;
  if (!is_collection && !under_base) {
    plan.response = TusResponse(404, "not found");
    return plan;
  }
  // GET on an upload fetches its receipt: not a tus request, so no version check.
  if (head.method != "GET") {
    const std::string* version = head.Get("tus-resumable");
    if (version == nullptr || *version != kTusVersion) {
      Response r = TusResponse(412, "Tus-Resumable: 1.0.0 required");
      r.Set("Tus-Version", std::string(kTusVersion));
      plan.response = std::move(r);
      return plan;
    }
  }
  if (is_collection) {
    plan.route = Route::kCreate;
    if (head.method != "POST") {
      plan.response = TusResponse(405, "POST creates uploads here");
      plan.response->Set("Allow", "POST, OPTIONS");
    }
    return plan;
  }
  std::string id(target.substr(base.size()));
  if (!IsValidUploadId(id)) {
    plan.response = TusResponse(404, "no such upload");
    return plan;
  }
  plan.route = Route::kUpload;
  plan.upload_id = id;
  if (head.method == "HEAD" || head.method == "PATCH" || head.method == "DELETE") {
    plan.lock_key = LockKey(peer.site, id);
  } else if (head.method != "GET") {
    plan.response = TusResponse(405, "method not allowed on an upload");
    plan.response->Set("Allow", "HEAD, PATCH, DELETE, GET, OPTIONS");
  }
  return plan;
}

TusService::Outcome TusService::Handle(const RequestHead& head, const Peer& peer,
                                       const Plan& plan) {
  switch (plan.route) {
    case Route::kOptions:
      return {Options(), nullptr};
    case Route::kPublicKey: {
      Response r;
      r.Set("Content-Type", "application/x-pem-file");
      r.Set("Seqgate-Key-Id", signer_.key_id());
      r.body = signer_.public_key_pem();
      return {std::move(r), nullptr};
    }
    case Route::kCreate:
      return Create(head, peer);
    case Route::kUpload:
      break;
  }
  const std::string& id = plan.upload_id;
  if (head.method == "HEAD") return {Head(peer, id), nullptr};
  if (head.method == "PATCH") return Patch(head, peer, id);
  if (head.method == "DELETE") return {Delete(peer, id), nullptr};
  return {Get(peer, id), nullptr};
}

Response TusService::Options() const {
  Response r = TusResponse(204);
  r.Set("Tus-Version", std::string(kTusVersion));
  r.Set("Tus-Extension", std::string(kTusExtensions));
  r.Set("Tus-Max-Size", std::to_string(config_.limits.max_upload_size));
  r.Set("Tus-Checksum-Algorithm", std::string(kSupportedChecksums));
  return r;
}

Result<std::shared_ptr<LiveUpload>> TusService::Live(const std::string& site,
                                                     const std::string& id) {
  std::string key = LockKey(site, id);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = live_.find(key); it != live_.end()) return it->second;
  }
  SEQGATE_ASSIGN_OR_RETURN(std::unique_ptr<LiveUpload> opened, LiveUpload::Open(store_, site, id));
  std::shared_ptr<LiveUpload> up(std::move(opened));
  std::lock_guard<std::mutex> lock(mu_);
  live_[key] = up;
  return up;
}

void TusService::Forget(const std::string& site, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(LockKey(site, id));
  last_touch_.erase(LockKey(site, id));
}

TusService::Outcome TusService::Create(const RequestHead& head, const Peer& peer) {
  const std::string* length_h = head.Get("upload-length");
  const std::string* defer_h = head.Get("upload-defer-length");
  if (head.Get("upload-concat") != nullptr) {
    return {TusResponse(400, "concatenation is not supported"), nullptr};
  }
  if ((length_h == nullptr) == (defer_h == nullptr)) {
    return {TusResponse(400, "send exactly one of Upload-Length and Upload-Defer-Length"), nullptr};
  }
  std::optional<uint64_t> length;
  if (defer_h != nullptr) {
    if (*defer_h != "1") return {TusResponse(400, "Upload-Defer-Length must be 1"), nullptr};
  } else {
    length = ParseUint(length_h);
    if (!length) return {TusResponse(400, "Upload-Length is not a non-negative integer"), nullptr};
    if (*length > config_.limits.max_upload_size) {
      return {TusResponse(413, "Upload-Length exceeds Tus-Max-Size"), nullptr};
    }
  }
  const std::string* md_h = head.Get("upload-metadata");
  std::string md_raw = md_h ? *md_h : std::string();
  auto metadata = ParseUploadMetadata(md_raw, config_.limits.max_metadata_bytes);
  if (!metadata.ok()) return {TusResponse(400, metadata.status().message()), nullptr};
  auto decl = ParseDeclaration(*metadata);
  if (!decl.ok()) return {TusResponse(400, decl.status().message()), nullptr};

  // Already stored and verified under the same name with the same digest: answer with that.
  if (auto existing = finalizer_.FindVerified(peer.site, *decl)) {
    auto peek = PeekReceipt(*existing);
    if (peek.ok() && length && peek->packed_size == *length && IsValidUploadId(peek->upload_id)) {
      metrics_.uploads_deduplicated_total++;
      Log(LogLevel::kInfo, "upload.deduplicated",
          {{"site", peer.site},
           {"run", decl->run},
           {"path", decl->path},
           {"upload", peek->upload_id}});
      Response r = TusResponse(201);
      r.Set("Location", config_.base_path + peek->upload_id);
      r.Set("Upload-Offset", std::to_string(*length));
      r.Set("Seqgate-Receipt-Status", "verified");
      r.Set("Seqgate-Duplicate", "1");
      r.Set("Content-Type", "application/json");
      r.body = *existing;
      return {std::move(r), nullptr};
    }
  }
  bool with_body = head.has_body();
  if (with_body) {
    const std::string* ct = head.Get("content-type");
    if (ct == nullptr || *ct != kOffsetContentType) {
      return {TusResponse(415, "creation-with-upload needs Content-Type: " +
                                   std::string(kOffsetContentType)),
              nullptr};
    }
    if (length && head.content_length && *head.content_length > *length) {
      return {TusResponse(413, "body is longer than Upload-Length"), nullptr};
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_progress_[peer.site] >= static_cast<int>(config_.limits.max_uploads_per_site)) {
      Response r = TusResponse(429, "too many incomplete uploads for this site");
      r.Set("Retry-After", "60");
      return {std::move(r), nullptr};
    }
  }
  if (auto full = CheckDisk(length.value_or(head.content_length.value_or(0)))) {
    return {std::move(*full), nullptr};
  }
  auto id = RandomHex(kUploadIdHexDigits / 2);
  if (!id.ok()) return {TusResponse(500, "cannot create an upload id"), nullptr};
  UploadInfo info;
  info.site = peer.site;
  info.id = *id;
  info.length = length;
  info.metadata_header = md_raw;
  info.declaration = *decl;
  info.created_unix = Now();
  UploadProgress progress{0, NextExpiry()};
  if (Status st = store_.Create(info, progress); !st.ok()) {
    Log(LogLevel::kError, "upload.create_failed", {{"site", peer.site}, {"error", st.ToString()}});
    return {StorageFailure(st, "cannot create the upload"), nullptr};
  }
  Touch(peer.site, info.id);
  metrics_.uploads_created_total++;
  AdjustInProgress(peer.site, +1);
  Log(LogLevel::kInfo, "upload.created",
      {{"site", peer.site},
       {"upload", info.id},
       {"length", length ? std::to_string(*length) : "deferred"},
       {"encoding", std::string(ContentEncodingName(decl->encoding))},
       {"run", decl->run},
       {"path", decl->path},
       {"with_upload", with_body ? "yes" : "no"}});

  Response created = TusResponse(201);
  created.Set("Location", config_.base_path + info.id);
  created.Set("Upload-Expires", HttpDate(progress.expires_unix));
  auto live = Live(peer.site, info.id);
  if (!live.ok()) return {TusResponse(500, "cannot open the new upload"), nullptr};
  if (with_body) {
    std::optional<UploadChecksum> checksum;
    if (const std::string* ck = head.Get("upload-checksum")) {
      auto parsed = ParseUploadChecksum(*ck);
      if (!parsed.ok()) return {TusResponse(400, parsed.status().message()), nullptr};
      checksum = *parsed;
    }
    uint64_t limit = length.value_or(config_.limits.max_upload_size);
    return {Response{},
            std::make_unique<PatchSink>(*this, *live, 0, limit, checksum, std::move(created))};
  }
  created.Set("Upload-Offset", "0");
  if (length && *length == 0) FinishUpload(**live, &created);
  return {std::move(created), nullptr};
}

Response TusService::Head(const Peer& peer, const std::string& id) {
  auto live = Live(peer.site, id);
  if (!live.ok()) {
    Response r = TusResponse(live.status().code() == StatusCode::kNotFound ? 404 : 500);
    r.Set("Cache-Control", "no-store");
    return r;
  }
  LiveUpload& up = **live;
  Response r = TusResponse(200);
  r.Set("Cache-Control", "no-store");
  if (!up.complete() && Expired(peer.site, id, up.progress().expires_unix)) {
    Response gone = TusResponse(410);
    gone.Set("Cache-Control", "no-store");
    return gone;
  }
  r.Set("Upload-Offset", std::to_string(up.progress().offset));
  if (up.info().length) {
    r.Set("Upload-Length", std::to_string(*up.info().length));
  } else {
    r.Set("Upload-Defer-Length", "1");
  }
  if (!up.info().metadata_header.empty()) r.Set("Upload-Metadata", up.info().metadata_header);
  if (up.complete()) {
    Settle(up, &r);
  } else {
    Touch(peer.site, id);
    r.Set("Upload-Expires", HttpDate(up.progress().expires_unix));
  }
  return r;
}

TusService::Outcome TusService::Patch(const RequestHead& head, const Peer& peer,
                                      const std::string& id) {
  const std::string* ct = head.Get("content-type");
  if (ct == nullptr || *ct != kOffsetContentType) {
    return {TusResponse(415, "PATCH needs Content-Type: " + std::string(kOffsetContentType)),
            nullptr};
  }
  auto offset = ParseUint(head.Get("upload-offset"));
  if (!offset) return {TusResponse(400, "Upload-Offset is missing or not an integer"), nullptr};
  auto live = Live(peer.site, id);
  if (!live.ok()) {
    return {TusResponse(live.status().code() == StatusCode::kNotFound ? 404 : 500), nullptr};
  }
  LiveUpload& up = **live;
  UploadInfo& info = up.info();
  if (!up.complete() && Expired(peer.site, id, up.progress().expires_unix)) {
    return {TusResponse(410), nullptr};
  }
  Touch(peer.site, id);
  if (*offset != up.progress().offset) {
    Response r = TusResponse(409, "Upload-Offset does not match the upload's offset");
    r.Set("Upload-Offset", std::to_string(up.progress().offset));
    return {std::move(r), nullptr};
  }
  bool info_changed = false;
  if (const std::string* len_h = head.Get("upload-length")) {
    auto len = ParseUint(len_h);
    if (!len) return {TusResponse(400, "Upload-Length is not a non-negative integer"), nullptr};
    if (info.length && *info.length != *len) {
      return {TusResponse(400, "Upload-Length cannot change once set"), nullptr};
    }
    if (*len < up.progress().offset) {
      return {TusResponse(400, "Upload-Length is below the current offset"), nullptr};
    }
    if (*len > config_.limits.max_upload_size) {
      return {TusResponse(413, "Upload-Length exceeds Tus-Max-Size"), nullptr};
    }
    if (!info.length) {
      info.length = *len;
      info_changed = true;
    }
  }
  if (const std::string* md_h = head.Get("upload-metadata")) {
    auto md = ParseUploadMetadata(*md_h, config_.limits.max_metadata_bytes);
    if (!md.ok()) return {TusResponse(400, md.status().message()), nullptr};
    Declaration merged = info.declaration;
    if (Status st = MergeLateDigests(*md, &merged); !st.ok()) {
      return {TusResponse(400, st.message()), nullptr};
    }
    if (!(merged.sha256 == info.declaration.sha256) || !(merged.md5 == info.declaration.md5)) {
      info.declaration = merged;
      info_changed = true;
    }
  }
  std::optional<UploadChecksum> checksum;
  if (const std::string* ck = head.Get("upload-checksum")) {
    auto parsed = ParseUploadChecksum(*ck);
    if (!parsed.ok()) return {TusResponse(400, parsed.status().message()), nullptr};
    checksum = *parsed;
  }
  uint64_t limit = info.length ? *info.length - up.progress().offset
                               : config_.limits.max_upload_size - up.progress().offset;
  if (head.content_length && *head.content_length > limit) {
    return {TusResponse(413, "body goes past Upload-Length"), nullptr};
  }
  if (head.has_body()) {
    uint64_t incoming = head.content_length.value_or(std::min<uint64_t>(limit, 1 << 20));
    if (auto full = CheckDisk(incoming)) return {std::move(*full), nullptr};
  }
  if (info_changed) {
    if (Status st = store_.SaveInfo(info); !st.ok()) {
      return {StorageFailure(st, "cannot record the upload's length"), nullptr};
    }
  }
  Response ok = TusResponse(204);
  if (!head.has_body()) {
    ok.Set("Upload-Offset", std::to_string(up.progress().offset));
    if (up.complete()) {
      Settle(up, &ok);
    } else {
      ok.Set("Upload-Expires", HttpDate(up.progress().expires_unix));
    }
    return {std::move(ok), nullptr};
  }
  // After a restart the verifier starts at 0: let it read the acknowledged bytes in the
  // background, so this body's bytes can follow on in order.
  if (up.verifier().consumed() < up.progress().offset) {
    Log(LogLevel::kDebug, "upload.verify_catch_up",
        {{"site", peer.site},
         {"upload", id},
         {"from", std::to_string(up.verifier().consumed())},
         {"to", std::to_string(up.progress().offset)}});
  }
  if (Status st = up.CatchUp(); !st.ok()) {
    Log(LogLevel::kWarning, "upload.verify_catch_up_failed",
        {{"site", peer.site}, {"upload", id}, {"error", st.ToString()}});
  }
  return {Response{}, std::make_unique<PatchSink>(*this, *live, up.progress().offset, limit,
                                                  checksum, std::move(ok))};
}

bool TusService::FinishUpload(LiveUpload& up, Response* res) {
  auto outcome = finalizer_.Complete(up);
  if (!outcome.ok()) {
    Log(LogLevel::kError, "upload.finalize_failed",
        {{"site", up.info().site},
         {"upload", up.info().id},
         {"error", outcome.status().ToString()}});
    {
      // The receipt may already be written: until Settle publishes the file, none is reported.
      std::lock_guard<std::mutex> lock(mu_);
      unsettled_.emplace(LockKey(up.info().site, up.info().id), true);
    }
    *res = StorageFailure(outcome.status(),
                          "the upload is complete but could not be finalised; retry HEAD");
    return false;
  }
  bool counted = true;  // in in_progress_: unless found complete at start (see Start)
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = unsettled_.find(LockKey(up.info().site, up.info().id)); it != unsettled_.end()) {
      counted = it->second;
      unsettled_.erase(it);
    }
  }
  switch (outcome->status) {
    case ReceiptStatus::kVerified:
      metrics_.uploads_verified_total++;
      break;
    case ReceiptStatus::kUnverified:
      metrics_.uploads_unverified_total++;
      break;
    case ReceiptStatus::kQuarantined:
      metrics_.uploads_quarantined_total++;
      break;
  }
  res->Set("Seqgate-Receipt-Status", std::string(ReceiptStatusName(outcome->status)));
  if (counted) AdjustInProgress(up.info().site, -1);
  Forget(up.info().site, up.info().id);
  return true;
}

bool TusService::Settle(LiveUpload& up, Response* res) {
  const std::string& site = up.info().site;
  const std::string& id = up.info().id;
  std::optional<bool> pending;  // set: finalisation failed earlier; true: still counted
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = unsettled_.find(LockKey(site, id)); it != unsettled_.end()) pending = it->second;
  }
  auto receipt = store_.LoadReceipt(site, id);
  if (!receipt.ok()) {
    *res = StorageFailure(receipt.status(), "cannot read the receipt");
    return false;
  }
  if (!*receipt) return FinishUpload(up, res);  // failed before its receipt: all over again
  if (pending) {
    // The receipt is written; publishing it (the move, the index) is what failed.
    if (Status st = finalizer_.Recover(site, id); !st.ok()) {
      Log(LogLevel::kError, "upload.finalize_failed",
          {{"site", site}, {"upload", id}, {"error", st.ToString()}});
      *res = StorageFailure(st, "the upload is complete but could not be published; retry HEAD");
      return false;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      unsettled_.erase(LockKey(site, id));
    }
    Log(LogLevel::kInfo, "upload.published", {{"site", site}, {"upload", id}});
    if (*pending) AdjustInProgress(site, -1);
    Forget(site, id);
  }
  auto peek = PeekReceipt(**receipt);
  if (peek.ok()) res->Set("Seqgate-Receipt-Status", peek->status);
  return true;
}

Response TusService::Delete(const Peer& peer, const std::string& id) {
  auto live = Live(peer.site, id);
  if (!live.ok()) {
    return TusResponse(live.status().code() == StatusCode::kNotFound ? 404 : 500);
  }
  if ((*live)->complete()) {
    return TusResponse(403, "a completed upload keeps its receipt and cannot be terminated");
  }
  Forget(peer.site, id);
  if (Status st = store_.Remove(peer.site, id); !st.ok()) {
    return TusResponse(500, "cannot remove the upload");
  }
  AdjustInProgress(peer.site, -1);
  Log(LogLevel::kInfo, "upload.terminated", {{"site", peer.site}, {"upload", id}});
  return TusResponse(204);
}

Response TusService::Get(const Peer& peer, const std::string& id) {
  auto info = store_.LoadInfo(peer.site, id);
  if (!info.ok()) return TusResponse(info.status().code() == StatusCode::kNotFound ? 404 : 500);
  auto receipt = store_.LoadReceipt(peer.site, id);
  if (!receipt.ok()) return TusResponse(500);
  if (*receipt) {
    std::lock_guard<std::mutex> lock(mu_);
    if (unsettled_.count(LockKey(peer.site, id)) != 0) {
      // Written before the file was published, which then failed: the receipt is the
      // finalizer's intent, not yet a delivery. HEAD publishes it, then GET hands it out.
      Response r = TusResponse(503, "the upload is complete but not yet published; retry HEAD");
      r.Set("Retry-After", "5");
      return r;
    }
  }
  Response r = TusResponse(200);
  r.Set("Cache-Control", "no-store");
  r.Set("Content-Type", "application/json");
  if (*receipt) {
    r.body = **receipt;
    return r;
  }
  auto progress = store_.LoadProgress(peer.site, id);
  r.status = 202;  // accepted, not finished: no receipt yet
  r.body = "{\"status\":\"in-progress\",\"offset\":" +
           std::to_string(progress.ok() ? progress->offset : 0) + "}\n";
  return r;
}

void TusService::SweepExpired(UploadLocks& locks) {
  int64_t now = Now();
  for (const auto& u : store_.ListAll()) {
    auto info = store_.LoadInfo(u.site, u.id);
    auto progress = store_.LoadProgress(u.site, u.id);
    if (!info.ok() || !progress.ok()) continue;
    bool complete = info->length && progress->offset == *info->length;
    if (complete || progress->expires_unix >= now) continue;
    if (!Expired(u.site, u.id, progress->expires_unix)) continue;
    // Only remove what nobody holds; a held upload is in use and is looked at next time.
    std::shared_ptr<UploadLease> lease = locks.TryAcquire(LockKey(u.site, u.id));
    if (!lease) continue;
    auto again = store_.LoadProgress(u.site, u.id);
    if (!again.ok() || again->expires_unix >= Now()) continue;
    Forget(u.site, u.id);
    if (store_.Remove(u.site, u.id).ok()) {
      AdjustInProgress(u.site, -1);
      metrics_.expired_uploads_removed_total++;
      Log(LogLevel::kInfo, "upload.expired", {{"site", u.site}, {"upload", u.id}});
    }
  }
}

}  // namespace seqgate::ingest
