#include "transfer/s3/access_token.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace seqgate::transfer::s3 {

bool Base64UrlDecode(std::string_view in, std::string* out) {
  out->clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);  // tolerate padding
  if (in.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v;
    if (ch >= 'A' && ch <= 'Z')
      v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z')
      v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9')
      v = ch - '0' + 52;
    else if (ch == '-')
      v = 62;
    else if (ch == '_')
      v = 63;
    else
      return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

Result<AccessToken> ParseAccessToken(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  const size_t d1 = text.find('.');
  const size_t d2 = d1 == std::string_view::npos ? d1 : text.find('.', d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos ||
      text.find('.', d2 + 1) != std::string_view::npos) {
    return InvalidArgument("access token is not a JWT (expected header.payload.signature)");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return InvalidArgument("access token contains whitespace or non-ASCII bytes");
    }
  }
  std::string payload;
  if (!Base64UrlDecode(text.substr(d1 + 1, d2 - d1 - 1), &payload)) {
    return InvalidArgument("access token payload is not base64url");
  }
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument("access token payload is not a JSON object");
  }
  AccessToken t;
  t.token = std::string(text);
  if (auto it = j.find("exp"); it != j.end()) {
    if (!it->is_number()) return InvalidArgument("access token 'exp' is not a number");
    const double exp = it->get<double>();
    if (!(exp > 0 && exp < 1e12)) return InvalidArgument("access token 'exp' is out of range");
    t.exp = static_cast<int64_t>(exp);
  }
  if (auto it = j.find("sub"); it != j.end() && it->is_string()) t.sub = it->get<std::string>();
  return t;
}

ExpiryStage StageAt(const AccessToken& t, int64_t now) {
  if (!t.exp) return ExpiryStage::kFine;
  if (now >= *t.exp) return ExpiryStage::kExpired;
  if (*t.exp - now <= 2 * 3600) return ExpiryStage::kWithin2h;
  if (*t.exp - now <= 24 * 3600) return ExpiryStage::kWithin24h;
  return ExpiryStage::kFine;
}

Result<AccessToken> TokenFile::Current() {
  std::lock_guard lock(mu_);
  auto id = env_.Stat(path_);
  if (!id.ok()) return id.status().WithContext("token file");
  if (cached_ && seen_ && *seen_ == *id) return *cached_;
  SEQGATE_ASSIGN_OR_RETURN(auto file, env_.OpenForRead(path_));
  SEQGATE_ASSIGN_OR_RETURN(FileIdentity fid, file->Stat());
  constexpr uint64_t kMaxToken = 64 * 1024;  // JWTs are a few KiB; anything larger is not one
  if (fid.size > kMaxToken) return InvalidArgument("token file " + path_ + " is over 64 KiB");
  std::vector<uint8_t> buf(static_cast<size_t>(fid.size));
  SEQGATE_ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, buf));
  auto parsed = ParseAccessToken(AsChars(ByteView(buf.data(), n)));
  if (!parsed.ok()) return parsed.status().WithContext("token file " + path_);
  seen_ = *id;
  cached_ = *parsed;
  return *parsed;
}

}  // namespace seqgate::transfer::s3
