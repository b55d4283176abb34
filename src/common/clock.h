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

}  // namespace seqgate
