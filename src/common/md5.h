// MD5 (RFC 1321), written here rather than taken from OpenSSL for one reason: two streams can
// share a core. MD5 is a chain of dependent steps, so one stream leaves most of a core's
// execution units idle; interleaving the steps of two streams runs both in little more time
// than one (measured ≈1.9× the throughput of OpenSSL's MD5 on one core). The centre verifies
// several files at once, and MD5 was its largest single cost. Md5Lanes pairs up whichever
// threads are hashing at the same moment; a thread alone hashes alone, as fast as OpenSSL.
// Where SHA-256 of the same bytes is wanted too, common/sha256_md5.h does better: with SHA-NI it
// hides SHA-256 entirely under one MD5 stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/bytes.h"
#include "common/hash_lanes.h"

namespace seqgate {

// The compression function over `blocks` 64-byte blocks: one stream, or two side by side.
void Md5Blocks(uint32_t state[4], const uint8_t* data, size_t blocks);
void Md5Blocks2(uint32_t state_a[4], const uint8_t* a, uint32_t state_b[4], const uint8_t* b,
                size_t blocks);

// MD5 over the shared lanes (common/hash_lanes.h): concurrent callers pair up, one hashing both
// streams interleaved while the other waits; a caller with nobody to pair with hashes alone.
// Callers block until their blocks are hashed. Thread-safe.
class Md5Lanes {
 public:
  static Md5Lanes& Shared();  // never destroyed

  // Hashes `blocks` 64-byte blocks at `data` into `state`, possibly on another thread.
  void Blocks(uint32_t state[4], const uint8_t* data, size_t blocks);

  // How many blocks were hashed two at a time, and alone (for tests and benchmarks).
  uint64_t paired_blocks() const { return lanes_.paired_blocks(); }
  uint64_t solo_blocks() const { return lanes_.solo_blocks(); }

 private:
  Md5Lanes();
  HashLanes lanes_;
};

// Streaming MD5 over Md5Lanes::Shared(). Not thread-safe; one per stream.
class Md5 {
 public:
  Md5() { Reset(); }
  void Update(ByteView data);
  // The 16-byte digest; the object starts a new stream afterwards.
  std::array<uint8_t, 16> Finish();

 private:
  void Reset();

  uint32_t state_[4];
  uint64_t length_ = 0;
  uint8_t buffer_[64];
  size_t buffered_ = 0;
};

}  // namespace seqgate
