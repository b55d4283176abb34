#include "ingest/tus_metadata.h"

#include "common/bytes.h"

namespace seqgate::ingest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Metadata> ParseUploadMetadata(std::string_view header, size_t max_bytes) {
  if (header.size() > max_bytes) {
    return InvalidArgument("Upload-Metadata is longer than " + std::to_string(max_bytes) +
                           " bytes");
  }
  Metadata out;
  if (Trim(header).empty()) return out;
  size_t pair_no = 0;
  while (true) {
    ++pair_no;
    size_t comma = header.find(',');
    std::string_view pair = Trim(header.substr(0, comma));
    std::string where = "Upload-Metadata pair " + std::to_string(pair_no);
    if (pair.empty()) return InvalidArgument(where + " is empty");
    size_t space = pair.find(' ');
    std::string_view key = pair.substr(0, space);
    std::string_view value =
        space == std::string_view::npos ? std::string_view() : pair.substr(space + 1);
    if (key.empty()) return InvalidArgument(where + " has an empty key");
    for (char c : key) {
      auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f) {
        return InvalidArgument(where + ": key has a byte outside printable ASCII");
      }
    }
    std::string decoded;
    if (space != std::string_view::npos && !Base64Decode(value, &decoded)) {
      return InvalidArgument(where + " ('" + std::string(key) +
                             "'): value is not standard padded base64");
    }
    if (!out.emplace(std::string(key), std::move(decoded)).second) {
      return InvalidArgument("Upload-Metadata key '" + std::string(key) + "' appears twice");
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace seqgate::ingest
