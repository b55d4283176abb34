#include "pipeline/block_fanout.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace seqgate::pipeline {

BlockFanout::BlockFanout(std::vector<Consumer> consumers, size_t block_size, unsigned blocks)
    : block_size_(block_size),
      blocks_(blocks),
      consumers_(std::move(consumers)),
      // Uninitialised on purpose: every byte a consumer reads was written by the producer first.
      memory_(new uint8_t[block_size * blocks]),
      sizes_(blocks, 0),
      done_(consumers_.size(), 0) {
  assert(block_size > 0 && blocks > 0);
}

BlockFanout::~BlockFanout() {
  if (!stopped_) Abort();
}

uint64_t BlockFanout::OldestInUse() const {
  uint64_t oldest = published_;
  for (uint64_t d : done_) oldest = std::min(oldest, d);
  return oldest;
}

MutableByteView BlockFanout::TrySpace() {
  assert(!stopped_);
  if (!has_space_) {
    std::lock_guard lk(mu_);
    const uint64_t in_use = published_ - OldestInUse() + 1;  // + the block to fill
    if (in_use > blocks_) return {};
    peak_ = std::max(peak_, static_cast<unsigned>(in_use));
    has_space_ = true;
  }
  uint8_t* block = memory_.get() + (published_ % blocks_) * block_size_;
  return {block + fill_, block_size_ - fill_};
}

MutableByteView BlockFanout::Space() {
  assert(!stopped_);
  if (!has_space_) {
    std::unique_lock lk(mu_);
    space_cv_.wait(lk, [&] { return published_ - OldestInUse() < blocks_; });
  }
  return TrySpace();
}

void BlockFanout::Commit(size_t n) {
  assert(has_space_ && fill_ + n <= block_size_);
  fill_ += n;
  bytes_ += n;
  if (fill_ == block_size_) Publish();
}

void BlockFanout::Write(ByteView bytes) {
  while (!bytes.empty()) {
    MutableByteView space = Space();
    const size_t n = std::min(space.size(), bytes.size());
    std::memcpy(space.data(), bytes.data(), n);
    Commit(n);
    bytes = bytes.subspan(n);
  }
}

void BlockFanout::StartThreads() {
  threads_.reserve(consumers_.size());
  for (size_t i = 0; i < consumers_.size(); ++i) threads_.emplace_back([this, i] { Run(i); });
}

void BlockFanout::Publish() {
  if (fill_ == 0) return;
  if (threads_.empty()) StartThreads();
  {
    std::lock_guard lk(mu_);
    sizes_[published_ % blocks_] = fill_;
    ++published_;
  }
  ++published_count_;
  fill_ = 0;
  has_space_ = false;
  work_cv_.notify_all();
}

void BlockFanout::Run(size_t lane) {
  std::unique_lock lk(mu_);
  for (;;) {
    work_cv_.wait(lk, [&] { return aborting_ || closing_ || done_[lane] < published_; });
    if (aborting_ || done_[lane] == published_) return;  // aborted, or closing and drained
    const uint64_t block = done_[lane];
    const size_t slot = block % blocks_;
    const size_t size = sizes_[slot];
    lk.unlock();
    consumers_[lane]({memory_.get() + slot * block_size_, size});
    lk.lock();
    ++done_[lane];
    // The producer waits only for the oldest block, which this lane may just have released.
    if (done_[lane] == OldestInUse()) space_cv_.notify_one();
  }
}

void BlockFanout::Stop(bool abort) {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lk(mu_);
    closing_ = true;
    aborting_ = abort;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void BlockFanout::Finish() {
  assert(!stopped_);
  Publish();
  Stop(false);
}

void BlockFanout::Abort() { Stop(true); }

unsigned BlockFanout::peak_blocks() const {
  std::lock_guard lk(mu_);
  return peak_;
}

}  // namespace seqgate::pipeline
