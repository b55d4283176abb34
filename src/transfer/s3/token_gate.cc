#include "transfer/s3/token_gate.h"

#include "common/hashing.h"
#include "common/log.h"
#include "transfer/s3/sigv4.h"  // AmzDate

namespace seqgate::transfer::s3 {
namespace {

std::string Digest(const std::string& token) {
  return ComputeDigest(DigestAlgorithm::kSha256, AsBytes(token)).hex();
}

std::string IsoTime(int64_t t) {
  const std::string d = AmzDate(t);  // YYYYMMDDTHHMMSSZ
  return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) + "T" + d.substr(9, 2) + ":" +
         d.substr(11, 2) + ":" + d.substr(13, 2) + "Z";
}

}  // namespace

void TokenGate::WarnExpiry(const AccessToken& t) {
  if (!hooks_.warn_expiry) return;
  const int64_t now = hooks_.now();
  const ExpiryStage stage = StageAt(t, now);
  if (stage != ExpiryStage::kWithin24h && stage != ExpiryStage::kWithin2h) return;
  {
    std::lock_guard lock(mu_);
    const std::string id = Digest(t.token);
    auto it = warned_.find(id);
    if (it != warned_.end() && it->second >= stage) return;
    warned_[id] = stage;
  }
  const std::string within = stage == ExpiryStage::kWithin2h ? "2 h" : "24 h";
  Log(LogLevel::kWarning, "s3_token_expiring",
      {{"token_file", file_.path()},
       {"expires", IsoTime(*t.exp)},
       {"minutes_left", std::to_string((*t.exp - now) / 60)},
       {"within", within}});
  Note("warning: the access token in " + file_.path() + " expires at " + IsoTime(*t.exp) +
       " (within " + within + "); log in again and replace the file");
}

Result<AccessToken> TokenGate::Acquire() {
  for (;;) {
    auto t = file_.Current();
    std::string why;
    if (!t.ok()) {
      why = t.status().message();  // e.g. half-written while being replaced: wait for it
    } else if (t->ExpiredAt(hooks_.now())) {
      why = "the access token expired at " + IsoTime(*t->exp);
    } else {
      std::lock_guard lock(mu_);
      if (rejected_.count(Digest(t->token)) != 0) why = "the inbox refused the access token";
    }
    if (why.empty()) {
      WarnExpiry(*t);
      std::lock_guard lock(mu_);
      if (waiting_) {
        waiting_ = false;
        Note("new access token found in " + file_.path() + "; resuming");
      }
      return std::move(*t);
    }
    {
      std::lock_guard lock(mu_);
      if (!waiting_) {  // one note for every worker waiting on the same token
        waiting_ = true;
        Log(LogLevel::kWarning, "s3_token_needed", {{"token_file", file_.path()}, {"reason", why}});
        Note("needs a new token: " + why + "; waiting for " + file_.path() + " to be replaced");
      }
    }
    if (!hooks_.sleep(poll_)) return Status(StatusCode::kAborted, "upload stopped");
  }
}

void TokenGate::Reject(const AccessToken& token) {
  std::lock_guard lock(mu_);
  rejected_.insert(Digest(token.token));
}

}  // namespace seqgate::transfer::s3
