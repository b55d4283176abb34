#include <doctest/doctest.h>

#include <memory>
#include <optional>

#include "crypt4gh/pack_resume.h"
#include "crypt4gh/pack_sink.h"
#include "support/temp_dir.h"
#include "unit/crypt4gh/c4gh_test_util.h"
#include "unit/pipeline/memory_sink.h"

using namespace seqgate;
using namespace seqgate::crypt4gh;
using seqgate::testing::Decrypt;
using seqgate::testing::StringSink;
using seqgate::testing::TempDir;

TEST_CASE("c4gh: the packed stream is the Crypt4GH plaintext, and the digests cover the object") {
  TempDir dir;
  const std::string path = dir.Write("r.fq", seqgate::testing::FastqLike(3 << 20, 11));
  pipeline::PackOptions o;
  o.frame_size = 256 << 10;
  pipeline::WorkerPool pool(2);

  seqgate::testing::MemorySink plain;  // the same pack, unencrypted
  auto ref = pipeline::Pack(*Env::Default(), pool, path, o, plain);
  REQUIRE(ref.ok());

  const SecretKey sk = *GenerateSecretKey();
  auto params = EncryptionParams::Generate({*PublicKeyOf(sk)});
  REQUIRE(params.ok());
  StringSink file;
  DigestingSink digests(file);
  auto enc = Encryptor::Create(*params, digests);
  REQUIRE(enc.ok());
  EncryptingPackSink sink(**enc);
  auto r = pipeline::Pack(*Env::Default(), pool, path, o, sink);
  REQUIRE(r.ok());
  REQUIRE((*enc)->Finish().ok());

  CHECK(r->packed_sha256 == ref->packed_sha256);
  CHECK(digests.size() == file.bytes.size());
  CHECK(digests.FinishSha256() == ComputeDigest(DigestAlgorithm::kSha256, AsBytes(file.bytes)));
  CHECK(digests.FinishMd5() == ComputeDigest(DigestAlgorithm::kMd5, AsBytes(file.bytes)));
  auto back = Decrypt(sk, file.bytes, 1 << 20);
  REQUIRE(back.ok());
  CHECK(*back == plain.stream());
}

namespace {

struct EncryptedPack {
  pipeline::PackResult result;
  std::vector<pipeline::FrameRecord> records;
  std::string object;
};

EncryptedPack PackAndEncrypt(const std::string& path, const pipeline::PackOptions& o,
                             const EncryptionParams& params) {
  pipeline::WorkerPool pool(2);
  StringSink file;
  auto enc = Encryptor::Create(params, file);
  REQUIRE(enc.ok());
  EncryptingPackSink encrypting(**enc);
  // Keep the records (as the journal would) while the frames flow into the encryptor.
  struct Tee final : pipeline::PackSink {
    pipeline::PackSink* inner;
    std::vector<pipeline::FrameRecord> records;
    Status OnFrame(const pipeline::FrameRecord& r, ByteView b) override {
      records.push_back(r);
      return inner->OnFrame(r, b);
    }
    Status OnTrailer(ByteView b) override { return inner->OnTrailer(b); }
  } tee;
  tee.inner = &encrypting;
  auto r = pipeline::Pack(*Env::Default(), pool, path, o, tee);
  REQUIRE(r.ok());
  REQUIRE((*enc)->Finish().ok());
  return {*r, tee.records, file.bytes};
}

}  // namespace

TEST_CASE("c4gh: resuming an encrypted pack at segment k re-creates the object's tail") {
  TempDir dir;
  const SecretKey sk = *GenerateSecretKey();
  auto params = EncryptionParams::Generate({*PublicKeyOf(sk), *PublicKeyOf(*GenerateSecretKey())});
  REQUIRE(params.ok());
  const uint64_t hdr = HeaderSize(2);
  pipeline::WorkerPool pool(2);

  struct Case {
    const char* name;
    std::string content;
    std::optional<pipeline::Encoding> force;
  };
  const Case cases[] = {
      {"zstd frames", seqgate::testing::FastqLike(2 << 20, 21), std::nullopt},
      {"identity chunks", seqgate::testing::RandomBytes((1 << 20) + 777, 22),
       pipeline::Encoding::kIdentity},
      {"empty zstd", "", pipeline::Encoding::kZstdSeekable},
  };
  for (const Case& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    const std::string path = dir.Write("in", c.content);
    pipeline::PackOptions o;
    o.frame_size = 100 << 10;  // frames and segments do not line up
    o.force_encoding = c.force;
    const EncryptedPack whole = PackAndEncrypt(path, o, *params);
    const uint64_t plain = whole.result.packed_size;
    const uint64_t segments = (plain + kSegmentSize - 1) / kSegmentSize;
    CHECK(whole.object.size() == hdr + BodySize(plain));
    for (uint64_t k : {uint64_t{0}, uint64_t{1}, segments / 2, segments - 1, segments}) {
      if (k > segments) continue;
      CAPTURE(k);
      StringSink tail;
      Status s = ResumeEncryptedPack(*Env::Default(), pool, path, o, whole.result.encoding,
                                     whole.records, *params, k, tail);
      REQUIRE_MESSAGE(s.ok(), s.ToString());
      // From segment 0 the header comes first: the whole object.
      const uint64_t from = k == 0 ? 0 : CiphertextOffsetOfSegment(k, hdr);
      CHECK(tail.bytes == whole.object.substr(std::min<uint64_t>(from, whole.object.size())));
    }
    CHECK(ResumeEncryptedPack(*Env::Default(), pool, path, o, whole.result.encoding, whole.records,
                              *params, segments + 1, *std::make_unique<StringSink>())
              .code() == StatusCode::kInvalidArgument);
  }

  // The source changed since: the re-packed frames no longer match their records.
  std::string content = seqgate::testing::FastqLike(1 << 20, 23);
  const std::string path = dir.Write("changing", content);
  pipeline::PackOptions o;
  o.frame_size = 100 << 10;
  const EncryptedPack whole = PackAndEncrypt(path, o, *params);
  content[(1 << 20) - 10] = content[(1 << 20) - 10] == 'A' ? 'C' : 'A';
  dir.Write("changing", content);
  StringSink tail;
  CHECK(ResumeEncryptedPack(*Env::Default(), pool, path, o, whole.result.encoding, whole.records,
                            *params, 1, tail)
            .code() == StatusCode::kSourceChanged);
}
