// Large buffers recycled across files. The first write to a fresh page costs a fault and a
// zeroing (about 1.5 µs per 4 KiB on a virtual machine): at a gigabyte per second of frames
// and chunks that was a tenth of the daemon's CPU time. A buffer taken from here has its pages
// already in place. Idle buffers are capped, so what the process holds stays bounded by what
// it had in use at its peak plus the cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace seqgate {

class BufferPool {
 public:
  // Keeps at most `max_idle_bytes` of idle capacity; buffers given back beyond it are freed.
  explicit BufferPool(size_t max_idle_bytes);
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // The process-wide pool (512 MiB of idle capacity), never destroyed.
  static BufferPool& Shared();

  // Uninitialised bytes that are never zero-filled: only the pages written are ever touched.
  struct Raw {
    std::unique_ptr<uint8_t[]> data;
    size_t capacity = 0;
  };
  // A raw buffer of at least `capacity` bytes, idle or new (same fit rule as Take).
  Raw TakeRaw(size_t capacity);
  void Give(Raw buffer);

  // A buffer of size() == `size` and capacity() >= max(size, min_capacity). Its contents are
  // unspecified: callers overwrite what they use. Reuses an idle buffer whose capacity fits
  // without wasting more than half of it.
  std::vector<uint8_t> Take(size_t size, size_t min_capacity = 0);
  // Hands a buffer back for reuse. Thread-safe, like Take.
  void Give(std::vector<uint8_t> buffer);

  size_t idle_bytes() const;

 private:
  const size_t max_idle_;
  mutable std::mutex mu_;
  std::multimap<size_t, std::vector<uint8_t>> idle_;  // by capacity
  std::multimap<size_t, std::unique_ptr<uint8_t[]>> idle_raw_;
  size_t idle_bytes_ = 0;
};

}  // namespace seqgate
