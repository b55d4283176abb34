// The pack pipeline: read a file once, hash the original (SHA-256, MD5), and turn it into the
// exact byte stream the centre receives — independent zstd frames plus a seek table, or the
// original bytes for already-compressed inputs — with a record per frame.
//
// Output is deterministic for a given input, level, frame size and zstd version, whatever the
// thread count: each frame is compressed alone with pinned parameters.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/hashing.h"
#include "common/sha256_md5.h"
#include "common/status.h"
#include "pipeline/encoding.h"
#include "pipeline/frame_record.h"
#include "pipeline/worker_pool.h"

namespace seqgate::pipeline {

struct PackOptions {
  int level = 3;                           // zstd level, 1..19
  uint32_t frame_size = 8u << 20;          // original bytes per frame (64 KiB .. 1 GiB)
  bool md5 = true;                         // archives ask for MD5; on unless switched off
  // SHA-256 of the packed stream (zstd only: identity output is the original, whose digest is
  // reused). Uploads never need it, so they skip the extra pass over the output.
  bool packed_sha256 = true;
  std::optional<Encoding> force_encoding;  // overrides detection (from EncodingPolicy)
  // Frames held in memory at once (read but not yet emitted). 0 = 2 × pool threads + 2.
  // Memory ≈ in_flight × 2 × frame_size, whatever the file size.
  unsigned max_in_flight = 0;

  // kInvalidArgument naming the bad field, or OK.
  Status Validate() const;
};

// Receives the output stream in order. Called from pool threads, one call at a time.
class PackSink {
 public:
  virtual ~PackSink() = default;
  // One frame's output bytes, with its record, in index order.
  virtual Status OnFrame(const FrameRecord& record, ByteView bytes) = 0;
  // The seek table trailer (zstd only), after the last frame.
  virtual Status OnTrailer(ByteView bytes) {
    (void)bytes;
    return Status::Ok();
  }
  // Identity packs only (Pack, not Repack): offers the sink the pass that hashes the original
  // — for identity, the output itself — for side digests of its own (Sha256Md5's BeginSide,
  // FinishSide, side_active; e.g. a tus chunk's Upload-Checksum in the same pass). Returning
  // true takes it: each frame's bytes are then hashed right after OnFrame returns for that
  // frame, and the sink may call those three on `pass` from inside OnFrame until EndSharedPass.
  virtual bool ShareOriginalPass(Sha256Md5& pass) {
    (void)pass;
    return false;
  }
  // After the last frame emitted was hashed (also when packing failed), before the pass ends:
  // the sink's last chance to finish a side digest. Only after ShareOriginalPass took it.
  virtual void EndSharedPass() {}
};

struct PackResult {
  Encoding encoding = Encoding::kIdentity;
  std::string detected_format;  // why identity was chosen ("cram", "forced", ...), else empty
  FileIdentity source;          // the identity the source kept from open to end of read
  uint64_t original_size = 0;
  Digest original_sha256;
  std::optional<Digest> original_md5;
  uint64_t packed_size = 0;  // whole output stream, trailer included
  std::optional<Digest> packed_sha256;  // unset when PackOptions::packed_sha256 is off (zstd)
  uint32_t frames = 0;
  uint64_t trailer_size = 0;
};

// Packs `path`. Fails with kSourceChanged if the file's size, mtime or inode changes while it
// is read (a digest of a moving file would be a lie), and never emits a trailer in that case.
Result<PackResult> Pack(Env& env, WorkerPool& pool, const std::string& path,
                        const PackOptions& options, PackSink& sink);

// Re-creates the output bytes of frames [first, last] of an earlier Pack of the same source
// (same options), for resuming an upload. Each regenerated frame is checked against its record
// (input hash, output size and hash); a mismatch means the source changed → kSourceChanged.
// `records` must hold at least the frames asked for, indexed by FrameRecord::index.
Status Repack(Env& env, WorkerPool& pool, const std::string& path, const PackOptions& options,
              Encoding encoding, const std::vector<FrameRecord>& records, uint32_t first,
              uint32_t last, PackSink& sink);

// The seek table trailer for an earlier pack, rebuilt from its records (zstd only).
std::vector<uint8_t> TrailerFromRecords(const std::vector<FrameRecord>& records);

}  // namespace seqgate::pipeline
