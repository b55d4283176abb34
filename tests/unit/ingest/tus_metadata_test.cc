#include "ingest/tus_metadata.h"

#include <doctest/doctest.h>

namespace seqgate::ingest {
namespace {

Metadata Parse(std::string_view h) {
  auto r = ParseUploadMetadata(h, 4096);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

std::string Reason(std::string_view h, size_t max = 4096) {
  auto r = ParseUploadMetadata(h, max);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST_CASE("empty and blank Upload-Metadata are valid and empty") {
  CHECK(Parse("").empty());
  CHECK(Parse("   ").empty());
}

TEST_CASE("pairs decode, key-only values are empty, spaces around pairs are tolerated") {
  Metadata m = Parse("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==, is_confidential,empty ");
  CHECK(m.size() == 3);
  CHECK(m["filename"] == "world_domination_plan.pdf");
  CHECK(m["is_confidential"].empty());
  CHECK(m["empty"].empty());
}

TEST_CASE("malformed metadata is refused with a reason") {
  CHECK(Reason("a YQ==,,b Yg==").find("empty") != std::string::npos);
  CHECK(Reason(",a YQ==").find("empty") != std::string::npos);
  CHECK(Reason("a YQ==,a Yg==").find("twice") != std::string::npos);
  CHECK(Reason("a not-base64!").find("base64") != std::string::npos);
  CHECK(Reason("a YQ").find("base64") != std::string::npos);          // missing padding
  CHECK(Reason("a YQ== extra").find("base64") != std::string::npos);  // two spaces
  CHECK(Reason("k\xc3\xa9y YQ==").find("ASCII") != std::string::npos);
  CHECK(Reason(std::string("k\x01y YQ==")).find("ASCII") != std::string::npos);
  CHECK(Reason(std::string(5000, 'a'), 4096).find("longer") != std::string::npos);
}

}  // namespace
}  // namespace seqgate::ingest
