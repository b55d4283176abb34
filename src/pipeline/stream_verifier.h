// Verifies a packed stream end to end as its bytes arrive: decompresses every zstd frame,
// hashes the original bytes (SHA-256, optional MD5) and, at the end, checks the seek table
// against the frames actually seen. The centre runs this on each upload; seqgatectl verify
// runs it on a file. Memory is bounded by one frame's decompression window, not the file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/env.h"
#include "common/hashing.h"
#include "common/status.h"
#include "pipeline/encoding.h"

namespace seqgate::pipeline {

struct VerifiedContent {
  Encoding encoding = Encoding::kIdentity;
  uint64_t original_size = 0;
  uint64_t packed_size = 0;
  Digest original_sha256;
  std::optional<Digest> original_md5;
  uint32_t frames = 0;  // zstd frames seen (0 for identity)
};

struct ExpectedDigests {
  std::optional<Digest> sha256;
  std::optional<Digest> md5;
};

class StreamVerifier {
 public:
  StreamVerifier(Encoding encoding, bool compute_md5);
  ~StreamVerifier();
  StreamVerifier(const StreamVerifier&) = delete;
  StreamVerifier& operator=(const StreamVerifier&) = delete;

  // Feeds the next bytes of the packed stream. kCorruption (naming the frame and the output
  // offset) as soon as the stream is known to be bad; the verifier is then unusable.
  Status Consume(ByteView bytes);

  // Ends the stream: checks it ended on a boundary, that the seek table is present, last, and
  // agrees with every frame, then compares digests with `expected` (fields left empty are not
  // checked). kCorruption saying what differed, e.g. "sha256 mismatch: expected …, got …".
  Result<VerifiedContent> Finish(const ExpectedDigests& expected);

  // A SHA-256 of a stretch of the stream computed in the hash thread's own pass (the side
  // digest of common/sha256_md5.h): the centre checks a tus chunk's Upload-Checksum with it
  // instead of hashing the chunk a second time. Identity streams only (their packed bytes are
  // the original), starting on a 64-byte boundary of the stream; returns false, starting
  // nothing, otherwise or once the verifier has failed. One stretch at a time.
  bool BeginChunkDigest();
  // Ends the stretch at the current position. `done` receives its SHA-256 once the hash
  // thread has hashed every byte of it, or nullopt if the verifier stops first (failure,
  // destruction); it is called exactly once, on the hash thread or the caller's. Requires a
  // BeginChunkDigest() that returned true.
  using ChunkDone = std::function<void(std::optional<Digest>)>;
  void EndChunkDigest(ChunkDone done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Verifies a whole packed file with StreamVerifier. Encoding nullopt = detect: a stream that
// ends with the seekable footer is zstd-seekable, anything else identity.
Result<VerifiedContent> VerifyPackedFile(Env& env, const std::string& path,
                                         std::optional<Encoding> encoding, bool compute_md5,
                                         const ExpectedDigests& expected);

}  // namespace seqgate::pipeline
