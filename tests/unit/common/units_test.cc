#include <doctest/doctest.h>

#include "common/units.h"

using namespace seqgate;

TEST_CASE("byte sizes: binary and decimal suffixes") {
  CHECK(ParseByteSize("1048576").value() == 1048576);
  CHECK(ParseByteSize("64K").value() == 65536);
  CHECK(ParseByteSize("8MiB").value() == 8u << 20);
  CHECK(ParseByteSize("8mib").value() == 8u << 20);
  CHECK(ParseByteSize("1G").value() == 1ull << 30);
  CHECK(ParseByteSize("2.5GiB").value() == 5ull << 29);
  CHECK(ParseByteSize("20MB").value() == 20'000'000);
  CHECK(ParseByteSize("0").value() == 0);
}

TEST_CASE("byte sizes: malformed text is refused with the text named") {
  for (const char* bad : {"", "MiB", "12XB", "-5", "1.5", "1e9", "99999999999999999999T"}) {
    auto r = ParseByteSize(bad);
    CHECK_FALSE(r.ok());
    if (!r.ok())
      CHECK(r.status().message().find(std::string("'") + bad + "'") != std::string::npos);
  }
}

TEST_CASE("byte sizes for humans") {
  CHECK(FormatBytes(17) == "17 B");
  CHECK(FormatBytes(1536) == "1.50 KiB");
  CHECK(FormatBytes(3ull << 30) == "3.00 GiB");
}
