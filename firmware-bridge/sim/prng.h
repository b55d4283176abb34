// A small, fixed pseudo-random generator for the read simulator.
//
// The simulator promises byte-identical output for a seed on every machine and compiler, so it
// cannot use std:: distributions (their algorithms are implementation-defined) nor floating point
// (FMA contraction and libm differ between targets). Everything here is 64-bit integer arithmetic:
// xoshiro256** seeded through splitmix64, as recommended by their authors (Blackman & Vigna).
#pragma once

#include <cstdint>

namespace seqgate::sim {

// splitmix64: expands one 64-bit seed into well-mixed words; used only to seed Xoshiro256.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  // The next word of the sequence.
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// xoshiro256**: fast, 256-bit state, passes BigCrush. Not for cryptography.
class Xoshiro256 {
 public:
  // Any seed (including 0) gives a valid, distinct stream.
  explicit Xoshiro256(uint64_t seed) {
    SplitMix64 sm(seed);
    for (uint64_t& word : s_) word = sm.Next();
  }

  // The next 64 uniformly distributed bits.
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // A value in [0, n) for 0 < n < 2^32 (Lemire's multiply-shift; the bias of at most n / 2^32 is
  // irrelevant for a simulator and keeps the stream free of data-dependent rejection loops).
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * static_cast<uint64_t>(n)) >> 32);
  }

  // A value in [lo, hi] (inclusive); requires lo <= hi and hi - lo < 2^32 - 1.
  uint32_t Between(uint32_t lo, uint32_t hi) { return lo + Below(hi - lo + 1); }

  // True with probability num / 65536.
  bool Chance(uint32_t num) { return (Next() >> 48) < num; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace seqgate::sim
