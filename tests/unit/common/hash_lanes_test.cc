// HashLanes' scheduling, with kernels that only count and take a little time: which jobs are
// hashed side by side, and when a named stream waits for a partner. The real kernels' results
// are tested in md5_test.cc and sha256_md5_test.cc.
#include "common/hash_lanes.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace seqgate {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// What hashing a job's blocks would cost: long enough that two jobs only meet by chance.
constexpr auto kWork = 500us;

std::atomic<uint64_t> g_one{0}, g_two{0};
void CountOne(HashLanes::Job&, size_t n) {
  std::this_thread::sleep_for(kWork);
  g_one += n;
}
void CountTwo(HashLanes::Job&, HashLanes::Job&, size_t n) {
  std::this_thread::sleep_for(kWork);
  g_two += 2 * n;
}

// Runs `count` jobs of 16 blocks for `stream`, one every `period`, starting at `start`.
void Paced(HashLanes& lanes, const void* stream, Clock::time_point start, Clock::duration period,
           int count) {
  static const uint8_t data[16 * 64] = {};
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + i * period);
    HashLanes::Job job;
    job.data = data;
    job.blocks = 16;
    job.stream = stream;
    lanes.Run(job);
  }
}

TEST_CASE("streams that arrive in turns wait for each other and are hashed side by side") {
  HashLanes lanes(CountOne, CountTwo);
  int a = 0, b = 0;
  // Each stream every 6 ms, half a period apart: 0.5 ms of work never meets the other's.
  const auto start = Clock::now() + 5ms;
  std::thread ta([&] { Paced(lanes, &a, start, 6ms, 40); });
  std::thread tb([&] { Paced(lanes, &b, start + 3ms, 6ms, 40); });
  ta.join();
  tb.join();
  const uint64_t total = lanes.paired_blocks() + lanes.solo_blocks();
  CHECK(total == 2 * 40 * 16);
  CHECK(lanes.partner_waits() > 0);
  // The first arrivals set the pace; after that nearly every block has a partner.
  CHECK(lanes.paired_blocks() * 2 >= total);
}

TEST_CASE("a stream alone, or beside one that stopped, never waits") {
  HashLanes lanes(CountOne, CountTwo);
  int a = 0, b = 0;
  SUBCASE("alone") { Paced(lanes, &a, Clock::now(), 2ms, 30); }
  SUBCASE("the other stream stopped") {
    Paced(lanes, &b, Clock::now(), 2ms, 10);
    std::this_thread::sleep_for(100ms);
    Paced(lanes, &a, Clock::now(), 2ms, 30);
  }
  CHECK(lanes.partner_waits() == 0);
}

TEST_CASE("a stream that comes only every 80 ms is not waited for") {
  HashLanes lanes(CountOne, CountTwo);
  int fast = 0, slow = 0;
  // The slow stream arrives at 0, 80, 160 and 240 ms; the fast one runs from 245 to 345 ms,
  // across the moment the slow one would be due again (320 ms).
  const auto start = Clock::now();
  Paced(lanes, &slow, start, 80ms, 4);
  Paced(lanes, &fast, start + 245ms, 2ms, 50);
  CHECK(lanes.partner_waits() == 0);
}

TEST_CASE("jobs that name no stream never wait") {
  HashLanes lanes(CountOne, CountTwo);
  const auto start = Clock::now() + 5ms;
  std::thread ta([&] { Paced(lanes, nullptr, start, 6ms, 20); });
  std::thread tb([&] { Paced(lanes, nullptr, start + 3ms, 6ms, 20); });
  ta.join();
  tb.join();
  CHECK(lanes.partner_waits() == 0);
  CHECK(lanes.paired_blocks() + lanes.solo_blocks() == 2 * 20 * 16);
}

}  // namespace
}  // namespace seqgate
