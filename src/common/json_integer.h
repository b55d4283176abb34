// Integers from parsed JSON that came from outside the process (state files, stored upload
// info): nlohmann's get<T>() converts a float or an out-of-range number with undefined
// behaviour (6.5e67 read as a uint32_t) or wraps it silently (-1 as a uint64_t). JsonInteger
// takes only an integer that fits T and throws JsonNumberError otherwise, for the parser's own
// catch to turn into a kCorruption naming the file.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

namespace seqgate {

struct JsonNumberError {};

template <typename T>
T JsonInteger(const nlohmann::json& v) {
  static_assert(std::is_integral_v<T>);
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) throw JsonNumberError{};
    return static_cast<T>(u);
  }
  if constexpr (std::is_signed_v<T>) {
    if (v.is_number_integer()) {
      const int64_t n = v.get<int64_t>();
      if (n < std::numeric_limits<T>::min() || n > std::numeric_limits<T>::max()) {
        throw JsonNumberError{};
      }
      return static_cast<T>(n);
    }
  }
  throw JsonNumberError{};
}

}  // namespace seqgate
