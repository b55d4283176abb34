#include "transfer/resume_point.h"

#include <doctest/doctest.h>

namespace seqgate::transfer {
namespace {

std::vector<pipeline::FrameRecord> Frames(std::initializer_list<uint32_t> sizes) {
  std::vector<pipeline::FrameRecord> out;
  uint64_t at = 0;
  for (uint32_t s : sizes) {
    pipeline::FrameRecord r;
    r.index = static_cast<uint32_t>(out.size());
    r.output_offset = at;
    r.output_size = s;
    out.push_back(r);
    at += s;
  }
  return out;
}

TEST_CASE("an offset on a frame boundary resumes at that frame") {
  auto f = Frames({100, 50, 70});
  auto p = LocateOffset(f, 30, 0);
  REQUIRE(p);
  CHECK(p->frame == 0);
  CHECK(p->aligned());
  p = LocateOffset(f, 30, 150);
  REQUIRE(p);
  CHECK(p->frame == 2);
  CHECK(p->skip == 0);
  CHECK(StreamSize(f, 30) == 250u);
}

TEST_CASE("an offset inside a frame re-creates that frame and skips into it") {
  auto f = Frames({100, 50, 70});
  auto p = LocateOffset(f, 30, 99);
  REQUIRE(p);
  CHECK(p->frame == 0);
  CHECK(p->skip == 99u);
  p = LocateOffset(f, 30, 101);
  REQUIRE(p);
  CHECK(p->frame == 1);
  CHECK(p->skip == 1u);
}

TEST_CASE("offsets in or at the end of the trailer, and past it") {
  auto f = Frames({100, 50});
  auto p = LocateOffset(f, 30, 150);
  REQUIRE(p);
  CHECK(p->frame == 2);  // == records.size(): only the trailer is left
  CHECK(p->skip == 0u);
  p = LocateOffset(f, 30, 170);
  REQUIRE(p);
  CHECK(p->frame == 2);
  CHECK(p->skip == 20u);
  CHECK(LocateOffset(f, 30, 180));
  CHECK_FALSE(LocateOffset(f, 30, 181));
}

TEST_CASE("records with a gap are not trusted") {
  auto f = Frames({100, 50});
  f[1].output_offset = 101;
  CHECK_FALSE(LocateOffset(f, 0, 10));
}

}  // namespace
}  // namespace seqgate::transfer
