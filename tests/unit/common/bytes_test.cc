#include <doctest/doctest.h>

#include "common/bytes.h"

using namespace seqgate;

TEST_CASE("base64 matches the RFC 4648 test vectors and round-trips") {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, enc] : vectors) {
    CHECK(Base64Encode(AsBytes(plain)) == enc);
    std::string back;
    REQUIRE(Base64Decode(enc, &back));
    CHECK(back == plain);
  }
}

TEST_CASE("base64 decoding is strict") {
  std::string out;
  CHECK_FALSE(Base64Decode("Zg=", &out));        // wrong length
  CHECK_FALSE(Base64Decode("Z===", &out));       // too much padding
  CHECK_FALSE(Base64Decode("Zg==Zg==", &out));   // padding in the middle
  CHECK_FALSE(Base64Decode("Zm9v YmFy", &out));  // whitespace
  CHECK_FALSE(Base64Decode("Zh==", &out));       // non-canonical trailing bits
  CHECK_FALSE(Base64Decode("Zm9-", &out));       // URL alphabet is not standard base64
}

TEST_CASE("hex encodes lower case and decodes either case, exact length only") {
  const uint8_t bytes[] = {0x00, 0xAB, 0xff, 0x10};
  CHECK(ToHex(bytes) == "00abff10");
  uint8_t out[4];
  REQUIRE(FromHex("00ABff10", out));
  CHECK(std::equal(std::begin(out), std::end(out), std::begin(bytes)));
  CHECK_FALSE(FromHex("00abff1", out));
  CHECK_FALSE(FromHex("00abff1g", out));
}

TEST_CASE("little-endian helpers") {
  uint8_t b[4];
  PutLe32(b, 0x8F92EAB1);
  CHECK(b[0] == 0xB1);
  CHECK(b[3] == 0x8F);
  CHECK(GetLe32(b) == 0x8F92EAB1);
}
