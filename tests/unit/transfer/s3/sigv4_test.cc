// SigV4 against the worked examples in the AWS S3 API reference ("Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk") and the IAM signing-key example.
// botocore's signer is compared separately, in tests/integration/s3_sigv4_botocore.sh.
#include "transfer/s3/sigv4.h"

#include <doctest/doctest.h>

#include "common/bytes.h"

namespace seqgate::transfer::s3 {
namespace {

constexpr char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// 2013-05-24T00:00:00Z
constexpr int64_t kExampleTime = 1369353600;

Credentials ExampleCreds() {
  return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
}

std::string SignatureOf(const std::string& auth) { return auth.substr(auth.rfind('=') + 1); }

TEST_CASE("SigV4 signing key matches the AWS example") {
  const std::string k =
      SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
  CHECK(ToHex(AsBytes(k)) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST_CASE("SigV4 GET object with Range matches the AWS example") {
  SignInput in;
  in.method = "GET";
  in.host = "examplebucket.s3.amazonaws.com";
  in.path = "/test.txt";
  in.headers = {{"Range", "bytes=0-9"}};
  in.payload_sha256 = kEmptySha;
  in.unix_time = kExampleTime;
  auto s = SignV4(in, ExampleCreds());
  REQUIRE(s.ok());
  CHECK(s->authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  CHECK(s->target == "/test.txt");
}

TEST_CASE("SigV4 GET bucket lifecycle (empty query value) matches the AWS example") {
  SignInput in;
  in.method = "GET";
  in.host = "examplebucket.s3.amazonaws.com";
  in.path = "/";
  in.query = {{"lifecycle", ""}};
  in.payload_sha256 = kEmptySha;
  in.unix_time = kExampleTime;
  auto s = SignV4(in, ExampleCreds());
  REQUIRE(s.ok());
  CHECK(SignatureOf(s->authorization) ==
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  CHECK(s->target == "/?lifecycle=");
}

TEST_CASE("SigV4 list objects with a sorted query matches the AWS example") {
  SignInput in;
  in.method = "GET";
  in.host = "examplebucket.s3.amazonaws.com";
  in.path = "/";
  in.query = {{"prefix", "J"}, {"max-keys", "2"}};  // given unsorted on purpose
  in.payload_sha256 = kEmptySha;
  in.unix_time = kExampleTime;
  auto s = SignV4(in, ExampleCreds());
  REQUIRE(s.ok());
  CHECK(SignatureOf(s->authorization) ==
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  CHECK(s->target == "/?max-keys=2&prefix=J");
}

TEST_CASE("SigV4 encodes paths per segment and queries fully") {
  CHECK(UriEncode("/b/my file+ü.txt", true) == "/b/my%20file%2B%C3%BC.txt");
  CHECK(UriEncode("a/b=c&d~e", false) == "a%2Fb%3Dc%26d~e");
  CHECK(CanonicalTarget("/b/k", {{"uploads", ""}}) == "/b/k?uploads=");
  CHECK(CanonicalTarget("/b/k", {{"uploadId", "x y"}, {"partNumber", "2"}}) ==
        "/b/k?partNumber=2&uploadId=x%20y");
}

TEST_CASE("SigV4 signs the session token and refuses unsignable input") {
  SignInput in;
  in.method = "PUT";
  in.host = "localhost:9000";
  in.path = "/user/k";
  in.payload_sha256 = kEmptySha;
  in.unix_time = kExampleTime;
  Credentials c = ExampleCreds();
  c.session_token = "tok.en.value";
  auto s = SignV4(in, c);
  REQUIRE(s.ok());
  CHECK(s->authorization.find(
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token") !=
        std::string::npos);
  c.session_token = "bad\r\nX-Injected: 1";
  CHECK(SignV4(in, c).status().code() == StatusCode::kInvalidArgument);
  c.session_token.clear();
  in.headers = {{"content-md5", "a\nb"}};
  CHECK(!SignV4(in, c).ok());
  in.headers.clear();
  in.path = "nope";
  CHECK(!SignV4(in, c).ok());
  CHECK(!SignV4(in, Credentials{}).ok());
}

}  // namespace
}  // namespace seqgate::transfer::s3
