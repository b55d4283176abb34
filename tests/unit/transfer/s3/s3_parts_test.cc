#include <doctest/doctest.h>

#include "common/error_class.h"
#include "common/hashing.h"
#include "support/temp_dir.h"
#include "transfer/s3/access_token.h"
#include "transfer/s3/inbox_path.h"
#include "transfer/s3/multipart_state.h"
#include "transfer/s3/part_plan.h"

namespace seqgate::transfer::s3 {
namespace {

TEST_CASE("part size: 16 MiB floor, grown to keep at most 10,000 parts") {
  auto p = PlanParts(100 * kMiB, 0);
  REQUIRE(p.ok());
  CHECK(p->part_size == 16 * kMiB);
  CHECK(p->part_count == 7);
  CHECK(p->Length(7) == 4 * kMiB);
  CHECK(p->Offset(7) == 96 * kMiB);

  const uint64_t tib = 1024 * 1024 * kMiB;
  p = PlanParts(tib, 0);
  REQUIRE(p.ok());
  CHECK(p->part_count <= kS3MaxParts);
  CHECK(p->part_size % kMiB == 0);
  CHECK(p->part_size * kS3MaxParts >= tib);
  CHECK((p->part_size - kMiB) * kS3MaxParts < tib);  // no bigger than needed

  p = PlanParts(0, 0);
  REQUIRE(p.ok());
  CHECK(p->part_count == 1);
  CHECK(p->Length(1) == 0);

  p = PlanParts(10 * kMiB, 5 * kMiB);
  REQUIRE(p.ok());
  CHECK(p->part_count == 2);
  CHECK(PlanParts(10 * kMiB, 4 * kMiB).status().code() == StatusCode::kInvalidArgument);
  CHECK(!PlanParts(60 * tib, 0).ok());  // would need parts over 5 GiB
}

TEST_CASE("multipart ETag is md5 of the part MD5s, dash, count") {
  const std::string p1(5 * 1024 * 1024, 'a'), p2(1000, 'b');
  std::vector<Digest> md5s{ComputeDigest(DigestAlgorithm::kMd5, AsBytes(p1)),
                           ComputeDigest(DigestAlgorithm::kMd5, AsBytes(p2))};
  // Known answer from Python's hashlib.
  CHECK(MultipartEtag(md5s) == "\"8c6f96fe400c627d9394af6161f5921d-2\"");
  CHECK(NormalizeEtag("W/\"ABCDEF-2\"") == "abcdef-2");
}

TEST_CASE("JWT exp and sub are read without verifying the signature") {
  // payload {"sub": "user_example.org", "exp": 1900000000}
  const std::string tok =
      "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiAidXNlcl9leGFtcGxlLm9yZyIsICJleHAiOiAxOTAwMDAwMDAwfQ.c2ln";
  auto t = ParseAccessToken(tok + "\n");
  REQUIRE(t.ok());
  CHECK(t->exp == 1900000000);
  CHECK(t->sub == "user_example.org");
  CHECK(t->token == tok);
  CHECK(StageAt(*t, 1900000000 - 25 * 3600) == ExpiryStage::kFine);
  CHECK(StageAt(*t, 1900000000 - 23 * 3600) == ExpiryStage::kWithin24h);
  CHECK(StageAt(*t, 1900000000 - 3600) == ExpiryStage::kWithin2h);
  CHECK(StageAt(*t, 1900000000) == ExpiryStage::kExpired);
  CHECK(t->ExpiredAt(1900000000));
  CHECK(!t->ExpiredAt(1899999999));
}

TEST_CASE("malformed tokens are refused without echoing them") {
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "a.!!!.c", "a.bm90IGpzb24.c",
                          "a.eyJleHAiOiAic29vbiJ9.c" /* exp is a string */, "a b.c.d"}) {
    auto t = ParseAccessToken(bad);
    CHECK_MESSAGE(!t.ok(), bad);
    if (!t.ok() && std::string(bad).size() > 3)
      CHECK(t.status().message().find(bad) == std::string::npos);
  }
}

TEST_CASE("token file is re-read when replaced") {
  seqgate::testing::TempDir dir;
  const std::string exp1 = "eyJleHAiOiAxMDB9";    // {"exp": 100}
  const std::string exp2 = "eyJleHAiOiAyMDAwfQ";  // {"exp": 2000}
  const std::string path = dir.Write("token", "h." + exp1 + ".s\n");
  TokenFile f(*Env::Default(), path);
  auto t = f.Current();
  REQUIRE(t.ok());
  CHECK(t->exp == 100);
  dir.Write("token.new", "h." + exp2 + ".s");
  REQUIRE(::rename(dir.File("token.new").c_str(), path.c_str()) == 0);
  t = f.Current();
  REQUIRE(t.ok());
  CHECK(t->exp == 2000);
  TokenFile missing(*Env::Default(), dir.File("nope"));
  CHECK(!missing.Current().ok());
}

TEST_CASE("inbox object names: forbidden characters refused with their position") {
  CHECK(CheckInboxKey("run1/reads/sample_1.fastq.gz.c4gh").ok());
  CHECK(CheckInboxKey("a b/ü.txt").ok());  // spaces and UTF-8 are allowed
  for (char c : kInboxForbiddenChars) {
    const std::string key = std::string("dir/a") + c + "b";
    const Status st = CheckInboxKey(key);
    CHECK_MESSAGE(st.code() == StatusCode::kInvalidArgument, key);
    CHECK(st.message().find("at byte 5") != std::string::npos);
  }
  CHECK(!CheckInboxKey(std::string("a\x01") + "b").ok());
  CHECK(!CheckInboxKey("a\x7f").ok());
  CHECK(!CheckInboxKey("").ok());
  CHECK(!CheckInboxKey("/abs").ok());
  CHECK(!CheckInboxKey("a//b").ok());
  CHECK(!CheckInboxKey("a/../b").ok());
  CHECK(!CheckInboxKey("a/").ok());
  CHECK(CheckInboxBucket("user_example.org").ok());
  CHECK(!CheckInboxBucket("user@example.org").ok());
  CHECK(!CheckInboxBucket("a/b").ok());
}

TEST_CASE("S3 error codes are classified in error_class") {
  CHECK(IsTransient(S3ErrorStatus(503, "SlowDown", "UploadPart 3")));
  CHECK(IsTransient(S3ErrorStatus(400, "BadDigest", "UploadPart 3")));
  CHECK(IsTransient(S3ErrorStatus(400, "XAmzContentSHA256Mismatch", "x")));
  CHECK(IsTransient(S3ErrorStatus(200, "InternalError", "Complete")));
  CHECK(S3ErrorStatus(403, "SignatureDoesNotMatch", "x").code() == StatusCode::kPermissionDenied);
  CHECK(S3ErrorStatus(403, "AccessDenied", "x").code() == StatusCode::kPermissionDenied);
  CHECK(S3ErrorStatus(404, "NoSuchUpload", "x").code() == StatusCode::kNotFound);
  CHECK(S3ErrorStatus(400, "InvalidPart", "x").code() == StatusCode::kInvalidArgument);
  CHECK(!IsTransient(S3ErrorStatus(200, "WhoKnows", "x")));
  CHECK(IsTransient(S3ErrorStatus(500, "", "x")));  // unknown code: by HTTP status
  CHECK(!IsTransient(S3ErrorStatus(400, "", "x")));
  CHECK(S3ErrorStatus(503, "SlowDown", "UploadPart 3").message().find("SlowDown") !=
        std::string::npos);
}

TEST_CASE("multipart state survives a JSON round trip; damage is reported") {
  MultipartState s;
  s.endpoint = "https://localhost:1";
  s.bucket = "u";
  s.key = "k/x";
  s.source_fingerprint = "file:1:2:3:4";
  s.object_size = 123;
  s.part_size = 16 * kMiB;
  s.upload_id = "id";
  s.parts[2] = {10, "00ff", "00ff"};
  auto back = MultipartStateFromJson(MultipartStateToJson(s));
  REQUIRE(back.ok());
  CHECK(back->parts.at(2).md5 == "00ff");
  CHECK(back->upload_id == "id");
  CHECK(MultipartStateFromJson("{").status().code() == StatusCode::kCorruption);
  CHECK(MultipartStateFromJson("{\"version\":1}").status().code() == StatusCode::kCorruption);
  // Numbers that are not integers in range are refused, not converted (undefined behaviour).
  const std::string good = MultipartStateToJson(s);
  // (No structured binding: clang 14 cannot capture one in doctest's CAPTURE.)
  for (const std::pair<std::string, std::string>& edit :
       std::vector<std::pair<std::string, std::string>>{
           {"\"object_size\": 123", "\"object_size\": 6.5e67"},
           {"\"object_size\": 123", "\"object_size\": -1"},
           {"\"part_size\": 16777216", "\"part_size\": 1.5"},
           {"\"version\": 1", "\"version\": 4294967297"},
           {"\"number\": 2", "\"number\": 1e20"}}) {
    CAPTURE(edit.second);
    std::string bad = good;
    const size_t at = bad.find(edit.first);
    REQUIRE(at != std::string::npos);
    bad.replace(at, edit.first.size(), edit.second);
    const auto r = MultipartStateFromJson(bad);
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK(r.status().message().find("not an integer in range") != std::string::npos);
  }
  seqgate::testing::TempDir dir;
  REQUIRE(SaveMultipartState(dir.File("st"), s).ok());
  auto loaded = LoadMultipartState(dir.File("st"));
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->key == "k/x");
  auto none = LoadMultipartState(dir.File("absent"));
  REQUIRE(none.ok());
  CHECK(!none->has_value());
}

}  // namespace
}  // namespace seqgate::transfer::s3
