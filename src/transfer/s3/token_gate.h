// Which access token a request may carry. Before every request the gate hands out the token
// file's current token unless it is expired or the inbox refused it; otherwise the caller waits,
// with one clear note ("needs a new token"), until the file is replaced. Expiry is warned about
// once per token at 24 h and again at 2 h. Thread-safe: the parallel part uploads share one gate.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "common/status.h"
#include "transfer/s3/access_token.h"

namespace seqgate::transfer::s3 {

class TokenGate {
 public:
  struct Hooks {
    std::function<int64_t()> now;                          // seconds since the epoch
    std::function<void(const std::string&)> note;          // human notes; may be empty
    std::function<bool(std::chrono::milliseconds)> sleep;  // false = stopped meanwhile
    bool warn_expiry = true;  // log the 24 h / 2 h warnings (off when the caller does it)
  };
  TokenGate(TokenFile& file, Hooks hooks, std::chrono::milliseconds poll)
      : file_(file), hooks_(std::move(hooks)), poll_(poll) {}

  // A usable token, waiting for the file to be replaced while there is none. kAborted when the
  // sleep hook reports a stop.
  Result<AccessToken> Acquire();

  // The server refused `token` (401, ExpiredToken, InvalidToken): Acquire() waits for another.
  void Reject(const AccessToken& token);

 private:
  void WarnExpiry(const AccessToken& t);
  void Note(const std::string& m) const {
    if (hooks_.note) hooks_.note(m);
  }

  TokenFile& file_;
  Hooks hooks_;
  std::chrono::milliseconds poll_;
  std::mutex mu_;
  std::set<std::string> rejected_;             // SHA-256 of refused tokens (never the tokens)
  std::map<std::string, ExpiryStage> warned_;  // per token digest: the last stage warned about
  bool waiting_ = false;                       // a "needs a new token" note is standing
};

}  // namespace seqgate::transfer::s3
