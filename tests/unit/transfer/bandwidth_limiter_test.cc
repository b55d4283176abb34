#include "transfer/bandwidth_limiter.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>
#include <vector>

namespace seqgate::transfer {
namespace {

using Clock = BandwidthLimiter::Clock;
using std::chrono::milliseconds;

// A clock the test steps by hand, and a rate it can change.
struct FakeWorld {
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
  uint64_t rate = 0;
  BandwidthLimiter::Seams seams() {
    return {[this] { return now; }, [this] { return rate; }};
  }
};

// Runs senders that each want `want` bytes per call for `ms` of fake time in 1 ms steps, the
// way the transfer loop drives them: whoever waited longest tries first when the bucket can
// grant, sends, and queues again at the back once it finds the bucket dry.
std::vector<uint64_t> Simulate(FakeWorld& w, BandwidthLimiter& lim, std::vector<bool> busy, int ms,
                               uint64_t want = 2u << 20) {
  std::vector<uint64_t> got(busy.size(), 0);
  std::deque<size_t> line;
  for (size_t i = 0; i < busy.size(); ++i) {
    if (busy[i]) line.push_back(i);
  }
  for (int t = 0; t < ms; ++t) {
    while (!line.empty() && lim.WaitTime() == Clock::duration::zero()) {
      const size_t i = line.front();
      line.pop_front();
      while (const uint64_t g = lim.Acquire(want)) got[i] += g;
      line.push_back(i);
    }
    w.now += milliseconds(1);
  }
  return got;
}

TEST_CASE("unlimited grants everything at once") {
  FakeWorld w;
  BandwidthLimiter lim(w.seams());
  CHECK(lim.Acquire(123456789) == 123456789);
  CHECK(lim.WaitTime() == Clock::duration::zero());
  CHECK(lim.rate() == 0);
}

TEST_CASE("one sender gets the rate, not more, over fake time") {
  FakeWorld w;
  w.rate = 10'000'000;  // 10 MB/s
  BandwidthLimiter lim(w.seams());
  auto got = Simulate(w, lim, {true}, 10'000);
  // 10 s at 10 MB/s, plus at most the initial bucket (100 ms worth).
  CHECK(got[0] <= 100'000'000 + 1'000'000);
  CHECK(got[0] >= 99'000'000);
}

TEST_CASE(
    "the cap is shared: the sum stays under it and an idle sender's share goes to the others") {
  FakeWorld w;
  w.rate = 8'000'000;
  BandwidthLimiter lim(w.seams());
  // Two busy, one idle: together they get the whole rate, not 2/3 of it.
  auto got = Simulate(w, lim, {true, true, false}, 5'000);
  const uint64_t sum = got[0] + got[1] + got[2];
  CHECK(sum <= 40'000'000 + 800'000);
  CHECK(sum >= 39'000'000);
  CHECK(got[2] == 0);
  // Taking turns: neither busy sender starves (grants are at most a quarter of the bucket).
  CHECK(got[0] >= sum / 3);
  CHECK(got[1] >= sum / 3);
}

TEST_CASE("an empty bucket makes the caller wait, and says for how long") {
  FakeWorld w;
  w.rate = 1'000'000;  // 1 MB/s: bucket 100 KB, grants ≤ 25 KB
  BandwidthLimiter lim(w.seams());
  uint64_t taken = 0;
  while (uint64_t g = lim.Acquire(1u << 20)) {
    CHECK(g <= 25'000);
    taken += g;
  }
  CHECK(taken >= 90'000);
  CHECK(taken <= 100'000);
  const auto wait = lim.WaitTime();
  CHECK(wait > Clock::duration::zero());
  CHECK(wait <= milliseconds(17));  // a 16 KiB quantum at 1 MB/s
  w.now += wait;
  CHECK(lim.WaitTime() == Clock::duration::zero());
  CHECK(lim.Acquire(1u << 20) >= 16 * 1024);
}

TEST_CASE("small requests are granted exactly, large ones are cut to what the bucket holds") {
  FakeWorld w;
  w.rate = 100'000'000;
  BandwidthLimiter lim(w.seams());
  CHECK(lim.Acquire(100) == 100);
  CHECK(lim.Acquire(5'000'000) == 2'500'000);  // a quarter of the 10 MB bucket
}

TEST_CASE("a schedule change is followed within a second, mid-transfer") {
  FakeWorld w;
  w.rate = 1'000'000;
  BandwidthLimiter lim(w.seams());
  Simulate(w, lim, {true}, 2'000);
  w.rate = 4'000'000;
  auto got = Simulate(w, lim, {true}, 3'000);
  // At most one more second at the old rate, then the new one.
  CHECK(got[0] >= 1'000'000 + 2 * 4'000'000 - 100'000);
  CHECK(got[0] <= 3 * 4'000'000 + 400'000);
  CHECK(lim.rate() == 4'000'000);
  w.rate = 0;  // the window ends: unlimited
  w.now += std::chrono::seconds(1);
  CHECK(lim.Acquire(1u << 30) == 1u << 30);
}

TEST_CASE("a stepped-back or frozen clock never mints tokens") {
  FakeWorld w;
  w.rate = 1'000'000;
  BandwidthLimiter lim(w.seams());
  while (lim.Acquire(1u << 20) > 0) {
  }
  w.now -= std::chrono::seconds(5);
  CHECK(lim.Acquire(1u << 20) == 0);
  w.now += std::chrono::seconds(5);
  CHECK(lim.Acquire(1u << 20) == 0);
}

TEST_CASE("threads drawing at once never take more than was minted") {
  FakeWorld w;
  w.rate = 50'000'000;
  BandwidthLimiter lim(w.seams());  // the clock does not move: only the first bucket exists
  std::vector<uint64_t> got(4, 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 10'000; ++k) got[i] += lim.Acquire(64 * 1024);
    });
  }
  for (auto& t : threads) t.join();
  const uint64_t sum = got[0] + got[1] + got[2] + got[3];
  CHECK(sum <= 5'000'000);
  CHECK(sum >= 5'000'000 - 16 * 1024);
}

TEST_CASE("a real schedule drives it: a flat cap from BandwidthSchedule") {
  auto sched = BandwidthSchedule::Parse("3MB/s");
  REQUIRE(sched.ok());
  BandwidthLimiter lim(*sched);
  CHECK(lim.rate() == 3'000'000);
  CHECK(lim.Acquire(10u << 20) > 0);
}

}  // namespace
}  // namespace seqgate::transfer
