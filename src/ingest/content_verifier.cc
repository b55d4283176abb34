#include "ingest/content_verifier.h"

#ifdef SEQGATE_INGEST_WITH_PIPELINE
#include "common/env.h"
#include "pipeline/stream_verifier.h"
#endif

namespace seqgate::ingest {
namespace {

#ifdef SEQGATE_INGEST_WITH_PIPELINE
class PipelineVerifier final : public ContentVerifier {
 public:
  PipelineVerifier(ContentEncoding e, bool md5)
      : verifier_(e == ContentEncoding::kZstdSeekable ? pipeline::Encoding::kZstdSeekable
                                                      : pipeline::Encoding::kIdentity,
                  md5),
        md5_(md5) {}

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
  bool with_md5() const override { return md5_; }

 private:
  pipeline::StreamVerifier verifier_;
  bool md5_;
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
  HashingVerifier(ContentEncoding e, bool md5) : encoding_(e), md5_(md5) {
    if (md5) md5_hasher_.emplace(DigestAlgorithm::kMd5);
  }

  Status Consume(ByteView bytes) override {
    if (encoding_ != ContentEncoding::kIdentity) {
      return Unsupported("this build of seqgate-ingest cannot verify zstd-seekable uploads");
    }
    sha256_.Update(bytes);
    if (md5_hasher_) md5_hasher_->Update(bytes);
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
    s.sha256 = sha256_.Finish();
    if (md5_hasher_) s.md5 = md5_hasher_->Finish();
    if (sha256 && !(*sha256 == s.sha256)) return Corruption(Mismatch("sha256", *sha256, s.sha256));
    if (md5 && s.md5 && !(*md5 == *s.md5)) return Corruption(Mismatch("md5", *md5, *s.md5));
    return s;
  }

  uint64_t consumed() const override { return consumed_; }
  bool with_md5() const override { return md5_; }

 private:
  ContentEncoding encoding_;
  bool md5_;
  Hasher sha256_{DigestAlgorithm::kSha256};
  std::optional<Hasher> md5_hasher_;
  uint64_t consumed_ = 0;
};
#endif

}  // namespace

std::unique_ptr<ContentVerifier> ContentVerifier::Create(ContentEncoding encoding, bool with_md5) {
#ifdef SEQGATE_INGEST_WITH_PIPELINE
  return std::make_unique<PipelineVerifier>(encoding, with_md5);
#else
  return std::make_unique<HashingVerifier>(encoding, with_md5);
#endif
}

}  // namespace seqgate::ingest
