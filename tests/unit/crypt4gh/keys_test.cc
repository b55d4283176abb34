#include <doctest/doctest.h>

#include "crypt4gh/keys.h"
#include "crypt4gh/primitives.h"
#include "unit/crypt4gh/c4gh_test_util.h"

using namespace seqgate;
using namespace seqgate::crypt4gh;
using seqgate::testing::Pass;
using seqgate::testing::ReadFixture;

namespace {

// The body of the private key's PEM, decoded; and back.
std::string Body(const std::string& pem) {
  const size_t a = pem.find('\n') + 1;
  const size_t b = pem.find('\n', a);
  std::string raw;
  REQUIRE(Base64Decode(pem.substr(a, b - a), &raw));
  return raw;
}
std::string Rewrap(const std::string& raw) {
  return "-----BEGIN CRYPT4GH ENCRYPTED PRIVATE KEY-----\n" + Base64Encode(AsBytes(raw)) +
         "\n-----END CRYPT4GH ENCRYPTED PRIVATE KEY-----\n";
}

}  // namespace

TEST_CASE("c4gh: the Go reference key opens with its passphrase and matches its public key") {
  const auto pass = Pass("password");
  auto sk = ParsePrivateKey(ReadFixture("crypt4gh-x25519-enc.sec.pem"), &pass, "sec.pem");
  REQUIRE_MESSAGE(sk.ok(), sk.status().ToString());
  auto pub = ParsePublicKeys(ReadFixture("crypt4gh-x25519-enc.pub.pem"), "pub.pem");
  REQUIRE(pub.ok());
  REQUIRE(pub->size() == 1);
  CHECK(*PublicKeyOf(*sk) == pub->front());
  CHECK(*PrivateKeyKdf(ReadFixture("crypt4gh-x25519-enc.sec.pem"), "x") == KeyKdf::kScrypt);
}

TEST_CASE("c4gh: a wrong passphrase is named as such") {
  const auto pass = Pass("passw0rd");
  auto sk = ParsePrivateKey(ReadFixture("crypt4gh-x25519-enc.sec.pem"), &pass, "sec.pem");
  CHECK(sk.status().code() == StatusCode::kPermissionDenied);
  CHECK(sk.status().message().find("wrong passphrase") != std::string::npos);
  CHECK(sk.status().message().find("sec.pem") != std::string::npos);
}

TEST_CASE("c4gh: a protected key without a passphrase asks for one") {
  auto sk = ParsePrivateKey(ReadFixture("crypt4gh-x25519-enc.sec.pem"), nullptr, "sec.pem");
  CHECK(sk.status().code() == StatusCode::kInvalidArgument);
  CHECK(sk.status().message().find("no passphrase") != std::string::npos);
}

TEST_CASE("c4gh: truncated and garbled private keys fail cleanly") {
  const std::string pem = ReadFixture("crypt4gh-x25519-enc.sec.pem");
  const auto pass = Pass("password");
  const std::string raw = Body(pem);
  for (size_t cut : {size_t{3}, size_t{10}, size_t{20}, size_t{45}, raw.size() - 30}) {
    CAPTURE(cut);
    auto sk = ParsePrivateKey(Rewrap(raw.substr(0, cut)), &pass, "k");
    CHECK_FALSE(sk.ok());
  }
  // No END line.
  CHECK(ParsePrivateKey(pem.substr(0, pem.size() - 20), &pass, "k")
            .status()
            .message()
            .find("truncated") != std::string::npos);
  // Not base64.
  std::string bad = pem;
  bad[60] = '!';
  CHECK(ParsePrivateKey(bad, &pass, "k").status().code() == StatusCode::kInvalidArgument);
  // A flipped byte in the sealed key fails authentication.
  std::string flipped = raw;
  flipped[raw.size() - 10] ^= 1;
  CHECK(ParsePrivateKey(Rewrap(flipped), &pass, "k").status().code() ==
        StatusCode::kPermissionDenied);
  CHECK(ParsePrivateKey("hello\n", &pass, "k").status().message().find("no Crypt4GH private key") !=
        std::string::npos);
}

TEST_CASE("c4gh: unsupported KDFs and ciphers are named") {
  const auto pass = Pass("x");
  std::string blob = "c4gh-v1";
  auto put = [&blob](std::string_view s) {
    blob += static_cast<char>(s.size() >> 8);
    blob += static_cast<char>(s.size() & 0xFF);
    blob += s;
  };
  put("bcrypt");
  put(std::string(4, '\0') + std::string(16, 's'));
  put("chacha20_poly1305");
  put(std::string(60, 'p'));
  auto sk = ParsePrivateKey(Rewrap(blob), &pass, "k");
  CHECK(sk.status().code() == StatusCode::kUnsupported);
  CHECK(sk.status().message().find("bcrypt") != std::string::npos);

  blob = "c4gh-v1";
  put("argon2");
  sk = ParsePrivateKey(Rewrap(blob), &pass, "k");
  CHECK(sk.status().code() == StatusCode::kUnsupported);

  blob = "c4gh-v1";
  put("scrypt");
  put(std::string(4, '\0') + std::string(16, 's'));
  put("aes256_gcm");
  put(std::string(60, 'p'));
  sk = ParsePrivateKey(Rewrap(blob), &pass, "k");
  CHECK(sk.status().code() == StatusCode::kUnsupported);
  CHECK(sk.status().message().find("aes256_gcm") != std::string::npos);
}

TEST_CASE("c4gh: keys we write read back, with scrypt and with none") {
  auto sk = GenerateSecretKey();
  REQUIRE(sk.ok());
  const auto pass = Pass("correct horse");
  auto enc = FormatPrivateKey(*sk, &pass, "a comment");
  REQUIRE(enc.ok());
  CHECK(enc->starts_with("-----BEGIN CRYPT4GH ENCRYPTED PRIVATE KEY-----\n"));
  CHECK(*ParsePrivateKey(*enc, &pass, "k") == *sk);
  CHECK(*PrivateKeyKdf(*enc, "k") == KeyKdf::kScrypt);

  auto plain = FormatPrivateKey(*sk, nullptr);
  REQUIRE(plain.ok());
  CHECK(plain->find("YzRnaC12MQAEbm9uZQAEbm9uZQAg") != std::string::npos);  // as Go writes it
  CHECK(*ParsePrivateKey(*plain, nullptr, "k") == *sk);
  CHECK(*PrivateKeyKdf(*plain, "k") == KeyKdf::kNone);

  const PublicKey pk = *PublicKeyOf(*sk);
  const std::string pub = FormatPublicKey(pk);
  CHECK(pub.starts_with("-----BEGIN CRYPT4GH PUBLIC KEY-----\n"));
  auto back = ParsePublicKeys(pub + pub, "two.pub");  // concatenated keys, as sda-cli allows
  REQUIRE(back.ok());
  CHECK(back->size() == 2);
  CHECK(back->front() == pk);
}

TEST_CASE("c4gh: public key errors") {
  CHECK(ParsePublicKeys("", "p").status().message().find("no CRYPT4GH PUBLIC KEY") !=
        std::string::npos);
  CHECK(ParsePublicKeys(ReadFixture("crypt4gh-x25519-enc.sec.pem"), "p").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(ParsePublicKeys("-----BEGIN CRYPT4GH PUBLIC KEY-----\nAAAA\n-----END CRYPT4GH PUBLIC "
                        "KEY-----\n",
                        "p")
            .status()
            .message()
            .find("3 bytes") != std::string::npos);
  CHECK_FALSE(ParsePublicKeys("-----BEGIN CRYPT4GH PUBLIC KEY-----\ny67skGFKqYN\n", "p").ok());
}
