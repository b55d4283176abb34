#include "common/buffer_pool.h"

#include <doctest/doctest.h>

#include <thread>

namespace seqgate {
namespace {

TEST_CASE("a buffer given back is handed out again, its pages and all") {
  BufferPool pool(64 << 20);
  std::vector<uint8_t> a = pool.Take(8 << 20);
  CHECK(a.size() == (8u << 20));
  a[12345] = 0xAB;
  const uint8_t* where = a.data();
  pool.Give(std::move(a));
  CHECK(pool.idle_bytes() >= (8u << 20));
  std::vector<uint8_t> b = pool.Take(8 << 20);
  CHECK(b.data() == where);  // the same memory: no fresh pages
  CHECK(b.size() == (8u << 20));
  CHECK(pool.idle_bytes() == 0);
}

TEST_CASE("sizes: a smaller request reuses, a far smaller one does not pin a big buffer") {
  BufferPool pool(256 << 20);
  std::vector<uint8_t> big = pool.Take(0, 64 << 20);
  CHECK(big.empty());
  CHECK(big.capacity() >= (64u << 20));
  pool.Give(std::move(big));
  std::vector<uint8_t> small = pool.Take(1 << 20);
  CHECK(small.capacity() < (64u << 20));  // fresh: taking the 64 MiB one would waste it
  std::vector<uint8_t> fit = pool.Take(40 << 20);
  CHECK(fit.capacity() >= (64u << 20));  // more than half used: reused
  CHECK(fit.size() == (40u << 20));
  CHECK(pool.idle_bytes() == 0);
}

TEST_CASE("idle capacity stays under the cap") {
  BufferPool pool(10 << 20);
  pool.Give(std::vector<uint8_t>(4 << 20));
  pool.Give(std::vector<uint8_t>(4 << 20));
  pool.Give(std::vector<uint8_t>(4 << 20));  // would make 12 MiB: freed instead
  CHECK(pool.idle_bytes() == (8u << 20));
  pool.Give(std::vector<uint8_t>());  // nothing to keep
  CHECK(pool.idle_bytes() == (8u << 20));
}

TEST_CASE("many threads take and give at once") {
  BufferPool pool(32 << 20);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 200; ++i) {
        std::vector<uint8_t> b = pool.Take(static_cast<size_t>(1 + (i + t) % 4) << 20);
        b.front() = static_cast<uint8_t>(i);
        b.back() = static_cast<uint8_t>(t);
        pool.Give(std::move(b));
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(pool.idle_bytes() <= (32u << 20));
}

}  // namespace
}  // namespace seqgate

namespace seqgate {
namespace {

TEST_CASE("raw buffers are recycled like vectors and share the cap") {
  BufferPool pool(16 << 20);
  BufferPool::Raw a = pool.TakeRaw(8 << 20);
  REQUIRE(a.data != nullptr);
  CHECK(a.capacity == (8u << 20));
  a.data[(8 << 20) - 1] = 7;
  const uint8_t* where = a.data.get();
  pool.Give(std::move(a));
  pool.Give(std::vector<uint8_t>(6 << 20));
  CHECK(pool.idle_bytes() == (14u << 20));
  pool.Give(pool.TakeRaw(4 << 20));  // not fitting: fresh, and over the cap when given back
  CHECK(pool.idle_bytes() == (14u << 20));
  BufferPool::Raw b = pool.TakeRaw(5 << 20);  // 8 MiB fits 5 without wasting half
  CHECK(b.data.get() == where);
  CHECK(b.capacity == (8u << 20));
  pool.Give(BufferPool::Raw{});  // an empty one is nothing to keep
  CHECK(pool.idle_bytes() == (6u << 20));
}

}  // namespace
}  // namespace seqgate
