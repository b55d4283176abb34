// Hands one byte stream to several consumers at once, each on its own thread, through a bounded
// ring of blocks that the producer fills in place. Every consumer sees every byte, in order,
// from the same memory (no copies per consumer); a block is reused once every consumer has
// finished with it. Memory is `blocks` × `block_size` whatever the stream length, and a slow
// consumer holds the producer back instead of growing a queue.
//
// Used to run SHA-256 and MD5 of a decompressed stream side by side with the decompression
// (StreamVerifier), where they would otherwise run one after the other on one core.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/bytes.h"

namespace seqgate::pipeline {

class BlockFanout {
 public:
  // Called on the consumer's own thread with consecutive pieces of the stream. Must not throw.
  using Consumer = std::function<void(ByteView)>;

  // Threads start with the first block handed over, so an unused fan-out costs no thread.
  // Requires block_size > 0 and blocks > 0.
  BlockFanout(std::vector<Consumer> consumers, size_t block_size, unsigned blocks);
  // Abort()s unless Finish() ran.
  ~BlockFanout();
  BlockFanout(const BlockFanout&) = delete;
  BlockFanout& operator=(const BlockFanout&) = delete;

  // Writable room at the end of the block being filled (never empty); waits while every block
  // is still in use by some consumer. Not after Finish() or Abort().
  MutableByteView Space();
  // Like Space(), but returns an empty view instead of waiting.
  MutableByteView TrySpace();
  // Declares the first `n` bytes of the last Space() written; a full block goes to the
  // consumers. Requires n ≤ that space's size.
  void Commit(size_t n);
  // Copies `bytes` in through Space()/Commit().
  void Write(ByteView bytes);

  // Hands over the partly filled block now, if it holds anything, so the consumers see every
  // byte committed so far without waiting for the block to fill; writing goes on in the next
  // block. The flushed block occupies a whole slot until the consumers release it.
  void Flush() { Publish(); }
  // Blocks handed over so far (full or flushed): the index the next published block will have.
  // Producer side.
  uint64_t published_blocks() const { return published_count_; }

  // Hands over the partly filled block and returns once every consumer has seen every byte
  // and its thread has ended (so the caller may read what the consumers produced).
  void Finish();
  // Stops the consumers after the block each is on, without waiting for the rest; later
  // calls to anything but the destructor are not allowed.
  void Abort();

  // Bytes committed so far.
  uint64_t bytes() const { return bytes_; }
  // Most blocks ever held at once (filled or being filled, not yet released by every
  // consumer); never more than `blocks`.
  unsigned peak_blocks() const;

 private:
  void Publish();  // hands the current block to the consumers
  void Run(size_t lane);
  void StartThreads();
  void Stop(bool abort);
  uint64_t OldestInUse() const;  // requires mu_

  const size_t block_size_;
  const unsigned blocks_;
  std::vector<Consumer> consumers_;
  std::unique_ptr<uint8_t[]> memory_;
  std::vector<size_t> sizes_;  // bytes in each ring slot, set before the slot is published

  // Producer-only state.
  size_t fill_ = 0;         // bytes written into block `published_`
  bool has_space_ = false;  // block `published_` may be written (it is not in use)
  uint64_t bytes_ = 0;
  uint64_t published_count_ = 0;  // published_, without taking the lock
  bool stopped_ = false;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // consumers: a block was published, or stop
  std::condition_variable space_cv_;  // producer: a block was released
  uint64_t published_ = 0;      // blocks handed over; the next one fills slot published_ % blocks
  std::vector<uint64_t> done_;  // blocks each consumer has finished
  bool closing_ = false;        // no more blocks will come
  bool aborting_ = false;
  unsigned peak_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace seqgate::pipeline
