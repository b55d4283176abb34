#include "transfer/retry_policy.h"

#include <algorithm>
#include <random>

namespace seqgate::transfer {

std::chrono::milliseconds RetryPolicy::Ceiling(unsigned attempt) const {
  // Doubling stops once past the cap, so large attempt numbers cannot overflow.
  auto ceiling = base;
  for (unsigned i = 0; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  return std::min(ceiling, cap);
}

std::chrono::milliseconds RetryPolicy::Delay(
    unsigned attempt, double unit, std::optional<std::chrono::seconds> retry_after) const {
  unit = std::clamp(unit, 0.0, 1.0);
  auto wait = std::chrono::milliseconds(
      static_cast<long long>(static_cast<double>(Ceiling(attempt).count()) * unit));
  if (retry_after) wait = std::max<std::chrono::milliseconds>(wait, *retry_after);
  return wait;
}

double JitterUnit() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

}  // namespace seqgate::transfer
