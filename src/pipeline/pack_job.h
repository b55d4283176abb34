// Internal to the pipeline: the per-file state machine that Pack() and Repack() run on the
// worker pool. Not part of the public interface (see packer.h).
//
// Frames move through: read (pread at a computed offset, so reads of different frames run in
// parallel) → compress (parallel) and, in strict frame order, three serial chains: SHA-256 of
// the original, MD5 of the original, and emission (sink + SHA-256 of the output). A bounded ring
// of frame slots is the backpressure: frame k may only be read once frame k - slots has left
// every stage, so memory never grows with the file.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "common/env.h"
#include "common/hashing.h"
#include "common/sha256_md5.h"
#include "pipeline/encoding.h"
#include "pipeline/frame_codec.h"
#include "pipeline/frame_record.h"
#include "pipeline/packer.h"
#include "pipeline/seek_table.h"
#include "pipeline/worker_pool.h"

namespace seqgate::pipeline {

struct PackJobSpec {
  const RandomAccessFile* file = nullptr;
  FileIdentity identity;  // as seen at open; any change during the read fails the job
  Encoding encoding = Encoding::kZstdSeekable;
  int level = 3;
  uint32_t frame_size = 0;
  unsigned slots = 4;
  uint32_t first_frame = 0;
  uint32_t end_frame = 0;     // one past the last frame to produce
  uint64_t output_base = 0;   // output offset of first_frame
  bool hash_original = true;  // SHA-256 (+MD5 when md5) of the original bytes
  bool md5 = true;
  bool hash_output = true;    // SHA-256 of the emitted bytes (FinishOutputSha256)
  const std::vector<FrameRecord>* expected = nullptr;  // Repack: records to match
};

class PackJob final : public PoolJob {
 public:
  PackJob(const PackJobSpec& spec, WorkerPool& pool, PackSink& sink);
  ~PackJob() override;

  bool RunOneStep() override;
  bool Done() const override;

  // After Done(): the first failure, or OK.
  Status status() const;
  // The original's SHA-256, and its MD5 when the spec asks for it.
  Sha256Md5::Digests FinishOriginal() { return original_.Finish(); }
  Digest FinishOutputSha256() { return sha_out_.Finish(); }
  // Output bytes emitted so far (frames only).
  uint64_t output_end() const { return output_end_; }
  // Seek-table entries of the frames emitted, in order (zstd only; 12 bytes per frame).
  const std::vector<SeekEntry>& seek_entries() const { return seek_entries_; }
  // Feeds bytes emitted after the frames (the trailer) into the output digest.
  void HashOutputTail(ByteView bytes) { sha_out_.Update(bytes); }
  // Tells the sink, if it shares the original's pass, that the pass is over (PackSink).
  void EndSharedPass() {
    if (hash_at_emit_) sink_.EndSharedPass();
  }

 private:
  struct Slot;
  Slot& SlotFor(uint32_t frame);
  void Fail(Status s);  // requires mu_ held
  bool DoReadAndCompress(uint32_t frame, std::unique_lock<std::mutex>& lk);
  Status ReadFrame(uint32_t frame, Slot& slot);
  Status CompressFrame(uint32_t frame, Slot& slot);
  Status EmitFrame(uint32_t frame, Slot& slot);
  void RetireIfDone(uint32_t frame);  // requires mu_ held

  const PackJobSpec spec_;
  WorkerPool& pool_;
  PackSink& sink_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> slots_;
  uint32_t next_read_;
  uint32_t hash_next_, emit_next_;
  bool hash_busy_ = false, emit_busy_ = false;
  int active_ = 0;  // steps in progress
  Status failure_;
  bool failed_ = false;

  // The sink shares the original's pass (PackSink::ShareOriginalPass): the emit chain hashes
  // each frame right after the sink took it, and the hash chain stays idle.
  bool hash_at_emit_ = false;

  // Touched only by the thread holding the matching *_busy_ flag (emit_busy_ when hash_at_emit_).
  Sha256Md5 original_;  // both digests in one pass (common/sha256_md5.h)
  Hasher sha_out_{DigestAlgorithm::kSha256};
  uint64_t output_end_;
  std::vector<SeekEntry> seek_entries_;
};

}  // namespace seqgate::pipeline
