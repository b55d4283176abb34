// The bounded hand-over between the pack pipeline and the uploader: a PackSink that gathers
// whole frames into PATCH-sized chunks (a chunk never splits a frame), hashes each chunk for
// Upload-Checksum on the producer side as frames arrive, and blocks the pipeline when the
// uploader is behind. A new chunk is only started once the uploader has taken every finished
// one, so memory is at most `capacity` + 1 chunks (2 by default: the one on the wire and the
// next), whatever the file size; buffers handed back with Recycle are reused.
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
  // Gives its buffers to the shared pool (common/buffer_pool.h) for the next upload.
  ~ChunkQueue() override;

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

  // Hands back the buffer of a chunk the uploader is done with (to the shared pool), so the
  // producer fills it again instead of faulting in fresh pages for every chunk. Thread-safe;
  // optional.
  void Recycle(std::vector<uint8_t> buffer);

 private:
  Status Append(ByteView bytes, const pipeline::FrameRecord* record);
  Status Open(uint64_t from, const pipeline::FrameRecord* record);  // starts cur_ at `from`
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
  std::optional<Hasher> hasher_;  // cur_'s SHA-256 so far (producer side only)

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> ready_;
  bool finished_ = false, aborted_ = false;
  Status producer_status_;
};

}  // namespace seqgate::transfer
