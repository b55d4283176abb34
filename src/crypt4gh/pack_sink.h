// Joins Crypt4GH to the pack pipeline: the pipeline's output stream (zstd frames and seek
// table, or the original bytes for pass-through formats) becomes the plaintext of one
// Crypt4GH object, whose bytes are hashed as they pass, for S3 and the inbox's checksums.
#pragma once

#include "common/hashing.h"
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

// Passes bytes on to `inner`, computing SHA-256 (and MD5 unless switched off: it costs as much
// as the encryption) of everything that passed.
class DigestingSink final : public ByteSink {
 public:
  explicit DigestingSink(ByteSink& inner, bool md5 = true) : inner_(inner), md5_on_(md5) {}
  Status Write(ByteView bytes) override {
    sha256_.Update(bytes);
    if (md5_on_) md5_.Update(bytes);
    size_ += bytes.size();
    return inner_.Write(bytes);
  }
  uint64_t size() const { return size_; }
  Digest FinishSha256() { return sha256_.Finish(); }
  // Only when constructed with md5 = true.
  Digest FinishMd5() { return md5_.Finish(); }

 private:
  ByteSink& inner_;
  Hasher sha256_{DigestAlgorithm::kSha256};
  Hasher md5_{DigestAlgorithm::kMd5};
  bool md5_on_;
  uint64_t size_ = 0;
};

}  // namespace seqgate::crypt4gh
