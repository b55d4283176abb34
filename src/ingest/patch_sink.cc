#include "ingest/patch_sink.h"

#include "common/log.h"
#include "ingest/tus_service.h"

namespace seqgate::ingest {

PatchSink::PatchSink(TusService& service, std::shared_ptr<LiveUpload> upload, uint64_t start,
                     uint64_t limit, std::optional<UploadChecksum> checksum, Response success)
    : service_(service),
      up_(std::move(upload)),
      start_(start),
      limit_(limit),
      checksum_(std::move(checksum)),
      success_(std::move(success)) {
  if (checksum_) hasher_.emplace(checksum_->algorithm);
}

Status PatchSink::Fail(unsigned http_status, std::string reason) {
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();  // a response body's
  error_status_ = http_status;
  error_reason_ = reason;
  return Status(StatusCode::kAborted, std::move(reason));
}

Status PatchSink::Write(ByteView data) {
  if (error_status_ != 0) return Status(StatusCode::kAborted, error_reason_);
  if (data.size() > limit_ - written_) return Fail(413, "body goes past Upload-Length");
  uint64_t at = start_ + written_;
  if (Status st = up_->WriteAt(at, data); !st.ok()) {
    Log(LogLevel::kError, "upload.write_failed",
        {{"site", up_->info().site}, {"upload", up_->info().id}, {"error", st.ToString()}});
    Response failure = TusService::StorageFailure(st, "cannot write the upload");
    return Fail(failure.status, failure.body);
  }
  if (hasher_ && written_ == 0) {  // the first bytes decide who hashes the chunk
    chunk_in_verifier_ =
        checksum_->algorithm == DigestAlgorithm::kSha256 && up_->BeginChunkDigest(at);
  }
  if (hasher_ && !chunk_in_verifier_) hasher_->Update(data);
  // A checksummed body is fed while staged, before its digest is known: the verifier takes
  // the bytes from memory instead of reading them back from the disk after the commit, and a
  // chunk that fails its digest is rare (DiscardStaged restarts the verifier then).
  const bool fed = up_->FeedIfInOrder(at, data, /*staged=*/hasher_.has_value());
  if (!fed) chunk_fed_all_ = false;
  written_ += data.size();
  const LimitsConfig& limits = service_.config().limits;
  if (!hasher_ && written_ - committed_ >= limits.commit_interval_bytes) {
    // A checkpoint inside a long PATCH: a crash now loses at most one interval. The disk may
    // have filled since the request was admitted; below the floor, stop before acknowledging.
    if (auto full = service_.CheckDisk(0)) return Fail(full->status, full->body);
    if (Status st = up_->Commit(start_ + written_, service_.NextExpiry()); !st.ok()) {
      Response failure = TusService::StorageFailure(st, "cannot make the upload durable");
      return Fail(failure.status, failure.body);
    }
    service_.metrics().bytes_received_total += written_ - committed_;
    committed_ = written_;
  }
  return Status::Ok();
}

void PatchSink::WhenReady(std::function<void()> resume) {
  up_->verifier().WhenDrained(std::move(resume));
}

void PatchSink::WhenComplete(std::function<void()> resume) {
  if (!chunk_in_verifier_ || chunk_ended_ || error_status_ != 0) return resume();
  chunk_ended_ = true;
  chunk_digest_ = std::make_shared<ChunkDigest>();
  up_->verifier().EndChunkDigest(
      [d = chunk_digest_, resume = std::move(resume)](std::optional<Digest> digest) {
        {
          std::lock_guard lock(d->mu);
          d->digest = digest;
          d->ready = true;
        }
        resume();
      });
}

void PatchSink::AbandonChunkDigest() {
  if (!chunk_in_verifier_ || chunk_ended_) return;
  chunk_ended_ = true;
  up_->verifier().EndChunkDigest([](std::optional<Digest>) {});
}

Response PatchSink::Finish(BodyEnd end) {
  const std::string& site = up_->info().site;
  const std::string& id = up_->info().id;
  if (error_status_ != 0 || (hasher_ && end != BodyEnd::kComplete)) {
    AbandonChunkDigest();
    // Nothing half: whatever this body staged past the last checkpoint is cut off again.
    if (Status st = up_->DiscardStaged(); !st.ok()) {
      Log(LogLevel::kError, "upload.discard_failed",
          {{"site", site}, {"upload", id}, {"error", st.ToString()}});
    }
    if (error_status_ == 0) return TusService::TusResponse(400, "body interrupted");
    return TusService::TusResponse(error_status_, error_reason_);
  }
  if (hasher_) {
    std::optional<Digest> got;
    if (!chunk_in_verifier_) {
      got = hasher_->Finish();
    } else if (chunk_digest_ != nullptr && chunk_fed_all_) {
      std::lock_guard lock(chunk_digest_->mu);
      if (chunk_digest_->ready) got = chunk_digest_->digest;
    }
    AbandonChunkDigest();  // only if WhenComplete never ran
    if (!got) {
      // The verifier stopped before it had hashed the whole chunk (it failed, or missed
      // bytes): nothing vouches for the chunk. Not the client's fault: it may send it again.
      Log(LogLevel::kError, "upload.checksum_unavailable",
          {{"site", site}, {"upload", id}, {"offset", std::to_string(start_)}});
      if (Status st = up_->DiscardStaged(); !st.ok()) {
        return TusService::TusResponse(500, "cannot discard the chunk");
      }
      return TusService::TusResponse(503, "cannot check the chunk's checksum now; send it again");
    }
    if (chunk_in_verifier_) service_.metrics().checksums_by_verifier_total++;
    if (!(*got == checksum_->expected)) {
      service_.metrics().checksum_mismatches_total++;
      Log(LogLevel::kWarning, "upload.checksum_mismatch",
          {{"site", site},
           {"upload", id},
           {"offset", std::to_string(start_)},
           {"algorithm", std::string(DigestName(checksum_->algorithm))}});
      if (Status st = up_->DiscardStaged(); !st.ok()) {
        return TusService::TusResponse(500, "cannot discard the chunk");
      }
      return TusService::TusResponse(460, "Checksum Mismatch");
    }
  }
  if (written_ > committed_ || hasher_) {
    if (Status st = up_->Commit(start_ + written_, service_.NextExpiry()); !st.ok()) {
      Log(LogLevel::kError, "upload.commit_failed",
          {{"site", site}, {"upload", id}, {"error", st.ToString()}});
      up_->DiscardStaged().IgnoreError();
      return TusService::StorageFailure(st, "cannot make the upload durable");
    }
    service_.metrics().bytes_received_total += written_ - committed_;
    committed_ = written_;
  }
  if (hasher_) {
    // Staged bytes the verifier did not take from memory (it was behind, or feeding staged
    // bytes is off for this upload) are read back now that they count.
    if (Status st = up_->CatchUp(); !st.ok()) {
      Log(LogLevel::kError, "upload.verify_read_failed",
          {{"site", site}, {"upload", id}, {"error", st.ToString()}});
    }
  }
  service_.Touch(site, id);
  Response res = std::move(success_);
  res.Set("Upload-Offset", std::to_string(up_->progress().offset));
  if (end == BodyEnd::kInterrupted) {
    Log(LogLevel::kInfo, "upload.interrupted",
        {{"site", site}, {"upload", id}, {"offset", std::to_string(up_->progress().offset)}});
  }
  if (up_->complete()) {
    service_.FinishUpload(*up_, &res);
  } else {
    res.Set("Upload-Expires", TusService::HttpDate(up_->progress().expires_unix));
  }
  return res;
}

}  // namespace seqgate::ingest
