// Streaming Crypt4GH encryption: plaintext in, header + 64 KiB sealed segments out, in bounded
// memory (one segment of plaintext, a batch of ciphertext).
//
// Deterministic by construction: segment k is sealed under the data key with nonce
// CounterNonce(segment_nonce_base, k), and the header is rebuilt from the persisted
// EncryptionParams (see resume_state.h). So encrypting from segment k after a restart gives
// byte-identical ciphertext for every segment, without touching segments 0..k-1.
#pragma once

#include <memory>
#include <vector>

#include "common/status.h"
#include "crypt4gh/byte_sink.h"
#include "crypt4gh/format.h"
#include "crypt4gh/header.h"
#include "crypt4gh/primitives.h"

namespace seqgate::crypt4gh {

// Everything that fixes an encrypted object's bytes for a given plaintext. Secret: persist it
// only through resume_state.h, never log it.
struct EncryptionParams {
  HeaderSpec header;           // data key, writer secret key, packet nonces, recipients
  Nonce segment_nonce_base{};  // segment k uses CounterNonce(segment_nonce_base, k)

  // Fresh random parameters (data key, ephemeral writer key, nonce bases) for `recipients`.
  static Result<EncryptionParams> Generate(std::vector<PublicKey> recipients);
};

class Encryptor {
 public:
  // Encrypts a stream whose first byte is plaintext offset first_segment × 64 KiB. With
  // first_segment 0 the header is written first; otherwise output starts at segment
  // first_segment's ciphertext offset, HeaderSize(recipients) + first_segment × 65564.
  static Result<std::unique_ptr<Encryptor>> Create(const EncryptionParams& params, ByteSink& sink,
                                                   uint64_t first_segment = 0);
  ~Encryptor();

  // Consumes plaintext; whole segments are sealed and passed to the sink.
  Status Write(ByteView plaintext);
  // Seals the last, partial segment (none if the plaintext ended on a segment boundary, an
  // empty input included) and flushes. No Write after Finish.
  Status Finish();

  // Output bytes passed to the sink so far (header included).
  uint64_t bytes_out() const { return bytes_out_; }
  // The next segment's index (segments sealed so far + first_segment).
  uint64_t next_segment() const { return segment_; }

 private:
  Encryptor(const EncryptionParams& params, ByteSink& sink, uint64_t first_segment);
  Status SealSegment(ByteView plaintext);
  Status Flush();

  SymmetricKey key_;
  Nonce nonce_base_;
  ByteSink& sink_;
  Aead aead_;
  uint64_t segment_;
  uint64_t bytes_out_ = 0;
  std::vector<uint8_t> plain_;  // partial segment, < 64 KiB
  std::vector<uint8_t> out_;    // sealed segments not yet passed on
  bool finished_ = false;
};

// Byte offsets of segment k, for resuming: where its plaintext starts, and where its
// ciphertext starts in an object whose header is `header_size` bytes.
constexpr uint64_t PlaintextOffsetOfSegment(uint64_t k) { return k * kSegmentSize; }
constexpr uint64_t CiphertextOffsetOfSegment(uint64_t k, uint64_t header_size) {
  return header_size + k * kSealedSegmentSize;
}

}  // namespace seqgate::crypt4gh
