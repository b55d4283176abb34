#include <doctest/doctest.h>

#include <string>

#include "common/hashing.h"

using namespace seqgate;

namespace {
std::string Hex(DigestAlgorithm a, const std::string& s) {
  return ComputeDigest(a, AsBytes(s)).hex();
}
}  // namespace

TEST_CASE("digests match published test vectors (FIPS 180-4, RFC 1321)") {
  CHECK(Hex(DigestAlgorithm::kSha256, "") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Hex(DigestAlgorithm::kSha256, "abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Hex(DigestAlgorithm::kSha256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Hex(DigestAlgorithm::kMd5, "") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Hex(DigestAlgorithm::kMd5, "abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(Hex(DigestAlgorithm::kMd5, "message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(Hex(DigestAlgorithm::kSha1, "abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("one million 'a' through many small updates") {
  Hasher h(DigestAlgorithm::kSha256);
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.Update(AsBytes(chunk));
  CHECK(h.Finish().hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Finish resets: the hasher is reusable for a new stream.
  h.Update(AsBytes("abc"));
  CHECK(h.Finish().hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("digest names and sizes") {
  CHECK(DigestName(DigestAlgorithm::kSha256) == "sha256");
  CHECK(DigestSize(DigestAlgorithm::kMd5) == 16);
  CHECK(DigestSize(DigestAlgorithm::kSha1) == 20);
}

TEST_CASE("XXH64 with seed 0 matches the reference value for empty input") {
  CHECK(Xxh64({}) == 0xEF46DB3751D8E999ULL);
  CHECK(Xxh64(AsBytes("a")) != Xxh64(AsBytes("b")));
}
