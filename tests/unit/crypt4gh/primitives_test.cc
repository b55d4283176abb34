#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "crypt4gh/format.h"
#include "crypt4gh/primitives.h"

using namespace seqgate;
using namespace seqgate::crypt4gh;

namespace {

template <size_t N>
std::array<uint8_t, N> Hex(std::string_view h) {
  std::array<uint8_t, N> a{};
  REQUIRE(FromHex(h, a));
  return a;
}

SecretKey SecretHex(std::string_view h) {
  SecretKey k;
  REQUIRE(FromHex(h, k.mutable_view()));
  return k;
}

}  // namespace

TEST_CASE("c4gh: X25519 public keys match RFC 7748 section 6.1") {
  const SecretKey alice =
      SecretHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const SecretKey bob =
      SecretHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  auto pa = PublicKeyOf(alice);
  auto pb = PublicKeyOf(bob);
  REQUIRE(pa.ok());
  REQUIRE(pb.ok());
  CHECK(ToHex(*pa) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(ToHex(*pb) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
}

TEST_CASE("c4gh: writer and reader derive the same header key, and it depends on the key order") {
  auto w = GenerateSecretKey();
  auto r = GenerateSecretKey();
  REQUIRE(w.ok());
  REQUIRE(r.ok());
  const PublicKey wpk = *PublicKeyOf(*w), rpk = *PublicKeyOf(*r);
  auto kw = SharedKey(*w, rpk, rpk, wpk);
  auto kr = SharedKey(*r, wpk, rpk, wpk);
  REQUIRE(kw.ok());
  REQUIRE(kr.ok());
  CHECK(*kw == *kr);
  auto swapped = SharedKey(*w, rpk, wpk, rpk);
  REQUIRE(swapped.ok());
  CHECK_FALSE(*swapped == *kw);
}

TEST_CASE("c4gh: a low-order public key is refused, not turned into an all-zero key") {
  auto w = GenerateSecretKey();
  REQUIRE(w.ok());
  const PublicKey zero{};
  auto k = SharedKey(*w, zero, zero, *PublicKeyOf(*w));
  CHECK(k.status().code() == StatusCode::kCorruption);
}

TEST_CASE("c4gh: AEAD seals and opens, and rejects a flipped bit or a wrong key") {
  SymmetricKey key;
  REQUIRE(RandomBytes(key.mutable_view()).ok());
  const Nonce nonce = Hex<12>("000000000102030405060708");
  const std::string msg = "Ladies and Gentlemen of the class of '99";
  std::vector<uint8_t> sealed(msg.size() + kTagSize), out(msg.size());
  Aead aead;
  REQUIRE(aead.Seal(key, nonce, AsBytes(msg), sealed).ok());
  auto ok = aead.Open(key, nonce, sealed, out);
  REQUIRE(ok.ok());
  CHECK(*ok);
  CHECK(std::string(AsChars(out)) == msg);
  sealed[3] ^= 1;
  CHECK_FALSE(*aead.Open(key, nonce, sealed, out));
  sealed[3] ^= 1;
  SymmetricKey other = key;
  other.data()[0] ^= 1;
  CHECK_FALSE(*aead.Open(other, nonce, sealed, out));
}

TEST_CASE("c4gh: scrypt matches RFC 7914 section 12 (password, NaCl, N=1024, r=8, p=16)") {
  auto k = Scrypt(AsBytes("password"), AsBytes("NaCl"), 1024, 8, 16);
  REQUIRE(k.ok());
  // The first 32 of the RFC's 64 output bytes (scrypt output is a PBKDF2 stream: a prefix).
  CHECK(ToHex(k->view()) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162");
}

TEST_CASE("c4gh: counter nonces carry across bytes and wrap at 2^96") {
  Nonce base{};
  base[0] = 0xFF;
  base[1] = 0xFF;
  const Nonce n = CounterNonce(base, 1);
  CHECK(n[0] == 0);
  CHECK(n[1] == 0);
  CHECK(n[2] == 1);
  Nonce top;
  top.fill(0xFF);
  const Nonce wrapped = CounterNonce(top, 1);
  CHECK(std::all_of(wrapped.begin(), wrapped.end(), [](uint8_t b) { return b == 0; }));
  CHECK(CounterNonce(base, 0) == base);
  CHECK(CounterNonce(Nonce{}, 0x0102030405060708ull)[0] == 0x08);
  CHECK(CounterNonce(Nonce{}, 0x0102030405060708ull)[7] == 0x01);
}
