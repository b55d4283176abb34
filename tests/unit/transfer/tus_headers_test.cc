#include "transfer/tus_headers.h"

#include <doctest/doctest.h>

#include "common/bytes.h"

namespace seqgate::transfer {
namespace {

using std::chrono::seconds;

TEST_CASE("OPTIONS discovery: extensions, checksum algorithms, max size") {
  auto caps =
      ParseServerCaps("1.0.0", "creation, creation-defer-length,checksum,seqgate-verification",
                      "1073741824", "sha1,sha256 ,md5");
  REQUIRE(caps.ok());
  CHECK(caps->Has("creation-defer-length"));
  CHECK(caps->Has("seqgate-verification"));
  CHECK_FALSE(caps->Has("termination"));
  CHECK(caps->HasChecksum("sha256"));
  CHECK(caps->max_size == 1073741824u);

  // @tus/server: no checksum extension, so an algorithm list alone does not count.
  auto plain = ParseServerCaps("1.0.0", "creation,creation-with-upload,creation-defer-length",
                               std::nullopt, "sha256");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->HasChecksum("sha256"));
  CHECK_FALSE(plain->max_size.has_value());

  CHECK(ParseServerCaps("0.2.2", "creation", std::nullopt, std::nullopt).status().code() ==
        StatusCode::kUnsupported);
  CHECK(ParseServerCaps(std::nullopt, "creation", std::nullopt, std::nullopt).status().code() ==
        StatusCode::kUnsupported);
  CHECK(ParseServerCaps("1.0.0", "creation", "lots", std::nullopt).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("Upload-Metadata and Upload-Checksum values") {
  CHECK(EncodeMetadata({{"filename", "a b.fastq"}, {"seqgate-run", "R1"}}) ==
        "filename YSBiLmZhc3Rx,seqgate-run UjE=");
  CHECK(EncodeMetadata({}).empty());
  Digest d = ComputeDigest(DigestAlgorithm::kSha256, AsBytes(""));
  CHECK(ChecksumHeader(DigestAlgorithm::kSha256, d) ==
        "sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST_CASE("offsets parse strictly") {
  CHECK(ParseUnsigned("0") == 0u);
  CHECK(ParseUnsigned("18446744073709551615") == UINT64_MAX);
  CHECK_FALSE(ParseUnsigned("18446744073709551616"));
  CHECK_FALSE(ParseUnsigned(""));
  CHECK_FALSE(ParseUnsigned("-1"));
  CHECK_FALSE(ParseUnsigned("12 "));
  CHECK_FALSE(ParseUnsigned("0x10"));
}

TEST_CASE("Retry-After: seconds, HTTP dates, garbage") {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37
  CHECK(ParseRetryAfter("120", now) == seconds(120));
  CHECK(ParseRetryAfter(" 5 ", now) == seconds(5));
  CHECK(ParseRetryAfter("99999999", now) == seconds(86400));
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now) == seconds(30));
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now) == seconds(0));
  // Year 4000: a valid HTTP-date whose nanoseconds overflow a system_clock time point.
  CHECK(ParseRetryAfter("Sat, 01 Jan 4000 00:00:00 GMT", now) == seconds(86400));
  CHECK_FALSE(ParseRetryAfter("soon", now));
  CHECK_FALSE(ParseRetryAfter("-3", now));
  CHECK_FALSE(ParseRetryAfter("Sun, 06 Xyz 1994 08:50:07 GMT", now));
}

TEST_CASE("Location resolves like a browser would") {
  CHECK(*ResolveLocation("https://c:8443/files/", "/files/abc") == "https://c:8443/files/abc");
  CHECK(*ResolveLocation("https://c:8443/files/", "abc") == "https://c:8443/files/abc");
  CHECK(*ResolveLocation("https://c:8443", "/files/x") == "https://c:8443/files/x");
  CHECK(*ResolveLocation("https://C:8443/files", "HTTPS://c:8443/files/y") ==
        "HTTPS://c:8443/files/y");
}

TEST_CASE("a Location on another origin is refused: data and certificate stay with the centre") {
  for (const char* loc : {"https://d/x", "https://c:9443/files/x", "http://c:8443/files/x",
                          "//evil/files/x", "https://c:8443@evil/files/x"}) {
    auto r = ResolveLocation("https://c:8443/files/", loc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kPermissionDenied);
    CHECK(r.status().message().find("another origin") != std::string::npos);
  }
}

TEST_CASE("lists split and trim") {
  CHECK(SplitList(" a, b ,,c ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(SplitList("").empty());
}

}  // namespace
}  // namespace seqgate::transfer
