// The inbox access token (a JWT) and the file it lives in. The client never checks the token's
// signature (the inbox does); it only reads `exp` and `sub` from the payload so a long upload can
// warn before expiry and never start a part with a token the inbox will refuse.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace seqgate::transfer::s3 {

struct AccessToken {
  std::string token;           // the compact JWT, whitespace trimmed; a secret: never log it
  std::optional<int64_t> exp;  // expiry, seconds since the epoch; nullopt = none in the token
  std::string sub;             // the subject (inbox user), for messages

  // True when the token is expired at `now` (seconds since the epoch).
  bool ExpiredAt(int64_t now) const { return exp.has_value() && now >= *exp; }
};

// Parses a compact JWT "header.payload.signature": the payload is base64url JSON whose `exp`
// (a number) and `sub` (a string) are read if present. kInvalidArgument when the text is not a
// JWT (wrong number of dots, bad base64url, payload not a JSON object, exp not a number); the
// message never contains the token.
Result<AccessToken> ParseAccessToken(std::string_view text);

// Base64url (RFC 4648 §5) without padding, as JWTs use it; false on a bad character or length.
bool Base64UrlDecode(std::string_view in, std::string* out);

// How close to expiry a token is, for the 24 h and 2 h warnings.
enum class ExpiryStage { kFine, kWithin24h, kWithin2h, kExpired };
ExpiryStage StageAt(const AccessToken& t, int64_t now);

// A token file that may be replaced while an upload runs (the operator logs in again): Current()
// re-reads it whenever its identity (inode, size, mtime) changes. Thread-safe.
class TokenFile {
 public:
  TokenFile(Env& env, std::string path) : env_(env), path_(std::move(path)) {}

  // The token as the file holds it now. A missing or malformed file is an error naming the path.
  Result<AccessToken> Current();
  const std::string& path() const { return path_; }

 private:
  Env& env_;
  std::string path_;
  std::mutex mu_;
  std::optional<FileIdentity> seen_;
  std::optional<AccessToken> cached_;
};

}  // namespace seqgate::transfer::s3
