#include <doctest/doctest.h>

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
