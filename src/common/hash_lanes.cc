#include "common/hash_lanes.h"

#include <algorithm>

namespace seqgate {
namespace {
// Slices a lone hasher works through between looks for a partner (64 KiB: about 0.1 ms).
constexpr size_t kSliceBlocks = 1024;
}  // namespace

size_t HashLanes::HashPair(Job& mine, Job& other) {
  const size_t n = std::min(mine.blocks, other.blocks);
  two_(mine, other, n);
  mine.data += 64 * n;
  mine.blocks -= n;
  other.data += 64 * n;
  other.blocks -= n;
  return n;
}

HashLanes::Clock::time_point HashLanes::NoteArrival(const void* stream, Clock::time_point now) {
  // A pace slower than this is not worth waiting for; an arrival this late means it stopped.
  constexpr Clock::duration kSlowest = std::chrono::milliseconds(50);
  Pace* mine = nullptr;
  Pace* oldest = &paces_[0];
  Clock::time_point due = Clock::time_point::max();
  for (Pace& p : paces_) {
    if (p.stream == stream) {
      mine = &p;
    } else if (p.stream != nullptr && p.period > Clock::duration::zero() && p.period <= kSlowest &&
               now - p.last <= p.period + kMaxPartnerWait) {
      due = std::min(due, std::max(now, p.last + p.period));
    }
    if (p.last < oldest->last) oldest = &p;
  }
  if (mine == nullptr) {
    *oldest = Pace{stream, now, {}};
  } else {
    const Clock::duration gap = now - mine->last;
    // Smoothed 3:1 so one late block does not reset a steady pace.
    mine->period = mine->period == Clock::duration::zero() || gap > kSlowest
                       ? gap
                       : (3 * mine->period + gap) / 4;
    mine->last = now;
  }
  return due - now <= kMaxPartnerWait ? due : Clock::time_point::max();
}

void HashLanes::Run(Job& job) {
  Entry me{&job};
  std::unique_lock lock(mu_);
  Clock::time_point partner_due = Clock::time_point::max();
  if (job.stream != nullptr) partner_due = NoteArrival(job.stream, Clock::now());
  while (job.blocks != 0) {
    if (waiting_ != nullptr) {
      // Someone waits for a partner: hash both. Whatever is left of theirs goes back to them.
      Entry& other = *waiting_;
      waiting_ = nullptr;
      other.taken = true;
      lock.unlock();
      const size_t n = HashPair(job, *other.job);
      lock.lock();
      paired_ += 2 * n;
      other.taken = false;
      cv_.notify_all();
      continue;
    }
    if (solo_ == 0 && partner_due != Clock::time_point::max()) {
      // Another stream's block is due within kMaxPartnerWait: wait for it to take us (once).
      const Clock::time_point deadline =
          std::min(Clock::now() + kMaxPartnerWait, partner_due + kMaxPartnerWait / 4);
      partner_due = Clock::time_point::max();
      ++waits_;
      waiting_ = &me;
      cv_.wait_until(lock, deadline, [&] { return waiting_ != &me && !me.taken; });
      if (waiting_ == &me) waiting_ = nullptr;
      cv_.wait(lock, [&] { return !me.taken; });
      continue;
    }
    if (solo_ == 0) {
      // Nobody could partner us soon: hash alone, a slice at a time, pairing as soon as a
      // second stream turns up.
      ++solo_;
      while (job.blocks != 0 && waiting_ == nullptr) {
        const size_t n = std::min(job.blocks, kSliceBlocks);
        lock.unlock();
        one_(job, n);
        lock.lock();
        job.data += 64 * n;
        job.blocks -= n;
        alone_ += n;
      }
      --solo_;
      cv_.notify_all();  // a waiter with nobody left to pair with goes on alone
      continue;
    }
    // Another thread hashes alone: wait for it to take us, or to stop.
    waiting_ = &me;
    cv_.wait(lock, [&] { return !me.taken && (waiting_ != &me || solo_ == 0); });
    if (waiting_ == &me) waiting_ = nullptr;
  }
}

uint64_t HashLanes::paired_blocks() const {
  std::lock_guard lock(mu_);
  return paired_;
}

uint64_t HashLanes::solo_blocks() const {
  std::lock_guard lock(mu_);
  return alone_;
}

uint64_t HashLanes::partner_waits() const {
  std::lock_guard lock(mu_);
  return waits_;
}

}  // namespace seqgate
