#include "transfer/chunk_queue.h"

#include <algorithm>

#include "common/buffer_pool.h"

namespace seqgate::transfer {

ChunkQueue::~ChunkQueue() {
  for (auto& c : ready_) BufferPool::Shared().Give(std::move(c.bytes));
  BufferPool::Shared().Give(std::move(cur_.bytes));
}

ChunkQueue::ChunkQueue(const ChunkQueueOptions& options) : o_([&] {
  ChunkQueueOptions o = options;
  o.patch_size = std::max<uint64_t>(o.patch_size, 1);
  o.first_patch_size = std::max<uint64_t>(std::min(o.first_patch_size, o.patch_size), 1);
  o.capacity = std::max<size_t>(o.capacity, 1);
  return o;
}()),
      patch_size_(o_.patch_size) {}

Status ChunkQueue::OnFrame(const pipeline::FrameRecord& record, ByteView bytes) {
  // Frames may arrive from a Repack that starts mid-stream: its records place it.
  pos_ = record.output_offset;
  return Append(bytes, &record);
}

Status ChunkQueue::OnTrailer(ByteView bytes) { return Append(bytes, nullptr); }

bool ChunkQueue::ShareOriginalPass(Sha256Md5& pass) {
  if (!o_.checksum) return false;
  pass_ = &pass;
  return true;
}

void ChunkQueue::EndSharedPass() {
  if (on_pass_) side_digest_ = pass_->FinishSide();  // every byte of cur_ is hashed by now
  pass_ = nullptr;
}

Status ChunkQueue::Append(ByteView bytes, const pipeline::FrameRecord* record) {
  bool wanted = false;  // the uploader waits for a chunk with nothing ready
  {
    std::lock_guard lock(mu_);
    if (aborted_) return Status(StatusCode::kAborted, "upload stopped");
    wanted = consumer_waiting_ && ready_.empty();
  }
  const uint64_t at = pos_;
  pos_ += bytes.size();
  if (pos_ <= o_.start) return Status::Ok();  // the server already holds all of it
  if (at < o_.start) bytes = bytes.subspan(static_cast<size_t>(o_.start - at));
  const uint64_t from = std::max(at, o_.start);
  // Whole frames only: close the chunk before a frame that would overflow it.
  const uint64_t limit = pushed_any_ ? patch_size_.load() : o_.first_patch_size;
  // A chunk grown past the base PATCH size also closes early when the uploader would
  // otherwise wait for it: its checksum goes before its body, so the wire would idle while the
  // rest of a large chunk is hashed.
  const bool early = wanted && pushed_any_ && cur_.length >= o_.patch_size;
  if (cur_open_ && record != nullptr && (cur_.length + bytes.size() > limit || early)) {
    SEQGATE_RETURN_IF_ERROR(Push(false));
  }
  if (!cur_open_) SEQGATE_RETURN_IF_ERROR(Open(from, record, from == at));
  if (!o_.from_source) cur_.bytes.insert(cur_.bytes.end(), bytes.begin(), bytes.end());
  cur_.length += bytes.size();
  if (hasher_) hasher_->Update(bytes);  // while the bytes are still in cache
  if (record != nullptr) cur_.end_frame = record->index + 1;
  return Status::Ok();
}

Status ChunkQueue::Open(uint64_t from, const pipeline::FrameRecord* record, bool at_frame_start) {
  {
    // Only once the finished chunks fit the queue, so this one never waits full in memory:
    // with capacity 1, one chunk on the wire and one being filled or ready.
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return aborted_ || ready_.size() < o_.capacity; });
    if (aborted_) return Status(StatusCode::kAborted, "upload stopped");
  }
  cur_ = Chunk{};
  if (!o_.from_source) {
    // A buffer this or another upload filled before has its pages in place: no faults.
    const size_t reserve = static_cast<size_t>(std::min<uint64_t>(o_.patch_size, 256u << 20));
    cur_.bytes = BufferPool::Shared().Take(0, reserve);
  }
  cur_.from_source = o_.from_source;
  cur_.offset = from;
  cur_.first_frame = record != nullptr ? record->index : 0;
  cur_.end_frame = cur_.first_frame;
  // The packer's pass hashes a frame after OnFrame returns, so a side digest begun now covers
  // this frame from its first byte — unless the chunk starts inside it (a resume point).
  on_pass_ = o_.checksum && pass_ != nullptr && at_frame_start && pass_->BeginSide();
  if (o_.checksum && !on_pass_) hasher_.emplace(DigestAlgorithm::kSha256);
  cur_open_ = true;
  return Status::Ok();
}

std::optional<Digest> ChunkQueue::FinishDigest() {
  std::optional<Digest> d;
  if (hasher_) {
    d = hasher_->Finish();
  } else if (on_pass_ && pass_ != nullptr) {
    d = pass_->FinishSide();  // frames before the current one are hashed
  } else if (on_pass_) {
    d = side_digest_;  // the pass ended with this chunk open (EndSharedPass)
  }
  hasher_.reset();
  on_pass_ = false;
  side_digest_.reset();
  return d;
}

void ChunkQueue::Recycle(std::vector<uint8_t> buffer) {
  BufferPool::Shared().Give(std::move(buffer));
}

Status ChunkQueue::Push(bool last) {
  if (!cur_open_) {
    SEQGATE_RETURN_IF_ERROR(Open(std::max(pos_, o_.start), nullptr, /*at_frame_start=*/false));
  }
  cur_.last = last;
  cur_.sha256 = FinishDigest();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return aborted_ || ready_.size() < o_.capacity; });
  if (aborted_) return Status(StatusCode::kAborted, "upload stopped");
  ready_.push_back(std::move(cur_));
  cur_open_ = false;
  pushed_any_ = true;
  cv_.notify_all();
  return Status::Ok();
}

void ChunkQueue::Finish(const Status& status) {
  Status st = status;
  if (st.ok()) {
    st = Push(true);  // opens an empty last chunk when nothing is left: it says where it ends
  }
  std::lock_guard lock(mu_);
  finished_ = true;
  if (!st.ok() && producer_status_.ok()) producer_status_ = st;
  cv_.notify_all();
}

void ChunkQueue::Abort() {
  std::lock_guard lock(mu_);
  aborted_ = true;
  cv_.notify_all();
}

Result<Chunk> ChunkQueue::Next() {
  std::unique_lock lock(mu_);
  consumer_waiting_ = true;
  cv_.wait(lock, [&] { return aborted_ || !ready_.empty() || finished_; });
  consumer_waiting_ = false;
  if (aborted_) return Status(StatusCode::kAborted, "upload stopped");
  if (!ready_.empty()) {
    Chunk c = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return c;
  }
  if (!producer_status_.ok()) return producer_status_;
  return Internal("chunk queue finished without a last chunk");
}

}  // namespace seqgate::transfer
