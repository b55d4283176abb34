#include <doctest/doctest.h>

#include "pipeline/seek_table.h"

using namespace seqgate;
using namespace seqgate::pipeline;

TEST_CASE("seek table round-trips and answers offset lookups") {
  std::vector<SeekEntry> e = {{100, 1000, 0xAAAA}, {50, 1000, 0xBBBB}, {70, 400, 0xCCCC}};
  const auto bytes = SerializeSeekTable(e, true);
  CHECK(bytes.size() == SeekTableSize(3, true));
  CHECK(bytes.size() == 8 + 3 * 12 + 9);
  // Spec layout: skippable magic, then frame size, ..., footer magic last.
  CHECK(GetLe32(bytes.data()) == 0x184D2A5E);
  CHECK(GetLe32(bytes.data() + 4) == bytes.size() - 8);
  CHECK(GetLe32(bytes.data() + bytes.size() - 4) == 0x8F92EAB1);
  CHECK(bytes[bytes.size() - 5] == 0x80);

  auto t = SeekTable::Parse(bytes);
  REQUIRE(t.ok());
  CHECK(t->frames() == 3);
  CHECK(t->has_checksums());
  CHECK(t->entry(1) == e[1]);
  CHECK(t->total_compressed() == 220);
  CHECK(t->total_decompressed() == 2400);
  CHECK(t->compressed_offset(2) == 150);
  CHECK(*t->FrameForOffset(0) == 0);
  CHECK(*t->FrameForOffset(999) == 0);
  CHECK(*t->FrameForOffset(1000) == 1);
  CHECK(*t->FrameForOffset(2399) == 2);
  CHECK_FALSE(t->FrameForOffset(2400).has_value());
}

TEST_CASE("seek table without checksums, and with zero frames") {
  auto t = SeekTable::Parse(SerializeSeekTable({{10, 20, 0}}, false));
  REQUIRE(t.ok());
  CHECK_FALSE(t->has_checksums());
  auto empty = SeekTable::Parse(SerializeSeekTable({}, true));
  REQUIRE(empty.ok());
  CHECK(empty->frames() == 0);
  CHECK_FALSE(empty->FrameForOffset(0).has_value());
}

TEST_CASE("malformed seek tables are refused with a reason") {
  const auto good = SerializeSeekTable({{10, 20, 1}, {11, 21, 2}}, true);
  auto bad = [&](auto mutate, const char* what) {
    auto b = good;
    mutate(b);
    auto t = SeekTable::Parse(b);
    CHECK_MESSAGE(!t.ok(), what);
    if (!t.ok()) CHECK(t.status().code() == StatusCode::kCorruption);
  };
  bad([](auto& b) { b.back() ^= 1; }, "footer magic");
  bad([](auto& b) { b[0] ^= 1; }, "skippable magic");
  bad([](auto& b) { b[b.size() - 5] |= 0x04; }, "reserved bits");
  bad([](auto& b) { PutLe32(b.data() + b.size() - 9, 3); }, "frame count vs size");
  bad([](auto& b) { PutLe32(b.data() + 4, 5); }, "skippable size");
  bad([](auto& b) { PutLe32(b.data() + 12, 2u << 30); }, "frame over 1 GiB");
  bad([](auto& b) { PutLe32(b.data() + 8, 0); }, "zero-size frame");
  // A footer claiming 2^32-1 frames must not allocate before the size check.
  auto huge = good;
  PutLe32(huge.data() + huge.size() - 9, 0xFFFFFFFF);
  CHECK_FALSE(SeekTable::Parse(huge).ok());
  CHECK_FALSE(SeekTable::TrailerSizeFromFooter(std::vector<uint8_t>(5)).ok());
}
