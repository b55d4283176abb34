// Streaming message digests (OpenSSL 3 EVP; MD5 our own, see common/md5.h) and XXH64, behind
// one small interface.
//
// SHA-256 and MD5 are what archives and the centre verify; SHA-1 exists only because tus
// requires servers to support it for Upload-Checksum. XXH64 is the zstd seekable format's
// per-frame checksum.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/bytes.h"

namespace seqgate {

enum class DigestAlgorithm { kSha256, kMd5, kSha1 };

// The algorithm's lower-case name as tus and our metadata spell it ("sha256", "md5", "sha1").
std::string_view DigestName(DigestAlgorithm alg);
// Size of the algorithm's digest in bytes.
size_t DigestSize(DigestAlgorithm alg);

// A finished digest: up to 32 bytes, with its length.
struct Digest {
  std::array<uint8_t, 32> bytes{};
  size_t size = 0;

  ByteView view() const { return {bytes.data(), size}; }
  std::string hex() const { return ToHex(view()); }
  bool operator==(const Digest& o) const {
    return view().size() == o.view().size() &&
           std::equal(view().begin(), view().end(), o.view().begin());
  }
};

// Incremental hasher. Not thread-safe; one per stream.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm alg);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(ByteView data);
  // Returns the digest and resets the hasher for a new stream.
  Digest Finish();
  DigestAlgorithm algorithm() const { return alg_; }

 private:
  DigestAlgorithm alg_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot convenience.
Digest ComputeDigest(DigestAlgorithm alg, ByteView data);

// XXH64 with seed 0, as the zstd seekable format and zstd frame checksums use it.
uint64_t Xxh64(ByteView data);

}  // namespace seqgate
