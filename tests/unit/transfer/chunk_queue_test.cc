#include "transfer/chunk_queue.h"

#include <doctest/doctest.h>

#include <thread>

namespace seqgate::transfer {
namespace {

// Feeds frames of the given sizes (bytes = low byte of the stream offset) and a trailer.
void Produce(ChunkQueue& q, std::initializer_list<uint32_t> sizes, uint32_t trailer) {
  uint64_t at = 0;
  uint32_t index = 0;
  Status st;
  for (uint32_t s : sizes) {
    pipeline::FrameRecord r;
    r.index = index++;
    r.output_offset = at;
    r.output_size = s;
    std::vector<uint8_t> bytes(s);
    for (uint32_t i = 0; i < s; ++i) bytes[i] = static_cast<uint8_t>(at + i);
    at += s;
    st = q.OnFrame(r, bytes);
    if (!st.ok()) break;
  }
  if (st.ok() && trailer > 0) {
    std::vector<uint8_t> t(trailer);
    for (uint32_t i = 0; i < trailer; ++i) t[i] = static_cast<uint8_t>(at + i);
    st = q.OnTrailer(t);
  }
  q.Finish(st);
}

std::vector<Chunk> Drain(ChunkQueue& q) {
  std::vector<Chunk> out;
  while (true) {
    auto c = q.Next();
    REQUIRE(c.ok());
    bool last = c->last;
    out.push_back(std::move(*c));
    if (last) break;
  }
  return out;
}

TEST_CASE("chunks hold whole frames up to the PATCH size; the trailer rides on the last") {
  ChunkQueue q(0, 100, true);
  std::thread producer([&] { Produce(q, {40, 40, 40, 90, 10}, 9); });
  auto chunks = Drain(q);
  producer.join();
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].offset == 0);
  CHECK(chunks[0].bytes.size() == 80);  // a third frame would overflow 100
  CHECK(chunks[0].first_frame == 0);
  CHECK(chunks[0].end_frame == 2);
  CHECK(chunks[1].offset == 80);
  CHECK(chunks[1].bytes.size() == 40);  // 40 + 90 > 100
  CHECK(chunks[2].offset == 120);
  CHECK(chunks[2].bytes.size() == 109);  // 90 + 10 + trailer 9
  CHECK(chunks[2].last);
  uint64_t at = 0;
  for (const auto& c : chunks) {
    CHECK(c.offset == at);
    for (size_t i = 0; i < c.bytes.size(); ++i) REQUIRE(c.bytes[i] == static_cast<uint8_t>(at + i));
    REQUIRE(c.sha256);
    CHECK(*c.sha256 == ComputeDigest(DigestAlgorithm::kSha256, c.bytes));
    at += c.bytes.size();
  }
}

TEST_CASE("the first chunk can be smaller so sending starts early") {
  ChunkQueue q(0, 100, false, 1, 30);
  std::thread producer([&] { Produce(q, {20, 20, 20, 20, 20, 20}, 0); });
  auto chunks = Drain(q);
  producer.join();
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].bytes.size() == 20);  // 20 + 20 > 30: one frame only
  CHECK(chunks[1].offset == 20);
  CHECK(chunks[1].bytes.size() == 100);
}

TEST_CASE("a start offset drops what the server already has, even mid-frame") {
  ChunkQueue q(50, 1000, false);
  std::thread producer([&] { Produce(q, {40, 40, 40}, 0); });
  auto chunks = Drain(q);
  producer.join();
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].offset == 50);
  CHECK(chunks[0].bytes.size() == 70);
  CHECK(chunks[0].bytes[0] == 50);
  CHECK_FALSE(chunks[0].sha256);
}

TEST_CASE("a start at the very end still yields an empty last chunk") {
  ChunkQueue q(120, 1000, false);
  std::thread producer([&] { Produce(q, {40, 40, 40}, 0); });
  auto chunks = Drain(q);
  producer.join();
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].offset == 120);
  CHECK(chunks[0].bytes.empty());
  CHECK(chunks[0].last);
}

TEST_CASE("abort unblocks a producer held by backpressure; failures reach the consumer") {
  ChunkQueue q(0, 10, false, 1);
  std::thread producer([&] { Produce(q, {10, 10, 10, 10, 10, 10}, 0); });
  auto first = q.Next();
  REQUIRE(first.ok());
  q.Abort();
  producer.join();
  CHECK(q.Next().status().code() == StatusCode::kAborted);

  ChunkQueue failing(0, 10, false);
  failing.Finish(SourceChanged("moved"));
  CHECK(failing.Next().status().code() == StatusCode::kSourceChanged);
}

}  // namespace
}  // namespace seqgate::transfer
