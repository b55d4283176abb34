// Verifies an upload's bytes as they are acknowledged: for zstd-seekable it checks every frame
// and the seek table and hashes the decompressed original; for identity it hashes the bytes.
// A thin seam over pipeline::StreamVerifier so ingest code does not depend on how it works.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "common/bytes.h"
#include "common/hashing.h"
#include "common/status.h"
#include "ingest/declaration.h"

namespace seqgate::ingest {

struct VerifiedSummary {
  uint64_t original_size = 0;
  uint64_t packed_size = 0;
  Digest sha256;
  std::optional<Digest> md5;
  uint32_t frames = 0;
};

class ContentVerifier {
 public:
  virtual ~ContentVerifier() = default;

  // A verifier for `encoding`. It always computes MD5 as well as SHA-256 (on threads of their
  // own, so MD5 costs no extra time): an MD5 declared only on the completing PATCH then needs
  // no second pass over the data.
  static std::unique_ptr<ContentVerifier> Create(ContentEncoding encoding);

  // Feeds the next bytes of the upload, in order. kCorruption once the stream is known bad
  // (the verifier stays failed); kUnsupported if this build cannot verify the encoding.
  virtual Status Consume(ByteView bytes) = 0;

  // Feeds bytes [from, to) of the open file `fd` (the upload's data, already acknowledged), as
  // if passed to Consume. The pipelined verifier reads them on its own thread, so catching up
  // after a restart does not block the network thread.
  virtual Status ConsumeFileRange(int fd, uint64_t from, uint64_t to);

  // Calls `resume` once the verifier has room for more input (at once if it has). At most one
  // caller waits at a time: the upload's single writer.
  virtual void WhenDrained(std::function<void()> resume) { resume(); }

  // Ends the stream and compares with the expected digests (unset ones are not checked).
  // kCorruption with what differed.
  virtual Result<VerifiedSummary> Finish(const std::optional<Digest>& sha256,
                                         const std::optional<Digest>& md5) = 0;

  // Bytes consumed so far.
  virtual uint64_t consumed() const = 0;

  // The SHA-256 of a stretch of the upload computed in the verifier's own pass over it (see
  // pipeline::StreamVerifier::BeginChunkDigest): a PATCH's Upload-Checksum checked at no extra
  // cost. Starts at the current position; false, starting nothing, where this verifier cannot
  // (not identity, not on a 64-byte boundary, failed).
  virtual bool BeginChunkDigest() { return false; }
  // Ends the stretch at the current position. `done` gets its SHA-256 once every byte of it is
  // hashed, or nullopt if the verifier stops first; exactly once, from any thread. Requires a
  // BeginChunkDigest() that returned true.
  using ChunkDone = std::function<void(std::optional<Digest>)>;
  virtual void EndChunkDigest(ChunkDone done) { done(std::nullopt); }
  // Whether this verifier's encoding allows chunk digests at all.
  virtual bool CanChunkDigest() const { return false; }
};

}  // namespace seqgate::ingest
