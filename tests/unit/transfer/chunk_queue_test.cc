#include "transfer/chunk_queue.h"

#include <doctest/doctest.h>

#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "pipeline/worker_pool.h"
#include "support/temp_dir.h"

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
  ChunkQueue q({.start = 0, .patch_size = 100, .checksum = true});
  std::thread producer([&] { Produce(q, {40, 40, 40, 90, 10}, 9); });
  auto chunks = Drain(q);
  producer.join();
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].offset == 0);
  CHECK(chunks[0].length == 80);  // a third frame would overflow 100
  CHECK(chunks[0].first_frame == 0);
  CHECK(chunks[0].end_frame == 2);
  CHECK(chunks[1].offset == 80);
  CHECK(chunks[1].length == 40);  // 40 + 90 > 100
  CHECK(chunks[2].offset == 120);
  CHECK(chunks[2].length == 109);  // 90 + 10 + trailer 9
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
  ChunkQueue q({.start = 0, .patch_size = 100, .first_patch_size = 30});
  std::thread producer([&] { Produce(q, {20, 20, 20, 20, 20, 20}, 0); });
  auto chunks = Drain(q);
  producer.join();
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].bytes.size() == 20);  // 20 + 20 > 30: one frame only
  CHECK(chunks[1].offset == 20);
  CHECK(chunks[1].bytes.size() == 100);
}

TEST_CASE("a start offset drops what the server already has, even mid-frame") {
  ChunkQueue q({.start = 50, .patch_size = 1000});
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
  ChunkQueue q({.start = 120, .patch_size = 1000});
  std::thread producer([&] { Produce(q, {40, 40, 40}, 0); });
  auto chunks = Drain(q);
  producer.join();
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].offset == 120);
  CHECK(chunks[0].bytes.empty());
  CHECK(chunks[0].last);
}

TEST_CASE("abort unblocks a producer held by backpressure; failures reach the consumer") {
  ChunkQueue q({.start = 0, .patch_size = 10});
  std::thread producer([&] { Produce(q, {10, 10, 10, 10, 10, 10}, 0); });
  auto first = q.Next();
  REQUIRE(first.ok());
  q.Abort();
  producer.join();
  CHECK(q.Next().status().code() == StatusCode::kAborted);

  ChunkQueue failing({.start = 0, .patch_size = 10});
  failing.Finish(SourceChanged("moved"));
  CHECK(failing.Next().status().code() == StatusCode::kSourceChanged);
}


TEST_CASE("a grown chunk closes early, once past the base size, when the uploader waits for it") {
  ChunkQueue q({.patch_size = 100, .first_patch_size = 40, .from_source = true, .capacity = 3});
  q.SetPatchSize(1000);
  uint32_t index = 0;
  auto frame = [&] {
    pipeline::FrameRecord r;
    r.index = index;
    r.output_offset = 40ull * index++;
    r.output_size = 40;
    const std::vector<uint8_t> bytes(40);
    REQUIRE(q.OnFrame(r, bytes).ok());
  };
  auto wait_for_consumer = [&] {
    for (int i = 0; i < 5000 && !q.ConsumerWaiting(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(q.ConsumerWaiting());
  };
  for (int i = 0; i < 3; ++i) frame();  // the first chunk (one frame), the second has 80 bytes
  auto first = q.Next();
  REQUIRE(first.ok());
  CHECK(first->length == 40);
  std::optional<Result<Chunk>> second;
  std::atomic<bool> got{false};
  std::thread consumer([&] {
    second = q.Next();
    got = true;
  });
  wait_for_consumer();
  frame();  // 80 < 100: the base size first, even for a waiting uploader
  frame();  // 120 ≥ 100 and the uploader waits: closed before this frame
  for (int i = 0; i < 5000 && !got; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!got) q.Abort();  // a failure here must not hang the test
  consumer.join();
  REQUIRE(got);
  REQUIRE(second->ok());
  CHECK((*second)->offset == 40);
  CHECK((*second)->length == 120);
  // Nobody waiting: the chunk grows towards the new size.
  for (int i = 0; i < 10; ++i) frame();
  CHECK_FALSE(q.ConsumerWaiting());
  q.Finish(Status::Ok());
  Result<Chunk> third = q.Next();
  REQUIRE(third.ok());
  CHECK(third->offset == 160);
  CHECK(third->length == 440);
  CHECK(third->last);
}

// The stream of the tests above: byte i is the low byte of i.
std::vector<uint8_t> Stream(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

std::string Sha256Hex(ByteView v) {
  uint8_t md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(v.data(), v.size(), md, &len, EVP_sha256(), nullptr);
  return ToHex({md, len});
}

TEST_CASE("chunks from the source carry no bytes: the same boundaries, lengths and checksums") {
  for (const uint64_t start : {uint64_t{0}, uint64_t{50}}) {
    CAPTURE(start);
    ChunkQueue q({.start = start, .patch_size = 100, .checksum = true, .from_source = true});
    std::thread producer([&] { Produce(q, {40, 40, 40, 90, 10}, 0); });
    auto chunks = Drain(q);
    producer.join();
    const std::vector<uint8_t> stream = Stream(220);
    uint64_t at = start;
    for (const auto& c : chunks) {
      CHECK(c.from_source);
      CHECK(c.bytes.empty());
      CHECK(c.offset == at);
      REQUIRE(c.sha256);
      CHECK(c.sha256->hex() == Sha256Hex({stream.data() + c.offset, c.length}));
      at = c.end();
    }
    CHECK(at == 220);
    CHECK(chunks.back().last);
  }
}

// Drives a queue as the packer does when the sink shares its pass: OnFrame, then the pass
// hashes the frame; EndSharedPass once all are hashed; Finish after that.
void ProduceOnPass(ChunkQueue& q, Sha256Md5& pass, const std::vector<uint8_t>& stream,
                   uint32_t frame) {
  REQUIRE(q.ShareOriginalPass(pass));
  Status st;
  uint32_t index = 0;
  for (uint64_t at = 0; at < stream.size() && st.ok(); at += frame) {
    const ByteView bytes(stream.data() + at, std::min<uint64_t>(frame, stream.size() - at));
    pipeline::FrameRecord r;
    r.index = index++;
    r.output_offset = at;
    r.output_size = static_cast<uint32_t>(bytes.size());
    st = q.OnFrame(r, bytes);
    if (st.ok()) pass.Update(bytes);
  }
  q.EndSharedPass();
  q.Finish(st);
}

TEST_CASE("on the packer's pass, chunk checksums are side digests of the original's digest") {
  std::mt19937 rng(11);
  std::vector<uint8_t> stream(10 * 4096 + 1000);
  for (auto& b : stream) b = static_cast<uint8_t>(rng());
  // Starts at 0, on a frame boundary, inside a frame (that chunk hashes itself), at the end.
  for (const uint64_t start : {uint64_t{0}, uint64_t{8192}, uint64_t{5000}, stream.size()}) {
    for (const bool md5 : {false, true}) {
      CAPTURE(start);
      CAPTURE(md5);
      ChunkQueue q({.start = start,
                    .patch_size = 3 * 4096,
                    .first_patch_size = 4096,
                    .checksum = true,
                    .from_source = true});
      Sha256Md5 pass(md5);
      std::thread producer([&] { ProduceOnPass(q, pass, stream, 4096); });
      auto chunks = Drain(q);
      producer.join();
      uint64_t at = start;
      for (const auto& c : chunks) {
        CHECK(c.offset == at);
        REQUIRE(c.sha256);
        CHECK(c.sha256->hex() == Sha256Hex({stream.data() + c.offset, c.length}));
        at = c.end();
      }
      CHECK(at == stream.size());
      // Frames: 10 × 4096 and 1000. From 0: 1 frame, 3, 3, 3, 1. From frame 2: 1, 3, 3, 2.
      // From inside frame 1: its rest, then 3, 3, 3. From the end: one empty last chunk.
      CHECK(chunks.size() == (start == 0 ? 5u : start == stream.size() ? 1u : 4u));
      // The pass's own digest never noticed the side digests.
      CHECK(pass.Finish().sha256.hex() == Sha256Hex({stream.data(), stream.size()}));
    }
  }
}

TEST_CASE("Pack of an identity file shares its pass with a checksumming queue") {
  seqgate::testing::TempDir dir;
  std::mt19937 rng(12);
  std::string data(5 * (64 << 10) + 777, '\0');
  for (auto& ch : data) ch = static_cast<char>(rng());  // incompressible: identity
  const std::string path = dir.Write("in.bam", data);
  pipeline::WorkerPool pool(2);
  pipeline::PackOptions o;
  o.frame_size = 64 << 10;
  o.md5 = false;
  o.force_encoding = pipeline::Encoding::kIdentity;
  ChunkQueue q({.start = 0,
                .patch_size = 2 * (64 << 10),
                .first_patch_size = 64 << 10,
                .checksum = true,
                .from_source = true});
  std::optional<Result<pipeline::PackResult>> packed;
  std::thread producer([&] {
    packed = pipeline::Pack(*Env::Default(), pool, path, o, q);
    q.Finish(packed->status());
  });
  auto chunks = Drain(q);
  producer.join();
  REQUIRE(packed->ok());
  const ByteView all(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  CHECK((*packed)->original_sha256.hex() == Sha256Hex(all));
  REQUIRE(chunks.size() == 4);  // 1 frame, 2, 2, then the 777-byte tail
  uint64_t at = 0;
  for (const auto& c : chunks) {
    CHECK(c.offset == at);
    REQUIRE(c.sha256);
    CHECK(c.sha256->hex() == Sha256Hex(all.subspan(c.offset, c.length)));
    at = c.end();
  }
  CHECK(at == data.size());
}

}  // namespace
}  // namespace seqgate::transfer
