// Wall-clock time as the journal, the bridge and logs record it: nanoseconds since the Unix
// epoch. Code that tests must steer takes a clock function instead of calling this.
#pragma once

#include <chrono>
#include <cstdint>

namespace seqgate {

inline int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The wall clock read once, at first use, then advanced by the monotonic clock: an epoch-based
// time that never jumps when the system clock is stepped (NTP, an operator, a bad RTC). For
// code that measures windows with it (settle, stall, scan intervals) yet also compares it with
// file times, which is off by no more than the steps since the process started.
inline int64_t SteadyWallNs() {
  static const int64_t wall0 = WallClockNs();
  static const auto steady0 = std::chrono::steady_clock::now();
  return wall0 + std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now() - steady0)
                     .count();
}

}  // namespace seqgate
