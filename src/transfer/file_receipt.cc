#include "transfer/file_receipt.h"

#include <nlohmann/json.hpp>

namespace seqgate::transfer {

using nlohmann::json;

namespace {

// nlohmann's value() throws when a field holds another type ("status": 1): read by hand.
std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

uint64_t UintField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

}  // namespace

std::string FileReceipt::Md5IfSha256Is(std::string_view our_sha256) const {
  if (our_sha256.empty() || sha256 != our_sha256 || md5.size() != 32 ||
      md5.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return "";
  }
  return md5;
}

std::optional<FileReceipt> ParseFileReceipt(std::string_view document) {
  const json doc = json::parse(document, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  auto inner = doc.find("receipt");
  const json& r = inner != doc.end() && inner->is_object() ? *inner : doc;
  FileReceipt out;
  out.status = StringField(r, "status");
  out.reason = StringField(r, "reason");
  out.encoding = StringField(r, "encoding");
  out.sha256 = StringField(r, "sha256");
  out.md5 = StringField(r, "md5");
  out.packed_size = UintField(r, "packed_size");
  out.original_size = UintField(r, "original_size");
  return out;
}

}  // namespace seqgate::transfer
