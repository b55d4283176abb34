// A weekly bandwidth schedule: "20MB/s on weekdays 08:00-18:00, unlimited otherwise". The
// uploader asks for the rate in force now and applies it to every transfer it runs.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace seqgate::transfer {

struct BandwidthRule {
  uint8_t days = 0;            // bit 0 = Monday … bit 6 = Sunday
  int start_minute = 0;        // minutes since local midnight, inclusive
  int end_minute = 24 * 60;    // exclusive; a window never crosses midnight
  uint64_t bytes_per_sec = 0;  // 0 = unlimited
};

class BandwidthSchedule {
 public:
  // A flat cap (0 = unlimited) with no windows.
  explicit BandwidthSchedule(uint64_t default_bps = 0) : default_bps_(default_bps) {}

  // Parses "RATE" or "DAYS HH:MM-HH:MM RATE[; ...]" where DAYS is "Mon-Fri", "Sat,Sun",
  // "daily", RATE a byte size per second ("20MB/s", "0" = unlimited). Windows are
  // separated by ';'; a bare RATE item sets the default outside every window.
  // kInvalidArgument naming the bad item.
  static Result<BandwidthSchedule> Parse(std::string_view text);

  // The cap in force at local time `tm` (tm_wday, tm_hour, tm_min): the first matching window
  // wins, else the default. 0 = unlimited.
  uint64_t RateAt(const std::tm& local) const;
  // RateAt for the current local time.
  uint64_t RateNow() const;

  uint64_t default_bps() const { return default_bps_; }
  const std::vector<BandwidthRule>& rules() const { return rules_; }

 private:
  uint64_t default_bps_ = 0;
  std::vector<BandwidthRule> rules_;
};

}  // namespace seqgate::transfer
