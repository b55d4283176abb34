#include "ingest/content_verifier.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#ifdef SEQGATE_INGEST_WITH_PIPELINE
#include "common/env.h"
#include "pipeline/stream_verifier.h"
#else
#include "common/sha256_md5.h"
#endif

namespace seqgate::ingest {

Status ReadRange(int fd, uint64_t from, uint64_t to, ContentVerifier& sink);

namespace {

#ifdef SEQGATE_INGEST_WITH_PIPELINE
class PipelineVerifier final : public ContentVerifier {
 public:
  explicit PipelineVerifier(ContentEncoding e)
      : identity_(e == ContentEncoding::kIdentity),
        verifier_(e == ContentEncoding::kZstdSeekable ? pipeline::Encoding::kZstdSeekable
                                                      : pipeline::Encoding::kIdentity,
                  /*compute_md5=*/true) {}

  Status Consume(ByteView bytes) override {
    if (!failed_.ok()) return failed_;
    failed_ = verifier_.Consume(bytes);
    consumed_ += bytes.size();
    return failed_;
  }

  Result<VerifiedSummary> Finish(const std::optional<Digest>& sha256,
                                 const std::optional<Digest>& md5) override {
    if (!failed_.ok()) return failed_;
    pipeline::ExpectedDigests expected;
    expected.sha256 = sha256;
    expected.md5 = md5;
    SEQGATE_ASSIGN_OR_RETURN(pipeline::VerifiedContent v, verifier_.Finish(expected));
    VerifiedSummary s;
    s.original_size = v.original_size;
    s.packed_size = v.packed_size;
    s.sha256 = v.original_sha256;
    s.md5 = v.original_md5;
    s.frames = v.frames;
    return s;
  }

  uint64_t consumed() const override { return consumed_; }

  bool CanChunkDigest() const override { return identity_; }
  bool BeginChunkDigest() override { return failed_.ok() && verifier_.BeginChunkDigest(); }
  void EndChunkDigest(ChunkDone done) override { verifier_.EndChunkDigest(std::move(done)); }

 private:
  bool identity_;
  pipeline::StreamVerifier verifier_;
  Status failed_;
  uint64_t consumed_ = 0;
};
#else

std::string Mismatch(const char* what, const Digest& want, const Digest& got) {
  return std::string(what) + " mismatch: expected " + want.hex() + ", got " + got.hex();
}

// Identity needs no decoder: hashing is all there is to it. Used for identity uploads when the
// pipeline library is absent, and to refuse zstd uploads in such a build.
class HashingVerifier final : public ContentVerifier {
 public:
  explicit HashingVerifier(ContentEncoding e) : encoding_(e) {}

  Status Consume(ByteView bytes) override {
    if (encoding_ != ContentEncoding::kIdentity) {
      return Unsupported("this build of seqgate-ingest cannot verify zstd-seekable uploads");
    }
    digests_.Update(bytes);
    consumed_ += bytes.size();
    return Status::Ok();
  }

  Result<VerifiedSummary> Finish(const std::optional<Digest>& sha256,
                                 const std::optional<Digest>& md5) override {
    if (encoding_ != ContentEncoding::kIdentity) {
      return Unsupported("this build of seqgate-ingest cannot verify zstd-seekable uploads");
    }
    VerifiedSummary s;
    s.original_size = s.packed_size = consumed_;
    Sha256Md5::Digests d = digests_.Finish();
    s.sha256 = d.sha256;
    s.md5 = d.md5;
    if (sha256 && !(*sha256 == s.sha256)) return Corruption(Mismatch("sha256", *sha256, s.sha256));
    if (md5 && s.md5 && !(*md5 == *s.md5)) return Corruption(Mismatch("md5", *md5, *s.md5));
    return s;
  }

  uint64_t consumed() const override { return consumed_; }

  bool CanChunkDigest() const override { return encoding_ == ContentEncoding::kIdentity; }
  bool BeginChunkDigest() override { return CanChunkDigest() && digests_.BeginSide(); }
  void EndChunkDigest(ChunkDone done) override {
    done(digests_.side_active() ? std::optional<Digest>(digests_.FinishSide()) : std::nullopt);
  }

 private:
  ContentEncoding encoding_;
  Sha256Md5 digests_;
  uint64_t consumed_ = 0;
};
#endif

// Runs another verifier on its own thread so that decompressing and hashing (the CPU-heavy
// part) overlaps with receiving and writing on the network thread. The queue is bounded, so a
// verifier that falls behind slows the sender down instead of growing memory.
class PipelinedVerifier final : public ContentVerifier {
 public:
  explicit PipelinedVerifier(std::unique_ptr<ContentVerifier> inner) : inner_(std::move(inner)) {}

  // Nobody asks a destroyed verifier for a result: what is still queued is dropped, and only
  // the piece the worker holds is finished (a restart after a discarded chunk waits no longer).
  ~PipelinedVerifier() override {
    std::deque<Piece> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
      dropped.swap(queue_);
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
    for (Piece& p : dropped) {
      if (p.fd >= 0) ::close(p.fd);
      if (p.chunk_done) p.chunk_done(std::nullopt);
    }
  }

  Status Consume(ByteView bytes) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
    // Started on first use: uploads that are only created or HEADed cost no thread.
    if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
    // Writers are expected to wait in WhenDrained; this only stops one that does not.
    space_.wait(lock, [&] { return queued_ + bytes.size() <= kHardLimit || queue_.empty(); });
    queue_.push_back(Piece{std::vector<uint8_t>(bytes.begin(), bytes.end()), -1, 0, 0, {}, {}});
    queued_ += bytes.size();
    consumed_ += bytes.size();
    cv_.notify_one();
    return Status::Ok();
  }

  Status ConsumeFileRange(int fd, uint64_t from, uint64_t to) override {
    if (from >= to) return Status::Ok();
    int own = ::dup(fd);  // the worker may still read after the caller closed its descriptor
    if (own < 0) return ErrnoStatus(errno, "dup", "upload data");
    std::unique_lock<std::mutex> lock(mu_);
    if (!error_.ok()) {
      ::close(own);
      return error_;
    }
    if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
    queue_.push_back(Piece{{}, own, from, to, {}, {}});
    consumed_ += to - from;
    cv_.notify_one();
    return Status::Ok();
  }

  void WhenDrained(std::function<void()> resume) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queued_ > kMaxQueued) {
        resume_ = std::move(resume);
        return;
      }
    }
    resume();
  }

  // Chunk marks travel in the queue, in order with the bytes, to the inner verifier.
  bool CanChunkDigest() const override { return inner_->CanChunkDigest(); }
  bool BeginChunkDigest() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok() || !inner_->CanChunkDigest() || consumed_ % 64 != 0) return false;
    if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
    queue_.push_back(Piece{{}, -1, 0, 0, Mark::kBegin, {}});
    cv_.notify_one();
    return true;
  }
  void EndChunkDigest(ChunkDone done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (error_.ok() && worker_.joinable()) {
        queue_.push_back(Piece{{}, -1, 0, 0, Mark::kEnd, std::move(done)});
        cv_.notify_one();
        return;
      }
    }
    done(std::nullopt);
  }

  Result<VerifiedSummary> Finish(const std::optional<Digest>& sha256,
                                 const std::optional<Digest>& md5) override {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return queue_.empty() && !busy_; });
    if (!error_.ok()) return error_;
    return inner_->Finish(sha256, md5);
  }

  uint64_t consumed() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return consumed_;
  }

 private:
  static constexpr size_t kMaxQueued = 16u << 20;  // writers pause above this
  static constexpr size_t kHardLimit = 64u << 20;  // Consume blocks above this

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing
      Piece piece = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      Status st;
      if (piece.mark == Mark::kBegin) {
        chunk_open_ = error_ok_ && inner_->BeginChunkDigest();
      } else if (piece.mark == Mark::kEnd) {
        if (error_ok_ && chunk_open_) {
          inner_->EndChunkDigest(std::move(piece.chunk_done));
        } else {
          piece.chunk_done(std::nullopt);
        }
        chunk_open_ = false;
      } else if (error_ok_ && piece.fd >= 0) {
        st = ReadRange(piece.fd, piece.from, piece.to, *inner_);
      } else if (error_ok_) {
        st = inner_->Consume(ByteView(piece.bytes.data(), piece.bytes.size()));
      }
      if (piece.fd >= 0) ::close(piece.fd);
      lock.lock();
      busy_ = false;
      queued_ -= piece.bytes.size();
      if (resume_ && queued_ <= kMaxQueued / 2) {
        std::function<void()> resume = std::move(resume_);
        resume_ = nullptr;
        lock.unlock();
        resume();  // posts to the writer's strand
        lock.lock();
      }
      if (!st.ok() && error_.ok()) {
        error_ = st;
        error_ok_ = false;
      }
      space_.notify_all();
    }
  }

  std::unique_ptr<ContentVerifier> inner_;
  mutable std::mutex mu_;
  std::condition_variable cv_;     // work available or closing
  std::condition_variable space_;  // queue shrank
  // Bytes to verify, or (fd >= 0) a range of the data file to read first, or a chunk mark.
  enum class Mark { kNone, kBegin, kEnd };
  struct Piece {
    std::vector<uint8_t> bytes;
    int fd;
    uint64_t from;
    uint64_t to;
    Mark mark;
    ChunkDone chunk_done;  // kEnd's
  };
  std::deque<Piece> queue_;
  size_t queued_ = 0;
  uint64_t consumed_ = 0;
  std::function<void()> resume_;  // a paused writer
  bool busy_ = false;
  bool closing_ = false;
  bool error_ok_ = true;  // only the worker reads it: avoids re-feeding a failed verifier
  bool chunk_open_ = false;  // worker only: the inner verifier took the last kBegin
  Status error_;
  std::thread worker_;
};

}  // namespace

// Reads [from, to) of `fd` in 1 MiB pieces into `sink`, dropping what is read from the page
// cache: the range is durable (acknowledged), everything before it was verified already, and
// the centre never reads upload data again — the finaliser renames the file. Caching it would
// only evict what others need, and recycled pages are much cheaper than fresh ones
// (docs/pipeline.md, "The centre's page cache"). The kernel drops only folios wholly inside
// the range, and large folios straddle piece boundaries, so each drop starts at 0.
Status ReadRange(int fd, uint64_t from, uint64_t to, ContentVerifier& sink) {
  std::vector<uint8_t> buf(1 << 20);
  while (from < to) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), to - from));
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(from));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read", "upload data");
    if (n == 0) return IoError("upload data is shorter than its acknowledged offset");
    SEQGATE_RETURN_IF_ERROR(sink.Consume(ByteView(buf.data(), static_cast<size_t>(n))));
    ::posix_fadvise(fd, 0, static_cast<off_t>(from) + n, POSIX_FADV_DONTNEED);
    from += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status ContentVerifier::ConsumeFileRange(int fd, uint64_t from, uint64_t to) {
  return ReadRange(fd, from, to, *this);
}

std::unique_ptr<ContentVerifier> ContentVerifier::Create(ContentEncoding encoding) {
#ifdef SEQGATE_INGEST_WITH_PIPELINE
  return std::make_unique<PipelinedVerifier>(std::make_unique<PipelineVerifier>(encoding));
#else
  return std::make_unique<PipelinedVerifier>(std::make_unique<HashingVerifier>(encoding));
#endif
}

}  // namespace seqgate::ingest
