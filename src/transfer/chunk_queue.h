// The bounded hand-over between the pack pipeline and the uploader: a PackSink that gathers
// whole frames into PATCH-sized chunks (a chunk never splits a frame), hashes each chunk for
// Upload-Checksum on the producer side as frames arrive, and blocks the pipeline when the
// uploader is behind. A new chunk is only started once the uploader has taken every finished
// one, so at most `capacity` + 1 chunks are ahead of the wire (2 by default: the one on the
// wire and the next), whatever the file size.
//
// A chunk either holds its bytes (buffers handed back with Recycle are reused), or — for an
// identity stream, which is the source file itself — only says where they lie in the source,
// and the uploader reads them from there as it sends (no copy, no buffer; the chunk's checksum,
// taken from the bytes the packer read, catches a source that changed in between). Its
// checksum then comes from the packer's own pass over the original when it shares it
// (PackSink::ShareOriginalPass), so the bytes are hashed once for both digests.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "common/hashing.h"
#include "common/sha256_md5.h"
#include "common/status.h"
#include "pipeline/packer.h"

namespace seqgate::transfer {

struct Chunk {
  uint64_t offset = 0;            // where the chunk starts in the packed stream
  uint64_t length = 0;            // its size in bytes
  std::vector<uint8_t> bytes;     // the bytes, unless from_source
  // The bytes are the source file's at [offset, offset + length) (identity streams).
  bool from_source = false;
  uint32_t first_frame = 0, end_frame = 0;  // frames [first, end) it holds (trailer aside)
  bool last = false;                        // ends the stream
  std::optional<Digest> sha256;             // of the bytes, when checksums are on

  uint64_t end() const { return offset + length; }
};

struct ChunkQueueOptions {
  // First stream offset the uploader wants: output before it is dropped (the server has it).
  uint64_t start = 0;
  uint64_t patch_size = 64ull << 20;  // target chunk size in bytes
  // The first chunk closes here instead (when smaller), so bytes start moving before a whole
  // PATCH worth of frames has been packed.
  uint64_t first_patch_size = UINT64_MAX;
  bool checksum = false;  // SHA-256 of each chunk (Upload-Checksum)
  // Chunks carry no bytes, only their place in the source: for identity streams only.
  bool from_source = false;
  size_t capacity = 1;  // finished chunks waiting for the uploader
};

class ChunkQueue final : public pipeline::PackSink {
 public:
  explicit ChunkQueue(const ChunkQueueOptions& options);
  // Gives its buffers to the shared pool (common/buffer_pool.h) for the next upload.
  ~ChunkQueue() override;

  // PackSink: called by the pipeline, one at a time, in order.
  Status OnFrame(const pipeline::FrameRecord& record, ByteView bytes) override;
  Status OnTrailer(ByteView bytes) override;
  // Takes the packer's pass when chunks are checksummed (see above).
  bool ShareOriginalPass(Sha256Md5& pass) override;
  void EndSharedPass() override;
  // Changes the target size of chunks from the next frame on (the uploader grows PATCHes of
  // from_source chunks while their answers cost a noticeable share of their time). Thread-safe.
  void SetPatchSize(uint64_t bytes) { patch_size_ = std::max<uint64_t>(bytes, 1); }
  // Places the next emitted byte at stream offset `pos` (before a trailer sent on its own).
  void Seek(uint64_t pos) { pos_ = pos; }

  // The producer is done: `status` OK flushes the last chunk (marked last), otherwise the
  // consumer sees `status` once the queue drains.
  void Finish(const Status& status);
  // Makes blocked and future producer calls fail with kAborted (the consumer gave up).
  void Abort();

  // Blocks for the next chunk. kAborted after Abort(); the producer's failure if it failed.
  Result<Chunk> Next();

  // Whether the consumer is blocked in Next() with nothing ready (for tests).
  bool ConsumerWaiting() {
    std::lock_guard lock(mu_);
    return consumer_waiting_ && ready_.empty();
  }

  // Hands back the buffer of a chunk the uploader is done with (to the shared pool), so the
  // producer fills it again instead of faulting in fresh pages for every chunk. Thread-safe;
  // optional.
  void Recycle(std::vector<uint8_t> buffer);

 private:
  Status Append(ByteView bytes, const pipeline::FrameRecord* record);
  // Starts cur_ at `from`; `at_frame_start` = before any of a frame's bytes were hashed.
  Status Open(uint64_t from, const pipeline::FrameRecord* record, bool at_frame_start);
  Status Push(bool last);  // hands cur_ over, waiting for room
  std::optional<Digest> FinishDigest();  // cur_'s checksum, however it was taken

  const ChunkQueueOptions o_;
  std::atomic<uint64_t> patch_size_;
  bool pushed_any_ = false;
  uint64_t pos_ = 0;  // stream offset of the next byte the producer emits
  Chunk cur_;         // being filled (producer side only)
  bool cur_open_ = false;
  // cur_'s SHA-256 so far (producer side only): a hasher of its own, or the side digest of the
  // packer's pass (pass_, until EndSharedPass; side_digest_ once it ended).
  std::optional<Hasher> hasher_;
  Sha256Md5* pass_ = nullptr;
  bool on_pass_ = false;
  std::optional<Digest> side_digest_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> ready_;
  bool finished_ = false, aborted_ = false;
  bool consumer_waiting_ = false;  // in Next() (see Append)
  Status producer_status_;
};

}  // namespace seqgate::transfer
