// One token bucket for every upload of the process: the rate in force (from a
// BandwidthSchedule) is shared by whoever is sending, so an idle upload's share goes to the
// busy ones and the sum stays under the cap. Transfers draw from it in curl's read callback
// (docs/transfer.md, "Bandwidth", says why this and not CURLOPT_MAX_SEND_SPEED_LARGE).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "transfer/bandwidth_schedule.h"

namespace seqgate::transfer {

class BandwidthLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // Test seams: the monotonic clock and the rate in force (bytes/s, 0 = unlimited).
  struct Seams {
    std::function<Clock::time_point()> now;
    std::function<uint64_t()> rate;
  };

  // Follows `schedule` (which must outlive the limiter), re-reading its rate once a second.
  explicit BandwidthLimiter(const BandwidthSchedule& schedule);
  // Same with a clock and rate source of the caller's choosing (unit tests step time).
  explicit BandwidthLimiter(Seams seams);
  BandwidthLimiter(const BandwidthLimiter&) = delete;
  BandwidthLimiter& operator=(const BandwidthLimiter&) = delete;

  // Takes up to `want` bytes' worth of tokens and returns how many it got: `want` when
  // unlimited, 0 when the caller must wait (WaitTime says how long). One grant never exceeds
  // a quarter of the bucket, so concurrent senders take turns. Thread-safe.
  uint64_t Acquire(uint64_t want);

  // How long until Acquire can grant something again (zero = now). Thread-safe.
  Clock::duration WaitTime();

  // The rate in force (bytes/s, 0 = unlimited), as the bucket last read it. Thread-safe.
  uint64_t rate();

 private:
  void Refill(Clock::time_point now);  // under mu_
  uint64_t Quantum() const;            // under mu_: the smallest grant worth a send

  Seams seams_;
  std::mutex mu_;
  uint64_t rate_ = 0;
  double tokens_ = 0;  // bytes that may be sent now; at most burst_
  double burst_ = 0;
  Clock::time_point last_{};
  Clock::time_point rate_read_{};
  bool started_ = false;
};

}  // namespace seqgate::transfer
