#include "transfer/s3/inbox_path.h"

#include <cstdio>
#include <string>

namespace seqgate::transfer::s3 {
namespace {

std::string Printable(unsigned char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned>(c));
  return buf;
}

Status CheckChars(std::string_view what, std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || kInboxForbiddenChars.find(s[i]) != std::string_view::npos) {
      return InvalidArgument(std::string(what) + " '" + std::string(s) + "' has " + Printable(c) +
                             " at byte " + std::to_string(i) +
                             ", which the inbox refuses (forbidden: " +
                             std::string(kInboxForbiddenChars) + " and control characters)");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckInboxKey(std::string_view key) {
  if (key.empty()) return InvalidArgument("object key is empty");
  SEQGATE_RETURN_IF_ERROR(CheckChars("object key", key));
  if (key.front() == '/')
    return InvalidArgument("object key '" + std::string(key) + "' starts with '/'");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    const std::string_view seg = key.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") {
      return InvalidArgument("object key '" + std::string(key) +
                             "' has an empty, '.' or '..' path segment");
    }
    start = end + 1;
  }
  return Status::Ok();
}

Status CheckInboxBucket(std::string_view bucket) {
  if (bucket.empty()) return InvalidArgument("bucket (inbox user id) is empty");
  SEQGATE_RETURN_IF_ERROR(CheckChars("bucket", bucket));
  if (bucket.find('/') != std::string_view::npos) {
    return InvalidArgument("bucket '" + std::string(bucket) + "' contains '/'");
  }
  return Status::Ok();
}

}  // namespace seqgate::transfer::s3
