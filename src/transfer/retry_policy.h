// When to try again: capped exponential backoff with full jitter (AWS "Exponential Backoff and
// Jitter"), stretched to honour a server's Retry-After. Whether to retry at all is decided by
// common/error_class.h, not here.
#pragma once

#include <chrono>
#include <optional>

namespace seqgate::transfer {

struct RetryPolicy {
  std::chrono::milliseconds base{500};   // ceiling of the first wait
  std::chrono::milliseconds cap{60000};  // no wait is longer (Retry-After excepted)
  unsigned max_attempts = 0;             // consecutive failures before giving up; 0 = never

  // The wait before retry number `attempt` (0 = first retry): uniform in
  // [0, min(cap, base·2^attempt)] driven by `unit` ∈ [0, 1), then at least `retry_after` when
  // the server sent one (a server asking for a pause gets it, even beyond the cap).
  std::chrono::milliseconds Delay(unsigned attempt, double unit,
                                  std::optional<std::chrono::seconds> retry_after) const;
  // The ceiling min(cap, base·2^attempt) that Delay draws under.
  std::chrono::milliseconds Ceiling(unsigned attempt) const;
};

// A uniform draw in [0, 1) from a per-thread generator seeded once from the OS.
double JitterUnit();

}  // namespace seqgate::transfer
