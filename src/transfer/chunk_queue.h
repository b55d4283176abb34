// The bounded hand-over between the pack pipeline and the uploader: a PackSink that gathers
// whole frames into PATCH-sized chunks (a chunk never splits a frame), hashes each chunk for
// Upload-Checksum on the producer side, and blocks the pipeline when the uploader is behind.
// Memory is at most `capacity` + 2 chunks, whatever the file size.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "common/hashing.h"
#include "common/status.h"
#include "pipeline/packer.h"

namespace seqgate::transfer {

struct Chunk {
  uint64_t offset = 0;  // where bytes[0] goes in the packed stream
  std::vector<uint8_t> bytes;
  uint32_t first_frame = 0, end_frame = 0;  // frames [first, end) it holds (trailer aside)
  bool last = false;                        // ends the stream
  std::optional<Digest> sha256;             // of `bytes`, when checksums are on

  uint64_t end() const { return offset + bytes.size(); }
};

class ChunkQueue final : public pipeline::PackSink {
 public:
  // `start` = first stream offset the uploader wants: output before it is dropped (the
  // server already has it). `patch_size` is the target chunk size in bytes; the first chunk
  // closes at `first_patch_size` instead (when smaller) so bytes start moving before a whole
  // PATCH worth of frames has been packed.
  ChunkQueue(uint64_t start, uint64_t patch_size, bool checksum, size_t capacity = 1,
             uint64_t first_patch_size = UINT64_MAX);

  // PackSink: called by the pipeline, one at a time, in order.
  Status OnFrame(const pipeline::FrameRecord& record, ByteView bytes) override;
  Status OnTrailer(ByteView bytes) override;
  // Places the next emitted byte at stream offset `pos` (before a trailer sent on its own).
  void Seek(uint64_t pos) { pos_ = pos; }

  // The producer is done: `status` OK flushes the last chunk (marked last), otherwise the
  // consumer sees `status` once the queue drains.
  void Finish(const Status& status);
  // Makes blocked and future producer calls fail with kAborted (the consumer gave up).
  void Abort();

  // Blocks for the next chunk. kAborted after Abort(); the producer's failure if it failed.
  Result<Chunk> Next();

 private:
  Status Append(ByteView bytes, const pipeline::FrameRecord* record);
  Status Push(bool last);  // hands cur_ over, waiting for room

  const uint64_t patch_size_;
  const uint64_t first_patch_size_;
  bool pushed_any_ = false;
  const bool checksum_;
  const size_t capacity_;
  uint64_t pos_;  // stream offset of the next byte the producer emits
  const uint64_t start_;
  Chunk cur_;  // being filled (producer side only)
  bool cur_open_ = false;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> ready_;
  bool finished_ = false, aborted_ = false;
  Status producer_status_;
};

}  // namespace seqgate::transfer
