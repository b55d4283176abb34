#include "pipeline/block_fanout.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "support/temp_dir.h"

using namespace seqgate;
using namespace seqgate::pipeline;

namespace {

// A consumer that keeps what it sees and, while closed, holds its thread inside the first call.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = true;
  std::string seen;

  BlockFanout::Consumer Consumer() {
    return [this](ByteView b) {
      std::unique_lock lk(mu);
      cv.wait(lk, [&] { return open; });
      seen.append(AsChars(b));
    };
  }
  void Set(bool o) {
    {
      std::lock_guard lk(mu);
      open = o;
    }
    cv.notify_all();
  }
};

}  // namespace

TEST_CASE("every consumer sees every byte in order, whatever the write sizes") {
  const std::string data = testing::RandomBytes(1'000'003, 11);
  for (size_t piece : {size_t{1}, size_t{100}, size_t{4096}, size_t{70000}, data.size()}) {
    CAPTURE(piece);
    Gate a, b, c;
    BlockFanout fan({a.Consumer(), b.Consumer(), c.Consumer()}, 65536, 3);
    for (size_t at = 0; at < data.size(); at += piece) {
      fan.Write(AsBytes(std::string_view(data).substr(at, piece)));
    }
    fan.Finish();
    CHECK(fan.bytes() == data.size());
    CHECK(a.seen == data);
    CHECK(b.seen == data);
    CHECK(c.seen == data);
    CHECK(fan.peak_blocks() <= 3);
  }
}

TEST_CASE("the producer fills blocks in place through Space and Commit") {
  Gate a;
  BlockFanout fan({a.Consumer()}, 10, 2);
  std::string expected;
  for (int i = 0; i < 25; ++i) {
    MutableByteView s = fan.Space();
    REQUIRE_FALSE(s.empty());
    s[0] = static_cast<uint8_t>('a' + i);
    fan.Commit(1);
    expected += static_cast<char>('a' + i);
  }
  fan.Finish();
  CHECK(a.seen == expected);
}

TEST_CASE("a slow consumer holds the producer at the ring's size, never beyond") {
  Gate slow, fast;
  slow.Set(false);
  BlockFanout fan({slow.Consumer(), fast.Consumer()}, 4, 3);
  const std::string data = "0123456789ab";  // exactly three blocks
  for (size_t i = 0; i < 3; ++i) {
    MutableByteView s = fan.TrySpace();
    REQUIRE(s.size() == 4);
    std::memcpy(s.data(), data.data() + 4 * i, 4);
    fan.Commit(4);
  }
  // Three blocks published and none released by the held consumer: no room for a fourth.
  CHECK(fan.TrySpace().empty());
  CHECK(fan.TrySpace().empty());
  CHECK(fan.peak_blocks() == 3);
  slow.Set(true);
  fan.Write(AsBytes("cdef"));  // waits until the held consumer releases a block
  fan.Finish();
  CHECK(slow.seen == data + "cdef");
  CHECK(fast.seen == data + "cdef");
  CHECK(fan.peak_blocks() == 3);
}

TEST_CASE("abort stops consumers early and never hangs on a held one") {
  Gate held, free_running;
  held.Set(false);
  const std::string data = testing::RandomBytes(40, 12);
  {
    BlockFanout fan({held.Consumer(), free_running.Consumer()}, 8, 8);
    fan.Write(AsBytes(data));  // five full blocks handed over; the held lane is on the first
    std::thread release([&] { held.Set(true); });
    fan.Abort();  // returns once the held lane leaves the block it is on
    release.join();
  }
  // Whatever each lane saw is a whole-block prefix of the stream, in order.
  for (const std::string* seen : {&held.seen, &free_running.seen}) {
    CHECK(seen->size() % 8 == 0);
    CHECK(data.compare(0, seen->size(), *seen) == 0);
  }
}

TEST_CASE("an unused or short stream needs no extra work from the caller") {
  Gate a;
  { BlockFanout unused({a.Consumer()}, 16, 2); }  // destroyed without Finish: no thread to stop
  BlockFanout empty({a.Consumer()}, 16, 2);
  empty.Finish();
  CHECK(a.seen.empty());
  BlockFanout short_one({a.Consumer()}, 16, 2);
  short_one.Write(AsBytes("abc"));
  short_one.Finish();  // a partial block still reaches the consumer
  CHECK(a.seen == "abc");
}
