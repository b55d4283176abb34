// Byte views and little-endian encoding helpers shared by every on-wire and on-disk format.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace seqgate {

using ByteView = std::span<const uint8_t>;
using MutableByteView = std::span<uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline void PutLe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}
inline uint32_t GetLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// Lower-case hexadecimal of `b`.
std::string ToHex(ByteView b);
// Parses hexadecimal (either case) into `out`; false when `hex` is not exactly 2*out.size()
// hex digits.
bool FromHex(std::string_view hex, MutableByteView out);

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(ByteView b);
// Strict decode: standard alphabet, correct padding, no whitespace. False on any deviation.
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace seqgate
