// Small helpers shared by the fuzz targets: cutting one input into the pieces a target needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace seqgate::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `text` on '\n' into at most `max_parts` pieces (the last keeps any further '\n'), so
// one input can carry several header values; missing pieces are empty.
inline std::vector<std::string_view> SplitLines(std::string_view text, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    parts.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  parts.push_back(text);
  parts.resize(max_parts);
  return parts;
}

}  // namespace seqgate::fuzz
