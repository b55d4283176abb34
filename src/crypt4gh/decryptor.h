// Streaming Crypt4GH decryption: ciphertext in (any chunking), authenticated plaintext out.
// Memory is bounded by the header limit (1 MiB) plus one segment, whatever the file size.
// Only segments whose tag verifies reach the sink; a tampered byte anywhere fails the stream.
#pragma once

#include <vector>

#include "common/status.h"
#include "crypt4gh/byte_sink.h"
#include "crypt4gh/header.h"
#include "crypt4gh/primitives.h"

namespace seqgate::crypt4gh {

class Decryptor {
 public:
  Decryptor(const SecretKey& reader_sk, ByteSink& sink) : sk_(reader_sk), sink_(sink) {}

  // Consumes ciphertext. Errors as ParseHeader for the header; kCorruption naming the segment
  // and its offset when a segment fails authentication.
  Status Write(ByteView ciphertext);
  // Ends the stream: decrypts the last, partial segment; kCorruption if the stream stopped
  // inside the header or inside a segment's nonce and tag. (A cut exactly at a segment
  // boundary cannot be seen by any Crypt4GH reader: the format has no end marker.)
  Status Finish();

  uint64_t plaintext_bytes() const { return plain_bytes_; }
  uint64_t segments() const { return segment_; }
  size_t header_size() const { return header_size_; }

 private:
  Status OpenSegment();

  SecretKey sk_;
  ByteSink& sink_;
  Aead aead_;
  std::vector<uint8_t> header_buf_;
  bool header_done_ = false;
  size_t header_size_ = 0;
  std::vector<SymmetricKey> keys_;
  size_t last_key_ = 0;
  std::vector<uint8_t> seg_;    // sealed bytes of the current segment
  std::vector<uint8_t> plain_;  // its plaintext
  uint64_t segment_ = 0;
  uint64_t plain_bytes_ = 0;
};

}  // namespace seqgate::crypt4gh
