// The Crypt4GH primitives on OpenSSL 3 EVP: X25519, BLAKE2b-512, ChaCha20-Poly1305 (IETF,
// 12-byte nonce, 16-byte tag appended), scrypt, and the operating system's CSPRNG.
//
// All three Crypt4GH algorithms live in OpenSSL's default provider (not FIPS); a host without
// them fails with kUnsupported on first use rather than at start-up.
#pragma once

#include <openssl/evp.h>

#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"
#include "crypt4gh/secret.h"

namespace seqgate::crypt4gh {

inline constexpr size_t kTagSize = 16;
inline constexpr size_t kNonceSize = 12;

// Fills `out` from the CSPRNG (RAND_bytes); kInternal if the generator is not seeded.
Status RandomBytes(MutableByteView out);

// A fresh X25519 secret key (32 random bytes; X25519 clamps the scalar itself).
Result<SecretKey> GenerateSecretKey();
// The X25519 public key of `sk`.
Result<PublicKey> PublicKeyOf(const SecretKey& sk);

// The Crypt4GH header key shared by a writer and a reader:
// BLAKE2b-512(X25519(own_sk, peer_pk) ‖ reader_pk ‖ writer_pk)[0:32], reader's key first on both
// sides (libsodium crypto_kx). Fails with kCorruption when the peer key is a low-order point
// (all-zero shared secret).
Result<SymmetricKey> SharedKey(const SecretKey& own_sk, const PublicKey& peer_pk,
                               const PublicKey& reader_pk, const PublicKey& writer_pk);

// scrypt(passphrase, salt) with the given cost, 32 bytes out (EVP_KDF "SCRYPT").
Result<SymmetricKey> Scrypt(ByteView passphrase, ByteView salt, uint64_t n, uint32_t r, uint32_t p);

// ChaCha20-Poly1305 IETF with empty AAD. One object may be reused for many messages (its
// EVP context is kept); not thread-safe.
class Aead {
 public:
  Aead();
  ~Aead();
  Aead(const Aead&) = delete;
  Aead& operator=(const Aead&) = delete;

  // Writes ciphertext ‖ tag (plaintext.size() + 16 bytes) to `out`, which must be that large.
  Status Seal(const SymmetricKey& key, const Nonce& nonce, ByteView plaintext, MutableByteView out);
  // Verifies and decrypts ciphertext ‖ tag into `out` (sealed.size() - 16 bytes). Returns
  // false when authentication fails (wrong key, or tampered bytes); `out` is then wiped.
  Result<bool> Open(const SymmetricKey& key, const Nonce& nonce, ByteView sealed,
                    MutableByteView out);

 private:
  EVP_CIPHER_CTX* ctx_;
};

}  // namespace seqgate::crypt4gh
