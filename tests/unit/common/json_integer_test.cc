#include "common/json_integer.h"

#include <doctest/doctest.h>

namespace seqgate {
namespace {

using nlohmann::json;

TEST_CASE("JSON integers: only integers that fit the type are taken") {
  CHECK(JsonInteger<uint32_t>(json::parse("4294967295")) == 4294967295u);
  CHECK(JsonInteger<int64_t>(json::parse("-5")) == -5);
  CHECK(JsonInteger<int>(json::parse("7")) == 7);
  CHECK(JsonInteger<uint64_t>(json::parse("18446744073709551615")) == UINT64_MAX);
  // Floats (even whole ones), negative numbers for unsigned types, too large, not numbers.
  for (const char* bad : {"6.5e67", "1.0", "1.5", "-1", "4294967296", "\"7\"", "true", "null"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(JsonInteger<uint32_t>(json::parse(bad)), JsonNumberError);
  }
  CHECK_THROWS_AS(JsonInteger<int>(json::parse("2147483648")), JsonNumberError);
  CHECK_THROWS_AS(JsonInteger<int>(json::parse("-2147483649")), JsonNumberError);
  CHECK_THROWS_AS(JsonInteger<int64_t>(json::parse("9223372036854775808")), JsonNumberError);
}

}  // namespace
}  // namespace seqgate
