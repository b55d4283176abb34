// Crypt4GH v1 byte layout constants and the counter nonces seqgate uses.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypt4gh/secret.h"

namespace seqgate::crypt4gh {

inline constexpr char kMagic[8] = {'c', 'r', 'y', 'p', 't', '4', 'g', 'h'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kSegmentSize = 65536;        // plaintext bytes per data segment
inline constexpr size_t kSegmentOverhead = 12 + 16;  // nonce before, tag after
inline constexpr size_t kSealedSegmentSize = kSegmentSize + kSegmentOverhead;
// One header packet for one recipient holding the data key:
// length, method, writer pk, nonce, (type, cipher method, key), tag.
inline constexpr size_t kKeyPacketSize = 4 + 4 + 32 + 12 + (4 + 4 + 32) + 16;
inline constexpr size_t kHeaderPrefixSize = 16;  // magic, version, packet count
// Readers refuse larger headers: memory stays bounded whatever a hostile file claims.
inline constexpr size_t kMaxHeaderSize = 1 << 20;

// Header size for a data-key-only header with `recipients` packets.
constexpr uint64_t HeaderSize(size_t recipients) {
  return kHeaderPrefixSize + kKeyPacketSize * recipients;
}
// Size of the encrypted body for `plaintext` bytes (no segment for an empty input).
constexpr uint64_t BodySize(uint64_t plaintext) {
  const uint64_t full = plaintext / kSegmentSize, rest = plaintext % kSegmentSize;
  return full * kSealedSegmentSize + (rest != 0 ? rest + kSegmentOverhead : 0);
}

// base + counter as a 96-bit little-endian integer (mod 2^96): the spec's "random starting
// point, then a counter". Distinct counters give distinct nonces under one key, and segment k's
// nonce can be computed without the earlier ones (resume at any segment).
inline Nonce CounterNonce(const Nonce& base, uint64_t counter) {
  Nonce n = base;
  uint64_t carry = counter;
  for (size_t i = 0; i < n.size() && carry != 0; ++i) {
    const uint64_t sum = n[i] + (carry & 0xFF);
    n[i] = static_cast<uint8_t>(sum);
    carry = (carry >> 8) + (sum >> 8);
  }
  return n;
}

}  // namespace seqgate::crypt4gh
