// The simulator's integer-only building blocks: PRNG and header formatting.
#include <doctest/doctest.h>

#include <string>

#include "sim/prng.h"
#include "sim/text_format.h"

using namespace seqgate::sim;

namespace {
template <typename F>
std::string Format(F f) {
  char buf[64];
  return std::string(buf, f(buf));
}
}  // namespace

TEST_CASE("readgen: xoshiro256** is a fixed, seed-determined stream") {
  Xoshiro256 a(1), b(1), c(2);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    CHECK(x == b.Next());
    CHECK(x != c.Next());
  }
  Xoshiro256 r(7);
  bool seen_lo = false, seen_hi = false;
  for (int i = 0; i < 10000; ++i) {
    const uint32_t v = r.Between(3, 9);
    CHECK(v >= 3);
    CHECK(v <= 9);
    seen_lo |= v == 3;
    seen_hi |= v == 9;
  }
  CHECK(seen_lo);
  CHECK(seen_hi);
}

TEST_CASE("readgen: decimal, hex and UUID formatting") {
  CHECK(Format([](char* p) { return PutDecimal(p, 0); }) == "0");
  CHECK(Format([](char* p) { return PutDecimal(p, 18446744073709551615ULL); }) ==
        "18446744073709551615");
  CHECK(Format([](char* p) { return PutDecimalPadded(p, 7, 3); }) == "007");
  CHECK(Format([](char* p) { return PutHex(p, 0xabc, 5); }) == "00abc");
  const std::string uuid =
      Format([](char* p) { return PutUuid(p, 0xffffffffffffffffULL, 0xffffffffffffffffULL); });
  CHECK(uuid == "ffffffff-ffff-4fff-bfff-ffffffffffff");
  CHECK(Format([](char* p) { return PutUuid(p, 0, 0); }) == "00000000-0000-4000-8000-000000000000");
}

TEST_CASE("readgen: ISO 8601 times in UTC with milliseconds") {
  auto iso = [](int64_t ms) { return Format([ms](char* p) { return PutIso8601Millis(p, ms); }); };
  CHECK(iso(0) == "1970-01-01T00:00:00.000+00:00");
  CHECK(iso(1709283600000) == "2024-03-01T09:00:00.000+00:00");
  CHECK(iso(1709164799999) == "2024-02-28T23:59:59.999+00:00");
  CHECK(iso(1709208000123) == "2024-02-29T12:00:00.123+00:00");  // leap day
  CHECK(iso(951782400000) == "2000-02-29T00:00:00.000+00:00");
  CHECK(iso(253402300799000) == "9999-12-31T23:59:59.000+00:00");
}
