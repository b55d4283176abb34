#include <doctest/doctest.h>

#include "pipeline/packer.h"
#include "pipeline/stream_verifier.h"
#include "support/temp_dir.h"
#include "unit/pipeline/memory_sink.h"

using namespace seqgate;
using namespace seqgate::pipeline;

namespace {

struct Packed {
  std::string original, stream;
  PackResult result;
  std::vector<FrameRecord> records;
};

Packed MakePacked(size_t size, uint64_t seed) {
  testing::TempDir dir;
  Packed p;
  p.original = testing::FastqLike(size, seed);
  const std::string path = dir.Write("f.fq", p.original);
  PackOptions o;
  o.frame_size = 64 << 10;
  WorkerPool pool(2);
  testing::MemorySink sink;
  auto r = Pack(*Env::Default(), pool, path, o, sink);
  REQUIRE(r.ok());
  p.result = *r;
  p.stream = sink.stream();
  p.records = sink.records;
  return p;
}

ExpectedDigests Expect(const PackResult& r) { return {r.original_sha256, r.original_md5}; }

Result<VerifiedContent> Feed(const std::string& stream, size_t chunk, const ExpectedDigests& e,
                             Encoding enc = Encoding::kZstdSeekable) {
  StreamVerifier v(enc, true);
  for (size_t i = 0; i < stream.size(); i += chunk) {
    SEQGATE_RETURN_IF_ERROR(v.Consume(AsBytes(std::string_view(stream).substr(i, chunk))));
  }
  return v.Finish(e);
}

}  // namespace

TEST_CASE("a good stream verifies however it is split into pieces") {
  const Packed p = MakePacked(300000, 1);
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{7}, size_t{4096}, size_t{1} << 20}) {
    CAPTURE(chunk);
    auto v = Feed(p.stream, chunk, Expect(p.result));
    REQUIRE(v.ok());
    CHECK(v->original_size == p.original.size());
    CHECK(v->packed_size == p.stream.size());
    CHECK(v->frames == p.result.frames);
    CHECK(v->original_sha256 == p.result.original_sha256);
    CHECK(*v->original_md5 == *p.result.original_md5);
  }
}

TEST_CASE("a flipped byte inside a frame is caught and located") {
  const Packed p = MakePacked(300000, 2);
  std::string bad = p.stream;
  const auto& rec = p.records[2];
  bad[rec.output_offset + rec.output_size / 2] ^= 0x40;
  auto v = Feed(bad, 65536, Expect(p.result));
  REQUIRE_FALSE(v.ok());
  CHECK(v.status().code() == StatusCode::kCorruption);
  // Either the zstd decoder or the digest comparison catches it; never accepted.
  const std::string& m = v.status().message();
  CHECK((m.find("frame 2") != std::string::npos || m.find("mismatch") != std::string::npos));
}

TEST_CASE("truncated, extended and table-less streams are refused") {
  const Packed p = MakePacked(200000, 3);
  auto e = Expect(p.result);
  CHECK(Feed(p.stream.substr(0, p.stream.size() - 1), 4096, e)
            .status()
            .message()
            .find("seek table") != std::string::npos);
  CHECK(Feed(p.stream.substr(0, p.records[1].output_offset + 10), 4096, e)
            .status()
            .message()
            .find("inside zstd frame 1") != std::string::npos);
  CHECK(Feed(p.stream + "x", 4096, e).status().message().find("after the seek table") !=
        std::string::npos);
  const std::string frames_only = p.stream.substr(0, p.stream.size() - p.result.trailer_size);
  CHECK(Feed(frames_only, 4096, e).status().message().find("no seek table") != std::string::npos);
  CHECK(Feed("garbage!", 4096, e).status().message().find("no zstd frame at stream offset 0") !=
        std::string::npos);
}

TEST_CASE("a seek table that lies about a frame is refused") {
  const Packed p = MakePacked(200000, 4);
  std::string bad = p.stream;
  // Entry 1's decompressed size lives 8 + 12 + 4 bytes into the trailer.
  const size_t at = p.stream.size() - p.result.trailer_size + 8 + 12 + 4;
  bad[at] ^= 0x01;
  auto v = Feed(bad, 4096, Expect(p.result));
  REQUIRE_FALSE(v.ok());
  CHECK(v.status().message().find("seek table entry 1") != std::string::npos);
}

TEST_CASE("wrong expected digests name what differed") {
  const Packed p = MakePacked(100000, 5);
  ExpectedDigests e = Expect(p.result);
  e.md5->bytes[0] ^= 1;
  auto v = Feed(p.stream, 4096, e);
  REQUIRE_FALSE(v.ok());
  CHECK(v.status().message().find("md5 mismatch: expected") != std::string::npos);
  CHECK(v.status().message().find("sha256 mismatch") == std::string::npos);
}

TEST_CASE("identity streams are hashed as they are") {
  const std::string data = testing::RandomBytes(12345, 6);
  ExpectedDigests e{ComputeDigest(DigestAlgorithm::kSha256, AsBytes(data)), std::nullopt};
  auto v = Feed(data, 1000, e, Encoding::kIdentity);
  REQUIRE(v.ok());
  CHECK(v->original_size == data.size());
  CHECK(v->frames == 0);
}

TEST_CASE("VerifyPackedFile detects the encoding from the footer") {
  const Packed p = MakePacked(150000, 8);
  testing::TempDir dir;
  const std::string zpath = dir.Write("f.zst", p.stream);
  auto v = VerifyPackedFile(*Env::Default(), zpath, std::nullopt, true, Expect(p.result));
  REQUIRE(v.ok());
  CHECK(v->encoding == Encoding::kZstdSeekable);
  const std::string ipath = dir.Write("f.fq", p.original);
  auto i = VerifyPackedFile(*Env::Default(), ipath, std::nullopt, false, Expect(p.result));
  REQUIRE(i.ok());
  CHECK(i->encoding == Encoding::kIdentity);
}
