#include "transfer/chunk_queue.h"

#include <algorithm>

#include "common/buffer_pool.h"

namespace seqgate::transfer {

ChunkQueue::~ChunkQueue() {
  for (auto& c : ready_) BufferPool::Shared().Give(std::move(c.bytes));
  BufferPool::Shared().Give(std::move(cur_.bytes));
}

ChunkQueue::ChunkQueue(uint64_t start, uint64_t patch_size, bool checksum, size_t capacity,
                       uint64_t first_patch_size)
    : patch_size_(std::max<uint64_t>(patch_size, 1)),
      first_patch_size_(std::max<uint64_t>(std::min(first_patch_size, patch_size_), 1)),
      checksum_(checksum),
      capacity_(std::max<size_t>(capacity, 1)),
      pos_(0),
      start_(start) {}

Status ChunkQueue::OnFrame(const pipeline::FrameRecord& record, ByteView bytes) {
  // Frames may arrive from a Repack that starts mid-stream: its records place it.
  pos_ = record.output_offset;
  return Append(bytes, &record);
}

Status ChunkQueue::OnTrailer(ByteView bytes) { return Append(bytes, nullptr); }

Status ChunkQueue::Append(ByteView bytes, const pipeline::FrameRecord* record) {
  {
    std::lock_guard lock(mu_);
    if (aborted_) return Status(StatusCode::kAborted, "upload stopped");
  }
  const uint64_t at = pos_;
  pos_ += bytes.size();
  if (pos_ <= start_) return Status::Ok();  // the server already holds all of it
  if (at < start_) bytes = bytes.subspan(static_cast<size_t>(start_ - at));
  const uint64_t from = std::max(at, start_);
  // Whole frames only: close the chunk before a frame that would overflow it.
  const uint64_t limit = pushed_any_ ? patch_size_ : first_patch_size_;
  if (cur_open_ && record != nullptr && cur_.bytes.size() + bytes.size() > limit) {
    SEQGATE_RETURN_IF_ERROR(Push(false));
  }
  if (!cur_open_) SEQGATE_RETURN_IF_ERROR(Open(from, record));
  cur_.bytes.insert(cur_.bytes.end(), bytes.begin(), bytes.end());
  if (hasher_) hasher_->Update(bytes);  // while the bytes are still in cache
  if (record != nullptr) cur_.end_frame = record->index + 1;
  return Status::Ok();
}

Status ChunkQueue::Open(uint64_t from, const pipeline::FrameRecord* record) {
  const size_t reserve = static_cast<size_t>(std::min<uint64_t>(patch_size_, 256u << 20));
  {
    // Only once the finished chunks fit the queue, so this one never waits full in memory:
    // with capacity 1, one chunk on the wire and one being filled or ready.
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return aborted_ || ready_.size() < capacity_; });
    if (aborted_) return Status(StatusCode::kAborted, "upload stopped");
  }
  cur_ = Chunk{};
  // A buffer this or another upload filled before has its pages in place: no faults.
  cur_.bytes = BufferPool::Shared().Take(0, reserve);
  cur_.offset = from;
  cur_.first_frame = record != nullptr ? record->index : 0;
  cur_.end_frame = cur_.first_frame;
  if (checksum_) hasher_.emplace(DigestAlgorithm::kSha256);
  cur_open_ = true;
  return Status::Ok();
}

void ChunkQueue::Recycle(std::vector<uint8_t> buffer) {
  BufferPool::Shared().Give(std::move(buffer));
}

Status ChunkQueue::Push(bool last) {
  if (!cur_open_) SEQGATE_RETURN_IF_ERROR(Open(std::max(pos_, start_), nullptr));
  cur_.last = last;
  if (hasher_) cur_.sha256 = hasher_->Finish();
  hasher_.reset();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return aborted_ || ready_.size() < capacity_; });
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
  cv_.wait(lock, [&] { return aborted_ || !ready_.empty() || finished_; });
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
