#include "transfer/retry_policy.h"

#include <doctest/doctest.h>

namespace seqgate::transfer {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("backoff ceiling doubles up to the cap and never overflows") {
  RetryPolicy p{milliseconds(500), milliseconds(60000), 0};
  CHECK(p.Ceiling(0) == milliseconds(500));
  CHECK(p.Ceiling(1) == milliseconds(1000));
  CHECK(p.Ceiling(6) == milliseconds(32000));
  CHECK(p.Ceiling(7) == milliseconds(60000));
  CHECK(p.Ceiling(4000000000u) == milliseconds(60000));
}

TEST_CASE("full jitter stays within [0, ceiling]") {
  RetryPolicy p{milliseconds(500), milliseconds(60000), 0};
  CHECK(p.Delay(3, 0.0, std::nullopt) == milliseconds(0));
  CHECK(p.Delay(3, 0.5, std::nullopt) == milliseconds(2000));
  CHECK(p.Delay(3, 0.999999, std::nullopt) <= milliseconds(4000));
  for (int i = 0; i < 1000; ++i) {
    double u = JitterUnit();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    auto d = p.Delay(static_cast<unsigned>(i % 12), u, std::nullopt);
    REQUIRE(d >= milliseconds(0));
    REQUIRE(d <= p.Ceiling(static_cast<unsigned>(i % 12)));
  }
}

TEST_CASE("Retry-After is a floor, even beyond the cap") {
  RetryPolicy p{milliseconds(500), milliseconds(2000), 0};
  CHECK(p.Delay(0, 0.1, seconds(3)) == milliseconds(3000));
  CHECK(p.Delay(10, 1.0, seconds(1)) == milliseconds(2000));
}

}  // namespace
}  // namespace seqgate::transfer
