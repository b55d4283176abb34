#include <doctest/doctest.h>
#include <zstd.h>

#include <mutex>
#include <random>

#include "pipeline/packer.h"
#include "pipeline/seek_table.h"
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

namespace {

// A stream big enough to wrap the verifier's ring of decompressed blocks many times over.
Packed MakeLargePacked() {
  testing::TempDir dir;
  Packed p;
  p.original = testing::FastqLike(24u << 20, 21);
  const std::string path = dir.Write("big.fq", p.original);
  PackOptions o;
  o.frame_size = 1u << 20;
  WorkerPool pool(2);
  testing::MemorySink sink;
  auto r = Pack(*Env::Default(), pool, path, o, sink);
  REQUIRE(r.ok());
  p.result = *r;
  p.stream = sink.stream();
  p.records = sink.records;
  return p;
}

// zstd frames *without* a content checksum, with a seek table whose checksums we computed:
// the verifier must then hash each frame's output itself.
std::string UnchecksummedStream(const std::string& original, size_t frame, bool lie_about_last) {
  std::string out;
  std::vector<SeekEntry> entries;
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0);
  for (size_t at = 0; at < original.size(); at += frame) {
    const std::string_view in = std::string_view(original).substr(at, frame);
    std::string z(ZSTD_compressBound(in.size()), '\0');
    const size_t n = ZSTD_compress2(c, z.data(), z.size(), in.data(), in.size());
    REQUIRE_FALSE(ZSTD_isError(n));
    out.append(z.data(), n);
    uint32_t checksum = static_cast<uint32_t>(Xxh64(AsBytes(in)));
    if (lie_about_last && at + frame >= original.size()) checksum ^= 1;
    entries.push_back({static_cast<uint32_t>(n), static_cast<uint32_t>(in.size()), checksum});
  }
  ZSTD_freeCCtx(c);
  const std::vector<uint8_t> table = SerializeSeekTable(entries, true);
  out.append(AsChars(table));
  return out;
}

}  // namespace

TEST_CASE("a large stream verifies through the hash threads in any piece size") {
  const Packed p = MakeLargePacked();
  for (size_t chunk : {size_t{333}, size_t{1} << 20, size_t{5} << 20}) {
    CAPTURE(chunk);
    auto v = Feed(p.stream, chunk, Expect(p.result));
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    CHECK(v->original_size == p.original.size());
    CHECK(v->frames == p.result.frames);
    CHECK(v->original_sha256 == ComputeDigest(DigestAlgorithm::kSha256, AsBytes(p.original)));
    CHECK(*v->original_md5 == ComputeDigest(DigestAlgorithm::kMd5, AsBytes(p.original)));
  }
}

TEST_CASE("a corrupt frame in the middle of a large stream fails at once, naming it") {
  const Packed p = MakeLargePacked();
  std::string bad = p.stream;
  const FrameRecord& rec = p.records[13];
  bad[rec.output_offset + rec.output_size / 3] ^= 0x10;
  StreamVerifier v(Encoding::kZstdSeekable, true);
  Status st;
  size_t fed = 0;
  for (; fed < bad.size() && st.ok(); fed += 65536) {
    st = v.Consume(AsBytes(std::string_view(bad).substr(fed, 65536)));
  }
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == StatusCode::kCorruption);
  CHECK(st.message().find("zstd frame 13 at stream offset " + std::to_string(rec.output_offset)) !=
        std::string::npos);
  // Found within the bad frame, long before the end of the stream.
  CHECK(fed <= rec.output_offset + rec.output_size + 65536);
  // The verifier stays failed with the same reason.
  CHECK(v.Consume(AsBytes("more")).message() == st.message());
  CHECK(v.Finish({}).status().message() == st.message());
}

TEST_CASE("a verifier abandoned mid-stream stops its threads") {
  const Packed p = MakeLargePacked();
  for (size_t cut : {size_t{1}, size_t{3} << 20, p.stream.size() / 2}) {
    StreamVerifier v(Encoding::kZstdSeekable, true);
    REQUIRE(v.Consume(AsBytes(std::string_view(p.stream).substr(0, cut))).ok());
  }  // destroyed without Finish: must neither hang nor leak (ASan/TSan builds check)
}

TEST_CASE("a seek-table checksum that lies is refused whether or not frames carry one") {
  const Packed p = MakePacked(200000, 9);
  std::string bad = p.stream;
  // Entry 1's checksum lives 8 + 12 + 8 bytes into the trailer.
  bad[p.stream.size() - p.result.trailer_size + 8 + 12 + 8] ^= 0x01;
  auto v = Feed(bad, 4096, Expect(p.result));
  REQUIRE_FALSE(v.ok());
  CHECK(v.status().message().find("seek table entry 1") != std::string::npos);

  const std::string original = testing::FastqLike(300000, 10);
  const ExpectedDigests e{ComputeDigest(DigestAlgorithm::kSha256, AsBytes(original)),
                          ComputeDigest(DigestAlgorithm::kMd5, AsBytes(original))};
  auto good = Feed(UnchecksummedStream(original, 65536, false), 1000, e);
  REQUIRE_MESSAGE(good.ok(), good.status().ToString());
  CHECK(good->frames == 5);
  auto lying = Feed(UnchecksummedStream(original, 65536, true), 1000, e);
  REQUIRE_FALSE(lying.ok());
  CHECK(lying.status().message().find("seek table entry 4") != std::string::npos);
}

TEST_CASE("a stream split inside a frame header verifies") {
  const Packed p = MakePacked(200000, 12);
  // Cut every piece at 1..7 bytes into each frame, where the verifier buffers the header.
  for (size_t into = 1; into <= 7; ++into) {
    CAPTURE(into);
    StreamVerifier v(Encoding::kZstdSeekable, true);
    size_t at = 0;
    for (const FrameRecord& r : p.records) {
      const size_t cut = r.output_offset + into;
      REQUIRE(v.Consume(AsBytes(std::string_view(p.stream).substr(at, cut - at))).ok());
      at = cut;
    }
    REQUIRE(v.Consume(AsBytes(std::string_view(p.stream).substr(at))).ok());
    auto r = v.Finish(Expect(p.result));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  }
}

namespace {

// Collects what EndChunkDigest hands out, from whichever thread.
struct ChunkDigests {
  std::mutex mu;
  std::vector<std::optional<Digest>> got;
  StreamVerifier::ChunkDone Collect() {
    return [this](std::optional<Digest> d) {
      std::lock_guard lk(mu);
      got.push_back(d);
    };
  }
};

}  // namespace

TEST_CASE("chunk digests of an identity stream come from the hash thread's own pass") {
  // Chunks below, across and far above the 1 MiB fan-out block, each fed in uneven pieces;
  // stretches between chunks are not digested.
  const std::string data = testing::RandomBytes(6 << 20, 21);
  std::mt19937 rng(22);
  StreamVerifier v(Encoding::kIdentity, true);
  ChunkDigests digests;
  std::vector<std::pair<size_t, size_t>> chunks;
  size_t at = 0;
  auto feed = [&](size_t to) {
    while (at < to) {
      const size_t n = std::min<size_t>(to - at, 1 + rng() % 300000);
      REQUIRE(v.Consume(AsBytes(std::string_view(data).substr(at, n))).ok());
      at += n;
    }
  };
  for (size_t len : {size_t{64}, size_t{1} << 20, size_t{2500} * 64, size_t{0}, size_t{3} << 20}) {
    REQUIRE(v.BeginChunkDigest());
    chunks.emplace_back(at, len);
    feed(at + len);
    v.EndChunkDigest(digests.Collect());
    feed(at + 64 * (rng() % 100));  // not part of any chunk
  }
  feed(data.size());
  auto r = v.Finish({ComputeDigest(DigestAlgorithm::kSha256, AsBytes(data)), std::nullopt});
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(digests.got.size() == chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    CAPTURE(i);
    REQUIRE(digests.got[i].has_value());
    CHECK(digests.got[i]->hex() ==
          ComputeDigest(DigestAlgorithm::kSha256,
                        AsBytes(std::string_view(data).substr(chunks[i].first, chunks[i].second)))
              .hex());
  }
}

TEST_CASE("chunk digests are refused off a 64-byte boundary and for zstd streams") {
  StreamVerifier identity(Encoding::kIdentity, true);
  REQUIRE(identity.Consume(AsBytes(std::string(100, 'x'))).ok());
  CHECK_FALSE(identity.BeginChunkDigest());
  REQUIRE(identity.Consume(AsBytes(std::string(28, 'x'))).ok());
  CHECK(identity.BeginChunkDigest());

  StreamVerifier zstd(Encoding::kZstdSeekable, true);
  CHECK_FALSE(zstd.BeginChunkDigest());
}

TEST_CASE("a chunk digest still owed when the verifier goes away is answered with none, once") {
  const std::string data = testing::RandomBytes(3 << 20, 23);
  for (int round = 0; round < 20; ++round) {
    ChunkDigests digests;
    {
      StreamVerifier v(Encoding::kIdentity, true);
      REQUIRE(v.BeginChunkDigest());
      REQUIRE(v.Consume(AsBytes(data)).ok());
      v.EndChunkDigest(digests.Collect());
    }  // the hash thread may or may not have reached the end of the chunk
    REQUIRE(digests.got.size() == 1);
    if (digests.got[0]) {
      CHECK(digests.got[0]->hex() == ComputeDigest(DigestAlgorithm::kSha256, AsBytes(data)).hex());
    }
  }
}
