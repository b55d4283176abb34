#include "transfer/file_receipt.h"

#include <doctest/doctest.h>

#include <string>

namespace seqgate::transfer {
namespace {

const std::string kSha(64, 'a');
const std::string kMd5 = "0123456789abcdef0123456789abcdef";

TEST_CASE("a signed receipt is read through its wrapper") {
  auto r = ParseFileReceipt(R"({"receipt": {"status": "verified", "encoding": "zstd-seekable",
      "sha256": ")" + kSha + R"(", "md5": ")" +
                            kMd5 + R"(", "packed_size": 10,
      "original_size": 42}, "signature": "x"})");
  REQUIRE(r);
  CHECK(r->status == "verified");
  CHECK(r->encoding == "zstd-seekable");
  CHECK(r->sha256 == kSha);
  CHECK(r->packed_size == 10);
  CHECK(r->original_size == 42);
  CHECK(r->Md5IfSha256Is(kSha) == kMd5);
}

TEST_CASE("a bare receipt reads the same") {
  auto r = ParseFileReceipt(R"({"status": "quarantined", "reason": "sha256 differs"})");
  REQUIRE(r);
  CHECK(r->status == "quarantined");
  CHECK(r->reason == "sha256 differs");
  CHECK(r->sha256.empty());
}

TEST_CASE("wrongly typed fields read as empty and never throw") {
  auto r = ParseFileReceipt(
      R"({"receipt": {"status": 1, "sha256": [], "md5": {}, "packed_size": -5,
          "original_size": "12"}})");
  REQUIRE(r);
  CHECK(r->status.empty());
  CHECK(r->sha256.empty());
  CHECK(r->md5.empty());
  CHECK(r->packed_size == 0);
  CHECK(r->original_size == 0);
  // A "receipt" that is not an object leaves the outer document as the receipt.
  auto outer = ParseFileReceipt(R"({"receipt": "no", "status": "verified"})");
  REQUIRE(outer);
  CHECK(outer->status == "verified");
}

TEST_CASE("what is not a JSON object is no receipt") {
  CHECK_FALSE(ParseFileReceipt(""));
  CHECK_FALSE(ParseFileReceipt("[1, 2]"));
  CHECK_FALSE(ParseFileReceipt("{\"status\": "));
  CHECK_FALSE(ParseFileReceipt("1e999"));
}

TEST_CASE("the centre's MD5 is adopted only for our SHA-256 and only when well formed") {
  FileReceipt r;
  r.sha256 = kSha;
  r.md5 = kMd5;
  CHECK(r.Md5IfSha256Is(kSha) == kMd5);
  CHECK(r.Md5IfSha256Is(std::string(64, 'b')).empty());  // it hashed other bytes
  CHECK(r.Md5IfSha256Is("").empty());
  r.md5 = "0123456789ABCDEF0123456789ABCDEF";  // upper case: not what the centre writes
  CHECK(r.Md5IfSha256Is(kSha).empty());
  r.md5 = kMd5.substr(1);
  CHECK(r.Md5IfSha256Is(kSha).empty());
  r.md5 = std::string(31, '0') + "g";
  CHECK(r.Md5IfSha256Is(kSha).empty());
}

}  // namespace
}  // namespace seqgate::transfer
