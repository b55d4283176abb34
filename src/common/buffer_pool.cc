#include "common/buffer_pool.h"

#include <algorithm>

namespace seqgate {

BufferPool::BufferPool(size_t max_idle_bytes) : max_idle_(max_idle_bytes) {}

BufferPool& BufferPool::Shared() {
  // Leaked on purpose: buffers may come back from threads still running at exit.
  static BufferPool* pool = new BufferPool(size_t{512} << 20);
  return *pool;
}

namespace {
// Takes the smallest idle entry of `idle` that holds `want` bytes without wasting more than half
// of it (not a 64 MiB chunk buffer for a 1 MiB frame: that would pin memory nobody uses).
template <typename T>
bool TakeFitting(std::multimap<size_t, T>& idle, size_t want, T* out, size_t* capacity) {
  auto it = idle.lower_bound(want);
  if (it == idle.end() || it->first / 2 > want) return false;
  *capacity = it->first;
  *out = std::move(it->second);
  idle.erase(it);
  return true;
}
}  // namespace

BufferPool::Raw BufferPool::TakeRaw(size_t capacity) {
  Raw raw;
  {
    std::lock_guard lock(mu_);
    if (TakeFitting(idle_raw_, capacity, &raw.data, &raw.capacity)) {
      idle_bytes_ -= raw.capacity;
      return raw;
    }
  }
  raw.data.reset(new uint8_t[capacity]);  // default-initialised: no pages touched yet
  raw.capacity = capacity;
  return raw;
}

void BufferPool::Give(Raw buffer) {
  if (!buffer.data || buffer.capacity == 0) return;
  std::lock_guard lock(mu_);
  if (idle_bytes_ + buffer.capacity > max_idle_) return;
  idle_bytes_ += buffer.capacity;
  idle_raw_.emplace(buffer.capacity, std::move(buffer.data));
}

std::vector<uint8_t> BufferPool::Take(size_t size, size_t min_capacity) {
  const size_t want = std::max(size, min_capacity);
  std::vector<uint8_t> buffer;
  {
    std::lock_guard lock(mu_);
    size_t capacity = 0;
    if (TakeFitting(idle_, want, &buffer, &capacity)) idle_bytes_ -= capacity;
  }
  if (buffer.capacity() < want) buffer.reserve(want);
  // Shrinking keeps the capacity and writes nothing; growing zero-fills only the new part.
  buffer.resize(size);
  return buffer;
}

void BufferPool::Give(std::vector<uint8_t> buffer) {
  const size_t capacity = buffer.capacity();
  if (capacity == 0) return;
  std::lock_guard lock(mu_);
  if (idle_bytes_ + capacity > max_idle_) return;  // freed as `buffer` goes out of scope
  idle_bytes_ += capacity;
  idle_.emplace(capacity, std::move(buffer));
}

size_t BufferPool::idle_bytes() const {
  std::lock_guard lock(mu_);
  return idle_bytes_;
}

}  // namespace seqgate
