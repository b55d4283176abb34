// Joins Crypt4GH to the pack pipeline: the pipeline's output stream (zstd frames and seek
// table, or the original bytes for pass-through formats) becomes the plaintext of one
// Crypt4GH object, whose bytes are hashed as they pass, for S3 and the inbox's checksums.
#pragma once

#include "common/hashing.h"
#include "common/sha256_md5.h"
#include "crypt4gh/byte_sink.h"
#include "crypt4gh/encryptor.h"
#include "pipeline/packer.h"

namespace seqgate::crypt4gh {

// A PackSink that feeds every frame and the trailer, in order, to an Encryptor. The pipeline
// calls it one call at a time, so the Encryptor needs no lock.
class EncryptingPackSink final : public pipeline::PackSink {
 public:
  explicit EncryptingPackSink(Encryptor& encryptor) : encryptor_(encryptor) {}
  Status OnFrame(const pipeline::FrameRecord& record, ByteView bytes) override {
    (void)record;
    return encryptor_.Write(bytes);
  }
  Status OnTrailer(ByteView bytes) override { return encryptor_.Write(bytes); }

 private:
  Encryptor& encryptor_;
};

// Passes bytes on to `inner`, computing SHA-256 (and MD5 unless switched off) of everything
// that passed, both in one pass (common/sha256_md5.h).
class DigestingSink final : public ByteSink {
 public:
  explicit DigestingSink(ByteSink& inner, bool md5 = true) : inner_(inner), digests_(md5) {}
  Status Write(ByteView bytes) override {
    digests_.Update(bytes);
    size_ += bytes.size();
    return inner_.Write(bytes);
  }
  uint64_t size() const { return size_; }
  // After the last Write; may be called repeatedly.
  Digest FinishSha256() { return Finished().sha256; }
  // Only when constructed with md5 = true.
  Digest FinishMd5() { return Finished().md5.value_or(Digest{}); }

 private:
  const Sha256Md5::Digests& Finished() {
    if (!finished_) finished_ = digests_.Finish();
    return *finished_;
  }

  ByteSink& inner_;
  Sha256Md5 digests_;
  std::optional<Sha256Md5::Digests> finished_;
  uint64_t size_ = 0;
};

}  // namespace seqgate::crypt4gh
