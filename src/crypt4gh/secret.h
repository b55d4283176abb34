// Fixed-size key material that wipes itself. Secrets (data keys, secret keys, KDF outputs)
// live only in these, so no copy is left in freed memory and none can be streamed to a log:
// there is deliberately no operator<< and no hex().
#pragma once

#include <openssl/crypto.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/bytes.h"

namespace seqgate::crypt4gh {

template <size_t N>
class Secret {
 public:
  Secret() = default;
  ~Secret() { OPENSSL_cleanse(bytes_.data(), N); }
  Secret(const Secret& o) : bytes_(o.bytes_) {}
  Secret& operator=(const Secret& o) {
    bytes_ = o.bytes_;
    return *this;
  }

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  static constexpr size_t size() { return N; }
  ByteView view() const { return {bytes_.data(), N}; }
  MutableByteView mutable_view() { return {bytes_.data(), N}; }
  // Constant-time comparison (CRYPTO_memcmp).
  bool operator==(const Secret& o) const { return CRYPTO_memcmp(data(), o.data(), N) == 0; }

 private:
  std::array<uint8_t, N> bytes_{};
};

// A heap buffer of secret bytes of variable size (decrypted key blobs, passphrases).
class SecretBuffer {
 public:
  SecretBuffer() = default;
  explicit SecretBuffer(size_t n) : size_(n), data_(new uint8_t[n]()) {}
  ~SecretBuffer() { Wipe(); }
  SecretBuffer(SecretBuffer&& o) noexcept : size_(o.size_), data_(o.data_) {
    o.size_ = 0;
    o.data_ = nullptr;
  }
  SecretBuffer& operator=(SecretBuffer&& o) noexcept {
    if (this != &o) {
      Wipe();
      size_ = o.size_;
      data_ = o.data_;
      o.size_ = 0;
      o.data_ = nullptr;
    }
    return *this;
  }
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {data_, size_}; }

 private:
  void Wipe() {
    if (data_ != nullptr) {
      OPENSSL_cleanse(data_, size_);
      delete[] data_;
    }
    data_ = nullptr;
    size_ = 0;
  }
  size_t size_ = 0;
  uint8_t* data_ = nullptr;
};

using SecretKey = Secret<32>;               // an X25519 secret scalar
using SymmetricKey = Secret<32>;            // a ChaCha20-Poly1305 key
using PublicKey = std::array<uint8_t, 32>;  // an X25519 public key (not secret)
using Nonce = std::array<uint8_t, 12>;      // a ChaCha20-Poly1305 IETF nonce

}  // namespace seqgate::crypt4gh
