#include "ingest/upload_locks.h"

#include <doctest/doctest.h>

#include <vector>

namespace seqgate::ingest {
namespace {

TEST_CASE("a free upload is granted at once; a held one asks the holder to stop") {
  UploadLocks locks;
  std::shared_ptr<UploadLease> first, second;
  int first_cancelled = 0;
  locks.Acquire(
      "s/1", [&] { first_cancelled++; }, [&](auto l) { first = l; });
  REQUIRE(first);
  locks.Acquire(
      "s/1", [] {}, [&](auto l) { second = l; });
  CHECK(first_cancelled == 1);
  CHECK_FALSE(second);
  first.reset();  // the stale holder lets go
  REQUIRE(second);
  CHECK(second->held());
}

TEST_CASE("different uploads do not interfere, waiters are served in order") {
  UploadLocks locks;
  std::vector<int> order;
  std::shared_ptr<UploadLease> a, b, c, other;
  locks.Acquire(
      "s/1", [] {},
      [&](auto l) {
        a = l;
        order.push_back(1);
      });
  locks.Acquire(
      "s/2", [] {}, [&](auto l) { other = l; });
  REQUIRE(other);
  locks.Acquire(
      "s/1", [] {},
      [&](auto l) {
        b = l;
        order.push_back(2);
      });
  locks.Acquire(
      "s/1", [] {},
      [&](auto l) {
        c = l;
        order.push_back(3);
      });
  a.reset();
  b.reset();
  c.reset();
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("CancelAll reaches every holder") {
  UploadLocks locks;
  int cancelled = 0;
  std::shared_ptr<UploadLease> x, y;
  locks.Acquire(
      "a", [&] { cancelled++; }, [&](auto l) { x = l; });
  locks.Acquire(
      "b", [&] { cancelled++; }, [&](auto l) { y = l; });
  locks.CancelAll();
  CHECK(cancelled == 2);
}

}  // namespace
}  // namespace seqgate::ingest

namespace seqgate::ingest {
namespace {

TEST_CASE("TryAcquire takes only free uploads and never cancels the holder") {
  UploadLocks locks;
  int cancelled = 0;
  std::shared_ptr<UploadLease> held;
  locks.Acquire(
      "k", [&] { cancelled++; }, [&](auto l) { held = l; });
  CHECK(locks.TryAcquire("k") == nullptr);
  CHECK(cancelled == 0);
  held.reset();
  auto lease = locks.TryAcquire("k");
  REQUIRE(lease);
  std::shared_ptr<UploadLease> next;
  locks.Acquire(
      "k", [] {}, [&](auto l) { next = l; });
  CHECK_FALSE(next);
  lease.reset();
  CHECK(next);
}

}  // namespace
}  // namespace seqgate::ingest
