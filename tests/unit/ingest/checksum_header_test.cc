#include "ingest/checksum_header.h"

#include <doctest/doctest.h>

#include "common/bytes.h"

namespace seqgate::ingest {
namespace {

TEST_CASE("sha1, sha256 and md5 checksum headers parse") {
  for (auto alg : {DigestAlgorithm::kSha1, DigestAlgorithm::kSha256, DigestAlgorithm::kMd5}) {
    Digest d = ComputeDigest(alg, AsBytes("hello"));
    std::string header = std::string(DigestName(alg)) + " " + Base64Encode(d.view());
    auto r = ParseUploadChecksum(header);
    REQUIRE_MESSAGE(r.ok(), header);
    CHECK(r->algorithm == alg);
    CHECK(r->expected == d);
  }
}

TEST_CASE("unknown algorithms are unsupported, malformed headers invalid") {
  auto crc = ParseUploadChecksum("crc32 AAAAAA==");
  REQUIRE_FALSE(crc.ok());
  CHECK(crc.status().code() == StatusCode::kUnsupported);
  CHECK_FALSE(ParseUploadChecksum("SHA1 qvTGHdzF6KLavt4PO0gs2a6pQ00=").ok());  // case matters
  CHECK(ParseUploadChecksum("sha1").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParseUploadChecksum("sha1 !!!").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParseUploadChecksum("sha1 AAAA").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParseUploadChecksum("sha256 qvTGHdzF6KLavt4PO0gs2a6pQ00=").status().code() ==
        StatusCode::kInvalidArgument);  // a sha1-sized digest
}

}  // namespace
}  // namespace seqgate::ingest
