#include "transfer/bandwidth_limiter.h"

#include <algorithm>
#include <cmath>

namespace seqgate::transfer {
namespace {

// A schedule changes by the minute: reading it once a second is exact enough and keeps
// localtime_r off the per-callback path.
constexpr auto kRateRefresh = std::chrono::seconds(1);
// The bucket holds 100 ms of traffic: enough to keep curl's 2 MiB buffer busy at high rates,
// small enough that a second's average never overshoots the cap by more than a tenth.
constexpr double kBurstSeconds = 0.1;
// Grants below this make a TLS record per few hundred bytes: wait for a useful amount instead.
constexpr uint64_t kMinQuantum = 16 * 1024;

}  // namespace

BandwidthLimiter::BandwidthLimiter(const BandwidthSchedule& schedule)
    : BandwidthLimiter(
          Seams{[] { return Clock::now(); }, [&schedule] { return schedule.RateNow(); }}) {}

BandwidthLimiter::BandwidthLimiter(Seams seams) : seams_(std::move(seams)) {}

void BandwidthLimiter::Refill(Clock::time_point now) {
  if (!started_ || now - rate_read_ >= kRateRefresh) {
    const uint64_t r = seams_.rate();
    if (!started_ || r != rate_) {
      rate_ = r;
      burst_ = std::max(static_cast<double>(r) * kBurstSeconds, static_cast<double>(kMinQuantum));
      // A new cap starts with a full bucket (as at the very start), an old one keeps its level.
      tokens_ = started_ ? std::min(tokens_, burst_) : burst_;
    }
    rate_read_ = now;
  }
  if (started_ && now > last_) {
    const double secs = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + secs * static_cast<double>(rate_));
  }
  last_ = std::max(last_, now);
  started_ = true;
}

uint64_t BandwidthLimiter::Quantum() const {
  return std::min<uint64_t>(kMinQuantum, static_cast<uint64_t>(burst_));
}

uint64_t BandwidthLimiter::Acquire(uint64_t want) {
  std::lock_guard lock(mu_);
  Refill(seams_.now());
  if (rate_ == 0 || want == 0) return want;
  const uint64_t need = std::min(want, Quantum());
  if (tokens_ < static_cast<double>(need)) return 0;
  const uint64_t most = std::max(Quantum(), static_cast<uint64_t>(burst_ / 4));
  const uint64_t grant = std::min({want, most, static_cast<uint64_t>(std::floor(tokens_))});
  tokens_ -= static_cast<double>(grant);
  return grant;
}

BandwidthLimiter::Clock::duration BandwidthLimiter::WaitTime() {
  std::lock_guard lock(mu_);
  Refill(seams_.now());
  const double missing = static_cast<double>(Quantum()) - tokens_;
  if (rate_ == 0 || missing <= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(
             std::chrono::duration<double>(missing / static_cast<double>(rate_))) +
         Clock::duration(1);  // round up: waking early would only find the bucket short
}

uint64_t BandwidthLimiter::rate() {
  std::lock_guard lock(mu_);
  Refill(seams_.now());
  return rate_;
}

}  // namespace seqgate::transfer
