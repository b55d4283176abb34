#include "transfer/bandwidth_schedule.h"

#include <doctest/doctest.h>

namespace seqgate::transfer {
namespace {

std::tm At(int wday, int hour, int minute) {
  std::tm t{};
  t.tm_wday = wday;  // 0 = Sunday
  t.tm_hour = hour;
  t.tm_min = minute;
  return t;
}

TEST_CASE("weekday office hours are capped, nights and weekends are not") {
  auto s = BandwidthSchedule::Parse("Mon-Fri 08:00-18:00 20MB/s; unlimited");
  REQUIRE(s.ok());
  CHECK(s->RateAt(At(1, 8, 0)) == 20000000u);    // Monday 08:00: inside
  CHECK(s->RateAt(At(5, 17, 59)) == 20000000u);  // Friday 17:59
  CHECK(s->RateAt(At(5, 18, 0)) == 0u);          // 18:00 is outside (end exclusive)
  CHECK(s->RateAt(At(3, 7, 59)) == 0u);
  CHECK(s->RateAt(At(6, 12, 0)) == 0u);  // Saturday
  CHECK(s->RateAt(At(0, 12, 0)) == 0u);  // Sunday
}

TEST_CASE("a flat rate, day lists, wrap-around ranges, first match wins") {
  auto flat = BandwidthSchedule::Parse("5MiB/s");
  REQUIRE(flat.ok());
  CHECK(flat->RateAt(At(2, 3, 0)) == 5u * 1024 * 1024);

  auto s = BandwidthSchedule::Parse("Sat-Mon 00:00-24:00 1MB/s; Mon 09:00-10:00 2MB/s; 10MB/s");
  REQUIRE(s.ok());
  CHECK(s->RateAt(At(0, 23, 59)) == 1000000u);  // Sunday, via the Sat-Mon wrap
  CHECK(s->RateAt(At(1, 9, 30)) == 1000000u);   // Monday: the first rule wins
  CHECK(s->RateAt(At(2, 9, 30)) == 10000000u);  // Tuesday: default
  auto daily = BandwidthSchedule::Parse("daily 01:00-02:00 0; 1MB/s");
  REQUIRE(daily.ok());
  CHECK(daily->RateAt(At(4, 1, 30)) == 0u);
}

TEST_CASE("bad schedules are refused with the item named") {
  for (const char* bad :
       {"Mon-Fri 18:00-08:00 1MB/s", "Funday 08:00-09:00 1MB/s", "Mon 8:00-9:00 1MB/s",
        "Mon 08:00-09:00", "Mon 08:00-25:00 1MB", "fast"}) {
    CAPTURE(bad);
    auto s = BandwidthSchedule::Parse(bad);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message().find("bandwidth schedule item") != std::string::npos);
  }
}

}  // namespace
}  // namespace seqgate::transfer
