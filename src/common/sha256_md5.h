// SHA-256 and, optionally, MD5 of one stream in one pass: what the packer and the centre's
// verifier compute over every original byte.
//
// Where the CPU has the SHA extensions (SHA-NI), one loop runs MD5's step chain and SHA-256's
// rounds side by side. MD5 is a single chain of dependent scalar operations that leaves most of a
// core's execution units idle; the SHA-NI rounds run in the vector units. Measured on the
// reference machine: both digests at 0.64 GB/s, the speed of MD5 alone, against 0.45 GB/s one
// after the other — SHA-256 becomes free. Streams hashing at the same moment pair up
// (common/hash_lanes.h): two on one core run at 1.04 GB/s together. Elsewhere it is OpenSSL's
// SHA-256 and our MD5 side by side (common/md5.h), with the same results.
#pragma once

#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "common/hashing.h"

namespace seqgate {

class Sha256Md5 {
 public:
  enum class Kernel {
    kBest,      // the fused loop when the CPU has SHA-NI, else two hashers
    kSeparate,  // two hashers always (the fallback; tests compare the two)
  };
  // Without `md5`, SHA-256 alone (SHA-NI where the CPU has it, else OpenSSL's).
  explicit Sha256Md5(bool md5 = true, Kernel kernel = Kernel::kBest);

  void Update(ByteView data);

  // Lets this stream's blocks wait up to HashLanes::kMaxPartnerWait for another stream's that
  // is due, to be hashed side by side (common/hash_lanes.h). Only for a thread that may sleep:
  // a thread of its own, never a worker pool's.
  void set_wait_for_partners(bool on) { wait_for_partners_ = on; }

  struct Digests {
    Digest sha256;
    std::optional<Digest> md5;  // when asked for
  };
  // The digests of everything given since construction or the last Finish(); starts a new
  // stream afterwards.
  Digests Finish();

  // A second SHA-256 over a stretch of the same stream (the side digest): a tus chunk's
  // Upload-Checksum inside the pass over the original that is made anyway — the centre's
  // verifier checking it, the uploader declaring it. The fused loop is bound by MD5's chain,
  // and a second set of SHA-NI rounds fits beside it: measured on the reference machine, the
  // three digests run at 0.55 GB/s against 0.57 for two. Without MD5 the two SHA-256 states
  // share one message schedule and hide each other's latency. Starts at the current position;
  // the SHA-NI loops (shani()) need it on a 64-byte boundary of the stream, and return false
  // (starting nothing) elsewhere. Replaces a side digest already running.
  bool BeginSide();
  // The SHA-256 of everything given since BeginSide(), which ends the side digest. Requires
  // side_active().
  Digest FinishSide();
  bool side_active() const { return side_; }

  // Whether this object runs the fused SHA-256 + MD5 loop.
  bool fused() const { return fused_; }
  // Whether it hashes with its own SHA-NI loops (fused, or SHA-256 alone), so a side digest
  // must start on a block boundary and shares the pass over each block.
  bool shani() const { return shani_; }
  // Whether this CPU can run it.
  static bool CpuHasShaNi();
  // Blocks hashed two streams at a time so far, process-wide (for tests and benchmarks).
  static uint64_t PairedBlocks();

 private:
  void Reset();
  void Blocks(const uint8_t* p, size_t blocks);  // whole blocks through the right kernel

  bool shani_;  // the state below is used (SHA-NI), not the hashers
  bool fused_;  // ... with MD5 fused in
  bool md5_on_;
  bool wait_for_partners_ = false;
  // The fused loop's state.
  uint32_t sha_[8];
  uint32_t md5_[4];
  uint64_t length_ = 0;
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  // The side digest: its own SHA-256 state over the same blocks (fused), or a hasher.
  bool side_ = false;
  uint32_t side_sha_[8];
  uint64_t side_length_ = 0;
  std::optional<Hasher> side_hasher_;
  // Two hashers otherwise (Hasher's MD5 is ours, common/md5.h).
  std::optional<Hasher> sha_hasher_;
  std::optional<Hasher> md5_hasher_;
};

}  // namespace seqgate
