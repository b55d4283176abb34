// Base-call generation shared by the Illumina and ONT record sources.
//
// Bases are mostly independent draws with a human-like composition (about 41% GC), which zstd
// cannot squeeze below ~2 bits per base, as with real reads. The realistic redundancy comes from
// the callers: duplicates, adapter read-through, poly-G tails and short tandem repeats.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "sim/prng.h"

namespace seqgate::sim {

// Maps a random byte to a base: A and T 76/256 each, C and G 52/256 each.
inline constexpr std::array<char, 256> kBaseOfByte = [] {
  std::array<char, 256> t{};
  for (size_t i = 0; i < t.size(); ++i) {
    t[i] = i < 76 ? 'A' : i < 128 ? 'C' : i < 180 ? 'G' : 'T';
  }
  return t;
}();

// Writes `n` random bases to `out`, eight per 64-bit draw.
inline void PutRandomBases(Xoshiro256& rng, char* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w = rng.Next();
    for (int k = 0; k < 8; ++k, w >>= 8) out[i + static_cast<size_t>(k)] = kBaseOfByte[w & 0xff];
  }
  if (i < n) {
    uint64_t w = rng.Next();
    for (; i < n; ++i, w >>= 8) out[i] = kBaseOfByte[w & 0xff];
  }
}

// Overwrites out[0, n) with a short tandem repeat (unit of 1..4 random bases), the kind of
// low-complexity stretch (poly-A, (CA)n, ...) that real genomes are full of.
inline void PutTandemRepeat(Xoshiro256& rng, char* out, size_t n) {
  char unit[4];
  const size_t unit_len = 1 + rng.Below(4);
  PutRandomBases(rng, unit, unit_len);
  for (size_t i = 0; i < n; ++i) out[i] = unit[i % unit_len];
}

// Writes the reverse complement of in[0, n) to out (the buffers must not overlap).
inline void PutReverseComplement(const char* in, size_t n, char* out) {
  for (size_t i = 0; i < n; ++i) {
    const char b = in[n - 1 - i];
    out[i] = b == 'A' ? 'T' : b == 'C' ? 'G' : b == 'G' ? 'C' : b == 'T' ? 'A' : 'N';
  }
}

}  // namespace seqgate::sim
