#include "crypt4gh/encryptor.h"

#include <algorithm>

namespace seqgate::crypt4gh {
namespace {

// Sealed segments are batched so the sink sees ~1 MiB writes, not 64 KiB ones.
constexpr size_t kBatchSegments = 16;

}  // namespace

Result<EncryptionParams> EncryptionParams::Generate(std::vector<PublicKey> recipients) {
  if (recipients.empty()) return InvalidArgument("Crypt4GH needs at least one recipient");
  EncryptionParams p;
  SEQGATE_RETURN_IF_ERROR(RandomBytes(p.header.data_key.mutable_view()));
  SEQGATE_ASSIGN_OR_RETURN(p.header.writer_sk, GenerateSecretKey());
  SEQGATE_RETURN_IF_ERROR(RandomBytes(p.header.packet_nonce_base));
  SEQGATE_RETURN_IF_ERROR(RandomBytes(p.segment_nonce_base));
  p.header.recipients = std::move(recipients);
  return p;
}

Encryptor::Encryptor(const EncryptionParams& params, ByteSink& sink, uint64_t first_segment)
    : key_(params.header.data_key),
      nonce_base_(params.segment_nonce_base),
      sink_(sink),
      segment_(first_segment) {
  plain_.reserve(kSegmentSize);
  out_.reserve(kBatchSegments * kSealedSegmentSize);
}

Encryptor::~Encryptor() { OPENSSL_cleanse(plain_.data(), plain_.size()); }

Result<std::unique_ptr<Encryptor>> Encryptor::Create(const EncryptionParams& params, ByteSink& sink,
                                                     uint64_t first_segment) {
  std::unique_ptr<Encryptor> e(new Encryptor(params, sink, first_segment));
  if (first_segment == 0) {
    SEQGATE_ASSIGN_OR_RETURN(const std::vector<uint8_t> header, BuildHeader(params.header));
    e->out_.insert(e->out_.end(), header.begin(), header.end());
  } else {
    // Validates the parameters the same way a fresh start would.
    SEQGATE_RETURN_IF_ERROR(BuildHeader(params.header).status());
  }
  return e;
}

Status Encryptor::SealSegment(ByteView plaintext) {
  const Nonce nonce = CounterNonce(nonce_base_, segment_);
  const size_t at = out_.size();
  out_.resize(at + plaintext.size() + kSegmentOverhead);
  std::copy(nonce.begin(), nonce.end(), out_.begin() + static_cast<std::ptrdiff_t>(at));
  SEQGATE_RETURN_IF_ERROR(aead_.Seal(
      key_, nonce, plaintext, {out_.data() + at + nonce.size(), plaintext.size() + kTagSize}));
  ++segment_;
  if (out_.size() >= kBatchSegments * kSealedSegmentSize) return Flush();
  return Status::Ok();
}

Status Encryptor::Flush() {
  if (out_.empty()) return Status::Ok();
  SEQGATE_RETURN_IF_ERROR(sink_.Write(out_));
  bytes_out_ += out_.size();
  out_.clear();
  return Status::Ok();
}

Status Encryptor::Write(ByteView data) {
  if (finished_) return Internal("Encryptor::Write after Finish");
  if (!plain_.empty()) {
    const size_t take = std::min(data.size(), kSegmentSize - plain_.size());
    plain_.insert(plain_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (plain_.size() < kSegmentSize) return Status::Ok();
    SEQGATE_RETURN_IF_ERROR(SealSegment(plain_));
    plain_.clear();
  }
  // Whole segments straight from the caller's buffer: no copy.
  while (data.size() >= kSegmentSize) {
    SEQGATE_RETURN_IF_ERROR(SealSegment(data.first(kSegmentSize)));
    data = data.subspan(kSegmentSize);
  }
  plain_.assign(data.begin(), data.end());
  return Status::Ok();
}

Status Encryptor::Finish() {
  if (finished_) return Internal("Encryptor::Finish called twice");
  finished_ = true;
  if (!plain_.empty()) {
    SEQGATE_RETURN_IF_ERROR(SealSegment(plain_));
    OPENSSL_cleanse(plain_.data(), plain_.size());
    plain_.clear();
  }
  return Flush();
}

}  // namespace seqgate::crypt4gh
