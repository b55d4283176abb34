// Pairs up threads that hash at the same moment, so one core runs two streams through a
// two-stream kernel. MD5 is one chain of dependent steps: a stream alone leaves most of a core's
// execution units idle, and interleaving two streams' steps runs both in little more time than
// one (common/md5.h, common/sha256_md5.h).
//
// A thread with nobody to pair with hashes alone, a slice at a time, and takes on a second
// stream as soon as one arrives; the arriving thread sleeps while its partner hashes both.
//
// Streams that arrive in turns rarely meet by chance: the centre's verifiers hash each upload's
// 1 MiB blocks as they are decoded, milliseconds apart. A job that names its stream may
// therefore wait briefly for a partner that is due — one whose stream has been arriving at a
// steady pace and whose next block is expected within kMaxPartnerWait. The wait costs no CPU;
// only threads that may sleep (a verifier's own hash thread, not a worker pool's) name streams.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace seqgate {

class HashLanes {
 public:
  // One stream's work: `blocks` 64-byte blocks at `data`. Kernels receive the Job they were
  // given to Run (a type derived from this one, carrying the hash state) and may cast to it.
  struct Job {
    const uint8_t* data = nullptr;
    size_t blocks = 0;
    // Identifies the stream across Runs (e.g. its hash state); null = never wait for a partner.
    const void* stream = nullptr;
  };
  // Hash the first n blocks of one job, or of two jobs side by side. They do not advance them.
  using One = void (*)(Job& job, size_t n);
  using Two = void (*)(Job& a, Job& b, size_t n);

  HashLanes(One one, Two two) : one_(one), two_(two) {}
  HashLanes(const HashLanes&) = delete;
  HashLanes& operator=(const HashLanes&) = delete;

  // Hashes all of `job`'s blocks, possibly on another thread; returns when they are done.
  // Thread-safe.
  void Run(Job& job);

  // How many blocks were hashed two at a time, and alone (for tests and benchmarks).
  uint64_t paired_blocks() const;
  uint64_t solo_blocks() const;
  // How many times a job waited for a partner that was due (for tests).
  uint64_t partner_waits() const;

  // The longest a named stream waits for a partner that is due.
  static constexpr std::chrono::milliseconds kMaxPartnerWait{10};

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    Job* job;
    bool taken = false;  // another thread is hashing it: its owner must wait
  };
  // When named streams last arrived, and their pace (time between arrivals, smoothed).
  struct Pace {
    const void* stream = nullptr;
    Clock::time_point last{};
    Clock::duration period{};
  };
  size_t HashPair(Job& mine, Job& other);  // the blocks hashed in each
  // Records `stream`'s arrival at `now`; returns when another stream's next block is due
  // (Clock::time_point::max() when none is expected soon).
  Clock::time_point NoteArrival(const void* stream, Clock::time_point now);

  const One one_;
  const Two two_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Entry* waiting_ = nullptr;  // a job whose owner waits for a partner
  int solo_ = 0;              // threads hashing alone (a partner may come from them)
  uint64_t paired_ = 0, alone_ = 0, waits_ = 0;
  Pace paces_[8];
};

}  // namespace seqgate
