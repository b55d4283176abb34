#include <doctest/doctest.h>

#include "crypt4gh/format.h"
#include "support/temp_dir.h"
#include "unit/crypt4gh/c4gh_test_util.h"

using namespace seqgate;
using namespace seqgate::crypt4gh;
using seqgate::testing::Decrypt;
using seqgate::testing::Encrypt;
using seqgate::testing::Pass;
using seqgate::testing::ReadFixture;

namespace {

SecretKey FixtureKey() {
  const auto pass = Pass("password");
  auto sk = ParsePrivateKey(ReadFixture("crypt4gh-x25519-enc.sec.pem"), &pass, "fixture");
  REQUIRE(sk.ok());
  return *sk;
}

struct Party {
  SecretKey sk;
  PublicKey pk;
};
Party NewParty() {
  Party p;
  p.sk = *GenerateSecretKey();
  p.pk = *PublicKeyOf(p.sk);
  return p;
}

}  // namespace

TEST_CASE("c4gh: the Go reference file decrypts to sample.txt, whatever the chunking") {
  const SecretKey sk = FixtureKey();
  const std::string enc = ReadFixture("sample.txt.enc");
  const std::string want = ReadFixture("sample.txt");
  for (size_t chunk : {size_t{1}, size_t{123}, size_t{65564}, size_t{1} << 20}) {
    CAPTURE(chunk);
    auto plain = Decrypt(sk, enc, chunk);
    REQUIRE_MESSAGE(plain.ok(), plain.status().ToString());
    CHECK(*plain == want);
  }
}

TEST_CASE("c4gh: round trips at segment edges, with the size the format predicts") {
  const Party r = NewParty();
  auto params = EncryptionParams::Generate({r.pk});
  REQUIRE(params.ok());
  for (size_t n :
       {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{3} << 20}) {
    CAPTURE(n);
    const std::string plain = seqgate::testing::RandomBytes(n, n + 1);
    auto enc = Encrypt(*params, plain, 0, 7777);
    REQUIRE(enc.ok());
    CHECK(enc->size() == HeaderSize(1) + BodySize(n));
    auto back = Decrypt(r.sk, *enc, 4096);
    REQUIRE_MESSAGE(back.ok(), back.status().ToString());
    CHECK(*back == plain);
  }
}

TEST_CASE("c4gh: every recipient decrypts; anyone else is told the file is not for them") {
  const Party a = NewParty(), b = NewParty(), c = NewParty(), stranger = NewParty();
  auto params = EncryptionParams::Generate({a.pk, b.pk, c.pk});
  REQUIRE(params.ok());
  const std::string plain = seqgate::testing::FastqLike(200000, 3);
  auto enc = Encrypt(*params, plain);
  REQUIRE(enc.ok());
  CHECK(enc->size() == HeaderSize(3) + BodySize(plain.size()));
  for (const Party* p : {&a, &b, &c}) CHECK(*Decrypt(p->sk, *enc) == plain);
  auto wrong = Decrypt(stranger.sk, *enc);
  CHECK(wrong.status().code() == StatusCode::kPermissionDenied);
  CHECK(wrong.status().message().find("other recipients") != std::string::npos);
}

TEST_CASE("c4gh: tampering anywhere is detected and nothing after it is released") {
  const Party r = NewParty();
  auto params = EncryptionParams::Generate({r.pk});
  const std::string plain = seqgate::testing::FastqLike(300000, 4);
  const std::string enc = *Encrypt(*params, plain);
  const size_t hdr = HeaderSize(1);
  // header: packet nonce, sealed key, tag; body: a nonce, ciphertext, a tag, the last segment
  for (size_t at :
       {size_t{60}, size_t{100}, hdr - 1, hdr + 3, hdr + 5000, hdr + 65563, enc.size() - 1}) {
    CAPTURE(at);
    std::string bad = enc;
    bad[at] = static_cast<char>(bad[at] ^ 0x40);
    testing::StringSink out;
    Decryptor d(r.sk, out);
    Status s = d.Write(AsBytes(bad));
    if (s.ok()) s = d.Finish();
    CHECK_FALSE(s.ok());
    // Segments before the damaged one may have been released; none at or after it.
    if (at >= hdr) CHECK(out.bytes.size() <= (at - hdr) / kSealedSegmentSize * kSegmentSize);
  }
  // A cut inside the last segment's tag, and a cut inside the header.
  CHECK(Decrypt(r.sk, std::string_view(enc).substr(0, enc.size() - 5)).status().code() ==
        StatusCode::kCorruption);
  CHECK(Decrypt(r.sk, std::string_view(enc).substr(0, 50)).status().message().find("truncated") !=
        std::string::npos);
  CHECK(Decrypt(r.sk, "not crypt4gh at all").status().message().find("magic") != std::string::npos);
}

TEST_CASE("c4gh: a trailing empty segment (as the Go writer makes for empty input) is accepted") {
  const Party r = NewParty();
  auto params = EncryptionParams::Generate({r.pk});
  std::string enc = *Encrypt(*params, "");
  REQUIRE(enc.size() == HeaderSize(1));
  // Append a sealed empty segment by hand: nonce, then the tag of nothing.
  const Nonce nonce = CounterNonce(params->segment_nonce_base, 0);
  std::vector<uint8_t> tag(kTagSize);
  Aead aead;
  REQUIRE(aead.Seal(params->header.data_key, nonce, {}, tag).ok());
  enc.append(AsChars(nonce));
  enc.append(AsChars(tag));
  auto back = Decrypt(r.sk, enc);
  REQUIRE(back.ok());
  CHECK(back->empty());
}

TEST_CASE("c4gh: resuming at segment k re-creates the same bytes as encrypting the whole") {
  const Party r = NewParty(), s = NewParty();
  auto params = EncryptionParams::Generate({r.pk, s.pk});
  REQUIRE(params.ok());
  const std::string plain = seqgate::testing::FastqLike((5 << 16) + 1234, 5);
  const std::string whole = *Encrypt(*params, plain);
  CHECK(*Encrypt(*params, plain, 0, 65536) == whole);  // the same again: deterministic
  const uint64_t hdr = HeaderSize(2);
  for (uint64_t k : {1u, 3u, 5u}) {
    CAPTURE(k);
    const std::string tail =
        *Encrypt(*params, std::string_view(plain).substr(PlaintextOffsetOfSegment(k)), k, 5000);
    CHECK(tail == whole.substr(CiphertextOffsetOfSegment(k, hdr)));
    // Stop after segment k-1, resume at k: the concatenation is the whole object.
    const std::string head =
        *Encrypt(*params, std::string_view(plain).substr(0, PlaintextOffsetOfSegment(k)));
    CHECK(head + tail == whole);
  }
  // Fresh parameters give different bytes (a new data key and nonces).
  auto other = EncryptionParams::Generate({r.pk, s.pk});
  CHECK(*Encrypt(*other, plain) != whole);
}
