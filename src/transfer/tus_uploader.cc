#include "transfer/tus_uploader.h"

#include <algorithm>
#include <optional>

#include "common/buffer_pool.h"
#include "common/error_class.h"
#include "pipeline/encoding.h"
#include "transfer/file_receipt.h"
#include "transfer/resume_point.h"

namespace seqgate::transfer {
namespace {

constexpr std::string_view kOffsetType = "Content-Type: application/offset+octet-stream";
constexpr int kMaxRecreations = 3;  // 404/410 loops mean something else is wrong

std::string BaseName(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace

// Keeps the frame records of a first pack in the state as they appear, checking them against
// records of an earlier interrupted pass (the same source must give the same frames).
class TusUploader::RecordingSink final : public pipeline::PackSink {
 public:
  RecordingSink(TusUploader& up, ChunkQueue& queue) : up_(up), queue_(queue) {}
  Status OnFrame(const pipeline::FrameRecord& r, ByteView bytes) override {
    if (up_.cancelled_) return up_.Stopped();
    {
      std::lock_guard lock(up_.mu_);
      auto& recs = up_.state_.records;
      if (r.index < recs.size()) {
        if (!(recs[r.index] == r)) {
          return SourceChanged("frame " + std::to_string(r.index) +
                               " differs from the one packed before: the source changed");
        }
      } else {
        recs.push_back(r);
      }
    }
    return queue_.OnFrame(r, bytes);
  }
  Status OnTrailer(ByteView bytes) override { return queue_.OnTrailer(bytes); }
  bool ShareOriginalPass(Sha256Md5& pass) override { return queue_.ShareOriginalPass(pass); }
  void EndSharedPass() override { queue_.EndSharedPass(); }

 private:
  TusUploader& up_;
  ChunkQueue& queue_;
};

Result<pipeline::Encoding> DecideEncoding(Env& env, const std::string& path,
                                          const pipeline::PackOptions& options) {
  if (options.force_encoding) return *options.force_encoding;
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.OpenForRead(path));
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity id, file->Stat());
  std::vector<uint8_t> head(
      static_cast<size_t>(std::min<uint64_t>(id.size, pipeline::kSniffBytes)));
  SEQGATE_ASSIGN_OR_RETURN(const size_t got, file->ReadAt(0, head));
  head.resize(got);
  return pipeline::DetectCompressedFormat(head) ? pipeline::Encoding::kIdentity
                                                : pipeline::Encoding::kZstdSeekable;
}

TusUploader::TusUploader(Env& env, pipeline::WorkerPool& pool, HttpClient& http, UploadSpec spec)
    : env_(env), pool_(pool), http_(http), spec_(std::move(spec)) {
  if (spec_.rel_path.empty()) spec_.rel_path = BaseName(spec_.source_path);
}

TusUploader::~TusUploader() { StopProducer(); }

void TusUploader::Note(const std::string& msg) {
  if (spec_.log) spec_.log(msg);
}

Status TusUploader::Stopped() const { return Status(StatusCode::kAborted, "upload stopped"); }

void TusUploader::Cancel() {
  {
    std::lock_guard lock(cancel_mu_);
    cancelled_ = true;
    if (queue_) queue_->Abort();
  }
  cancel_cv_.notify_all();
  http_.Cancel();
}

Status TusUploader::Persist() {
  if (!spec_.persist) return Status::Ok();
  UploadState copy;
  {
    std::lock_guard lock(mu_);
    state_.acked_offset = offset_;
    copy = state_;
  }
  return spec_.persist(copy);
}

std::vector<std::string> TusUploader::TusHeaders() const { return {"Tus-Resumable: 1.0.0"}; }

Status TusUploader::Refused(const HttpResponse& r, std::string_view what) {
  retry_after_.reset();
  if (auto ra = r.Header("Retry-After")) {
    retry_after_ = ParseRetryAfter(*ra, std::chrono::system_clock::now());
  }
  return RefusalStatus(r, what);
}

Result<UploadOutcome> TusUploader::Run(std::optional<UploadState> resume) {
  // Runs Cancel() at once when the stop was requested already.
  std::stop_callback on_stop(spec_.stop, [this] { Cancel(); });
  if (cancelled_) return Stopped();
  spec_.pack.packed_sha256 = false;  // nothing here uses the packed stream's digest
  if (resume) {
    if (resume->source_path != spec_.source_path || resume->endpoint != spec_.endpoint) {
      return InvalidArgument("the state file belongs to '" + resume->source_path + "' → '" +
                             resume->endpoint + "', not to this upload");
    }
    // The same check as before every PATCH from the source: still the file that was packed?
    const Result<const RandomAccessFile*> same =
        SourceFile(env_, spec_.source_path, resume->source).Checked();
    if (!same.ok() && same.status().code() != StatusCode::kSourceChanged) return same.status();
    if (!same.ok()) {
      Note(same.status().message() + ": starting a new upload");
      resume.reset();
    }
  }
  if (resume) {
    state_ = std::move(*resume);
    offset_ = state_.acked_offset;
    spec_.pack.level = state_.level;
    spec_.pack.frame_size = state_.frame_size;
    spec_.pack.md5 = state_.md5;
    spec_.pack.force_encoding = state_.encoding;
    Note("resuming " +
         (state_.upload_url.empty() ? std::string("(not created yet)") : state_.upload_url) +
         " from acknowledged offset " + std::to_string(state_.acked_offset));
  } else {
    SEQGATE_RETURN_IF_ERROR(PrepareFresh());
  }
  source_.emplace(env_, spec_.source_path, state_.source);
  patch_target_ = spec_.patch_size;

  unsigned failures = 0;
  int recreations = 0;
  while (true) {
    const uint64_t before = offset_;
    Status st = Attempt();
    if (st.ok()) break;
    if (cancelled_) {
      StopProducer();
      return Stopped();
    }
    if (offset_ > before) failures = 0;  // progress: the link works, just not all the time
    if (st.code() == StatusCode::kNotFound && !state_.upload_url.empty()) {
      if (++recreations > kMaxRecreations) return st.WithContext("upload keeps disappearing");
      Note("upload " + state_.upload_url + " is gone (" + st.message() + "): creating a new one");
      StopProducer();
      state_.upload_url.clear();
      offset_ = 0;
      length_declared_ = false;
      SEQGATE_RETURN_IF_ERROR(Persist());
      continue;
    }
    if (!IsTransient(st)) return st;
    if (spec_.retry.max_attempts != 0 && failures + 1 >= spec_.retry.max_attempts) {
      return st.WithContext("giving up after " + std::to_string(failures + 1) + " attempts");
    }
    auto wait = spec_.retry.Delay(failures, JitterUnit(), retry_after_);
    retry_after_.reset();
    ++failures;
    ++out_.retries;
    Note("transient failure: " + st.ToString() + "; retrying in " + std::to_string(wait.count()) +
         " ms");
    std::unique_lock lock(cancel_mu_);
    if (cancel_cv_.wait_for(lock, wait, [this] { return cancelled_.load(); })) {
      lock.unlock();
      StopProducer();
      return Stopped();
    }
  }
  StopProducer();
  out_.upload_url = state_.upload_url;
  out_.verification = verification_;
  out_.length = offset_;
  out_.state = state_;
  return out_;
}

Status TusUploader::PrepareFresh() {
  SEQGATE_RETURN_IF_ERROR(spec_.pack.Validate());
  SEQGATE_ASSIGN_OR_RETURN(auto file, env_.OpenForRead(spec_.source_path));
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity id, file->Stat());
  SEQGATE_ASSIGN_OR_RETURN(const auto encoding,
                           DecideEncoding(env_, spec_.source_path, spec_.pack));
  spec_.pack.force_encoding = encoding;  // pins Pack's own decision to the declared one
  state_ = UploadState{};
  state_.source_path = spec_.source_path;
  state_.source = id;
  state_.endpoint = spec_.endpoint;
  state_.level = spec_.pack.level;
  state_.frame_size = spec_.pack.frame_size;
  state_.md5 = spec_.pack.md5;
  state_.encoding = encoding;
  offset_ = 0;
  return Status::Ok();
}

Status TusUploader::Attempt() {
  if (!caps_) {
    SEQGATE_RETURN_IF_ERROR(Discover());
    DecideMd5();
  }
  if (state_.complete) {
    done_ = true;
  } else if (state_.upload_url.empty()) {
    SEQGATE_RETURN_IF_ERROR(Create());
  } else {
    SEQGATE_RETURN_IF_ERROR(Head());
  }
  if (!done_) SEQGATE_RETURN_IF_ERROR(SendChunks());
  if (!state_.complete) {
    std::lock_guard lock(mu_);
    state_.complete = true;
  }
  SEQGATE_RETURN_IF_ERROR(Persist());
  return FetchReceipt();
}

Status TusUploader::Discover() {
  HttpRequest req{"OPTIONS", spec_.endpoint, TusHeaders(), {}, 0};
  SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(req));
  if (r.status != 200 && r.status != 204) return Refused(r, "OPTIONS " + spec_.endpoint);
  SEQGATE_ASSIGN_OR_RETURN(
      auto caps, ParseServerCaps(r.Header("Tus-Version"), r.Header("Tus-Extension"),
                                 r.Header("Tus-Max-Size"), r.Header("Tus-Checksum-Algorithm")));
  if (!caps.Has("creation")) {
    return Unsupported("the server does not offer the tus creation extension");
  }
  verification_ = caps.Has("seqgate-verification");
  checksum_ = spec_.chunk_checksums && caps.HasChecksum("sha256");
  Note(std::string("server: ") + (verification_ ? "seqgate verification" : "plain tus") +
       (checksum_ ? ", sha256 chunk checksums" : ", no chunk checksums"));
  caps_ = std::move(caps);
  return Status::Ok();
}

void TusUploader::DecideMd5() {
  // Only before the first byte is packed: a resumed upload keeps what its state says.
  if (!verification_ || !spec_.md5_from_centre || !state_.md5 || state_.packed ||
      !state_.upload_url.empty() || state_.complete) {
    return;
  }
  std::lock_guard lock(mu_);
  state_.md5 = false;
  spec_.pack.md5 = false;
  Note("MD5 of the original: from the centre's receipt");
}

void TusUploader::AdoptCentreMd5() {
  if (!state_.original_md5.empty() || state_.original_sha256.empty()) return;
  std::optional<FileReceipt> r = ParseFileReceipt(out_.receipt);
  // The centre's MD5 is only ours if it hashed our bytes: its SHA-256 must be ours.
  std::string md5 = r ? r->Md5IfSha256Is(state_.original_sha256) : "";
  if (md5.empty()) return;
  std::lock_guard lock(mu_);
  state_.original_md5 = std::move(md5);
}

Status TusUploader::PrePack() {
  Note("server lacks creation-defer-length: packing once to learn the size");
  ChunkQueue discard(ChunkQueueOptions{.start = UINT64_MAX, .patch_size = spec_.patch_size});
  RecordingSink sink(*this, discard);
  SEQGATE_ASSIGN_OR_RETURN(auto r,
                           pipeline::Pack(env_, pool_, spec_.source_path, spec_.pack, sink));
  std::lock_guard lock(mu_);
  state_.packed = true;
  state_.trailer_size = r.trailer_size;
  state_.packed_size = r.packed_size;
  state_.original_size = r.original_size;
  state_.original_sha256 = r.original_sha256.hex();
  state_.original_md5 = r.original_md5 ? r.original_md5->hex() : "";
  return Status::Ok();
}

Status TusUploader::Create() {
  if (!state_.packed && !caps_->Has("creation-defer-length")) SEQGATE_RETURN_IF_ERROR(PrePack());
  std::vector<std::pair<std::string, std::string>> meta = {{"filename", spec_.rel_path}};
  if (verification_) {
    meta.emplace_back("seqgate-encoding", pipeline::EncodingWireName(state_.encoding));
    if (!spec_.run.empty()) {
      meta.emplace_back("seqgate-run", spec_.run);
      meta.emplace_back("seqgate-path", spec_.rel_path);
    }
    if (state_.packed) {
      meta.emplace_back("seqgate-sha256", state_.original_sha256);
      if (!state_.original_md5.empty()) meta.emplace_back("seqgate-md5", state_.original_md5);
    }
  }
  auto headers = TusHeaders();
  if (state_.packed) {
    if (caps_->max_size && state_.packed_size > *caps_->max_size) {
      return InvalidArgument("the packed file (" + std::to_string(state_.packed_size) +
                             " bytes) exceeds the server's Tus-Max-Size");
    }
    headers.push_back("Upload-Length: " + std::to_string(state_.packed_size));
  } else {
    headers.push_back("Upload-Defer-Length: 1");
  }
  headers.push_back("Upload-Metadata: " + EncodeMetadata(meta));
  HttpRequest req{"POST", spec_.endpoint, headers, {}, 0};
  SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(req));
  if (r.status == 413) return Refused(r, "the server refuses an upload this large");
  if (r.status != 201) return Refused(r, "POST " + spec_.endpoint);
  auto loc = r.Header("Location");
  if (!loc || loc->empty()) return HttpStatusError(r.status, "201 without a Location header");
  {
    std::lock_guard lock(mu_);
    SEQGATE_ASSIGN_OR_RETURN(state_.upload_url, ResolveLocation(spec_.endpoint, *loc));
  }
  length_declared_ = state_.packed;
  offset_ = 0;
  StopProducer();
  Note("created " + state_.upload_url);
  if (auto off = r.Header("Upload-Offset"); off && r.Header("Seqgate-Duplicate")) {
    // The centre already holds this file, verified: nothing to send.
    offset_ = ParseUnsigned(*off).value_or(0);
    out_.receipt_status = std::string(r.Header("Seqgate-Receipt-Status").value_or(""));
    Note("the centre already has this file (duplicate)");
    done_ = state_.packed && offset_ == state_.packed_size;
  }
  return Persist();
}

Status TusUploader::Head() {
  HttpRequest req{"HEAD", state_.upload_url, TusHeaders(), {}, 0};
  SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(req));
  if (r.status != 200 && r.status != 204) return Refused(r, "HEAD " + state_.upload_url);
  auto off = r.Header("Upload-Offset");
  auto parsed = off ? ParseUnsigned(*off) : std::nullopt;
  if (!parsed) return HttpStatusError(502, "HEAD without a valid Upload-Offset");
  if (*parsed < state_.acked_offset) {
    // A server that forgets acknowledged bytes breaks the contract; say so, then resend.
    Note("server offset " + std::to_string(*parsed) + " is below the acknowledged " +
         std::to_string(state_.acked_offset));
  }
  offset_ = *parsed;
  auto len = r.Header("Upload-Length");
  length_declared_ = len.has_value();
  if (len && ParseUnsigned(*len) == offset_) {
    done_ = true;
    if (auto rs = r.Header("Seqgate-Receipt-Status")) out_.receipt_status = std::string(*rs);
  }
  return Status::Ok();
}

void TusUploader::StartProducer(uint64_t start) {
  StopProducer();
  {
    std::lock_guard lock(cancel_mu_);
    // An identity stream is the source file: its chunks are read from there as they are sent,
    // when each chunk's checksum lets the centre catch a file changed since it was hashed.
    // Without checksums a second read could go unnoticed, so the chunks keep their bytes.
    // Capacity 1 either way: the packer reads at most two chunks ahead of the wire, so their
    // pages are still cached when the sender reads them again.
    queue_ = std::make_unique<ChunkQueue>(ChunkQueueOptions{
        .start = start,
        .patch_size = patch_target_,
        .first_patch_size = spec_.first_patch_size,
        .checksum = checksum_,
        .from_source = checksum_ && state_.encoding == pipeline::Encoding::kIdentity,
        .capacity = 1});
    if (cancelled_) queue_->Abort();
  }
  queue_next_ = start;
  producer_ = std::thread([this, start, q = queue_.get()] { ProducerMain(start, q); });
}

void TusUploader::StopProducer() {
  {
    std::lock_guard lock(cancel_mu_);
    if (queue_) queue_->Abort();
  }
  if (producer_.joinable()) producer_.join();
  std::lock_guard lock(cancel_mu_);
  if (pending_) BufferPool::Shared().Give(std::move(pending_->bytes));
  queue_.reset();
  pending_.reset();
}

void TusUploader::ProducerMain(uint64_t start, ChunkQueue* queue) {
  UploadState snap;
  {
    std::lock_guard lock(mu_);
    snap = state_;  // records are only appended by this thread from here on
  }
  Status st;
  if (snap.packed) {
    // Everything is known: re-create only the frames from the resume point on.
    auto rp = LocateOffset(snap.records, snap.trailer_size, start);
    if (!rp) {
      st = Corruption("offset " + std::to_string(start) + " lies outside the packed stream");
    } else {
      if (rp->frame < snap.records.size()) {
        st = pipeline::Repack(env_, pool_, spec_.source_path, spec_.pack, snap.encoding,
                              snap.records, rp->frame,
                              static_cast<uint32_t>(snap.records.size() - 1), *queue);
      }
      if (st.ok() && snap.encoding == pipeline::Encoding::kZstdSeekable) {
        queue->Seek(StreamSize(snap.records, 0));
        st = queue->OnTrailer(pipeline::TrailerFromRecords(snap.records));
      }
    }
  } else {
    // First pass (or an interrupted one): pack from the start, dropping what the server has.
    RecordingSink sink(*this, *queue);
    auto r = pipeline::Pack(env_, pool_, spec_.source_path, spec_.pack, sink);
    st = r.status();
    if (r.ok()) {
      std::lock_guard lock(mu_);
      state_.packed = true;
      state_.trailer_size = r->trailer_size;
      state_.packed_size = r->packed_size;
      state_.original_size = r->original_size;
      state_.original_sha256 = r->original_sha256.hex();
      state_.original_md5 = r->original_md5 ? r->original_md5->hex() : "";
    }
  }
  queue->Finish(st);
}

Status TusUploader::Position(uint64_t offset) {
  const uint64_t have = pending_ ? pending_->offset : queue_next_;
  if (!queue_ || offset < have) {
    StartProducer(offset);
  }
  while (true) {
    if (!pending_) {
      SEQGATE_ASSIGN_OR_RETURN(Chunk c, queue_->Next());
      queue_next_ = c.end();
      pending_ = std::move(c);
    }
    Chunk& c = *pending_;
    if (offset > c.end() || (offset == c.end() && !c.last)) {
      if (c.last) return Corruption("the server holds more bytes than the packed stream");
      queue_->Recycle(std::move(c.bytes));
      pending_.reset();
      continue;
    }
    if (offset > c.offset) {  // the server kept part of this chunk (a partial body)
      const uint64_t cut = offset - c.offset;
      if (!c.from_source) {
        c.bytes.erase(c.bytes.begin(), c.bytes.begin() + static_cast<std::ptrdiff_t>(cut));
      }
      c.offset = offset;
      c.length -= cut;
      if (c.sha256 && c.from_source) {
        SEQGATE_ASSIGN_OR_RETURN(c.sha256, source_->Sha256Of(c.offset, c.length));
      } else if (c.sha256) {
        c.sha256 = ComputeDigest(DigestAlgorithm::kSha256, c.bytes);
      }
    }
    return Status::Ok();
  }
}

Status TusUploader::SendChunks() {
  while (!done_) {
    SEQGATE_RETURN_IF_ERROR(Position(offset_));
    const Chunk& c = *pending_;
    if (caps_->max_size && c.end() > *caps_->max_size) {
      return InvalidArgument("the packed file exceeds the server's Tus-Max-Size (" +
                             std::to_string(*caps_->max_size) + " bytes)");
    }
    auto headers = TusHeaders();
    headers.emplace_back(kOffsetType);
    headers.push_back("Upload-Offset: " + std::to_string(c.offset));
    if (c.sha256)
      headers.push_back("Upload-Checksum: " + ChecksumHeader(DigestAlgorithm::kSha256, *c.sha256));
    if (c.last) {
      UploadState snap;
      {
        std::lock_guard lock(mu_);
        snap = state_;
      }
      if (!length_declared_) headers.push_back("Upload-Length: " + std::to_string(c.end()));
      if (verification_) {
        std::vector<std::pair<std::string, std::string>> late = {
            {"seqgate-sha256", snap.original_sha256}};
        if (!snap.original_md5.empty()) late.emplace_back("seqgate-md5", snap.original_md5);
        headers.push_back("Upload-Metadata: " + EncodeMetadata(late));
      }
    }
    HttpRequest req{"PATCH", state_.upload_url, headers, c.bytes, 0};
    if (c.from_source) {
      SEQGATE_ASSIGN_OR_RETURN(req.body_file, source_->Checked());
      req.body_offset = c.offset;
      req.body_size = c.length;
    }
    if (spec_.limiter != nullptr) {
      req.limiter = spec_.limiter;
    } else if (spec_.bandwidth != nullptr) {
      req.max_send_bps = spec_.bandwidth->RateNow() / std::max(1u, spec_.bandwidth_share);
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto r = http_.Perform(req);
    if (!r.ok()) return r.status();
    out_.body_bytes_sent += r->bytes_sent;
    const auto took = std::chrono::steady_clock::now() - t0;
    const double secs = std::chrono::duration<double>(took).count();
    if (r->status == 409) {  // our idea of the offset is stale: ask, then carry on
      Note("409 offset mismatch at " + std::to_string(c.offset) + ": re-syncing with HEAD");
      SEQGATE_RETURN_IF_ERROR(Head());
      continue;
    }
    if (r->status == 460) {
      if (c.from_source) SEQGATE_RETURN_IF_ERROR(CheckSentAsHashed(c));
      Note("460 checksum mismatch: the chunk was damaged in transit");
    }
    if (r->status != 204 && r->status != 200) return Refused(*r, "PATCH " + state_.upload_url);
    auto off = r->Header("Upload-Offset");
    auto next = off ? ParseUnsigned(*off) : std::nullopt;
    if (!next || *next < c.offset || *next > c.end()) {
      return HttpStatusError(502, "PATCH answered with an impossible Upload-Offset");
    }
    offset_ = *next;
    Note("PATCH " + std::to_string(c.offset) + "+" + std::to_string(c.length) + " → " +
         std::to_string(r->status) + " in " + std::to_string(static_cast<int>(secs * 1000)) +
         " ms (answer " +
         std::to_string(
             std::chrono::duration_cast<std::chrono::milliseconds>(r->after_body).count()) +
         " ms after the last byte)");
    if (c.last) length_declared_ = true;
    if (auto rs = r->Header("Seqgate-Receipt-Status")) out_.receipt_status = std::string(*rs);
    SEQGATE_RETURN_IF_ERROR(Persist());
    if (c.last && offset_ == c.end()) done_ = true;
    if (c.from_source && offset_ == c.end()) MaybeGrowPatches(c, r->after_body, took);
  }
  return Status::Ok();
}

void TusUploader::MaybeGrowPatches(const Chunk& c, std::chrono::steady_clock::duration wait,
                                   std::chrono::steady_clock::duration total) {
  if (c.last || patch_target_ >= spec_.max_patch_size) return;
  if (wait * 20 <= total - wait) return;
  // Four times at once: the chunk after this one is cut already, so each step shows only two
  // PATCHes later, and every PATCH until the right size pays the wait.
  patch_target_ = std::min(patch_target_ * 4, spec_.max_patch_size);
  queue_->SetPatchSize(patch_target_);
  using std::chrono::duration_cast, std::chrono::milliseconds;
  Note("PATCH size → " + std::to_string(patch_target_ >> 20) + " MiB: the answer came " +
       std::to_string(duration_cast<milliseconds>(wait).count()) + " ms after the last byte of a " +
       std::to_string(duration_cast<milliseconds>(total).count()) + " ms PATCH");
}

Status TusUploader::CheckSentAsHashed(const Chunk& c) {
  SEQGATE_ASSIGN_OR_RETURN(const Digest now, source_->Sha256Of(c.offset, c.length));
  if (c.sha256 && now == *c.sha256) return Status::Ok();
  return SourceChanged("the centre refused bytes " + std::to_string(c.offset) + ".." +
                       std::to_string(c.end()) + " of '" + spec_.source_path +
                       "' (460), which changed in place after they were packed (size and mtime "
                       "kept)");
}

Status TusUploader::FetchReceipt() {
  if (!verification_) {
    // Plain tus: the final HEAD is the only evidence there is.
    HttpRequest req{"HEAD", state_.upload_url, TusHeaders(), {}, 0};
    SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(req));
    if (r.status != 200 && r.status != 204) return Refused(r, "final HEAD");
    auto off = ParseUnsigned(r.Header("Upload-Offset").value_or(""));
    auto len = ParseUnsigned(r.Header("Upload-Length").value_or(""));
    if (!off || !len || *off != *len) {
      return HttpStatusError(502, "final HEAD does not show the whole upload");
    }
    offset_ = *off;
    out_.receipt = "{\"status\":\"sent\",\"upload_url\":\"" + state_.upload_url +
                   "\",\"offset\":" + std::to_string(*off) + ",\"length\":" + std::to_string(*len) +
                   "}";
    return Status::Ok();
  }
  HttpRequest req{"GET", state_.upload_url, {}, {}, 0};
  SEQGATE_ASSIGN_OR_RETURN(auto r, http_.Perform(req));
  out_.receipt_http = r.status;
  if (r.status == 202) return HttpStatusError(503, "the receipt is not ready yet");
  if (r.status != 200) return Refused(r, "GET receipt");
  out_.receipt = r.body;
  AdoptCentreMd5();
  return Status::Ok();
}

}  // namespace seqgate::transfer
