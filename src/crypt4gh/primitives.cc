#include "crypt4gh/primitives.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <string>

namespace seqgate::crypt4gh {
namespace {

// The last OpenSSL error, for messages; OpenSSL's queue is per thread, so this is ours.
std::string OpenSslError(const char* what) {
  const unsigned long e = ERR_get_error();
  std::string m = std::string("OpenSSL ") + what;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    m += ": ";
    m += buf;
  }
  ERR_clear_error();
  return m;
}

// Fetched once; all come from the default provider (none is in the FIPS provider).
const EVP_CIPHER* ChaChaPoly() {
  static EVP_CIPHER* const c = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  return c;
}
const EVP_MD* Blake2b512() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "BLAKE2B-512", nullptr);
  return md;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct KdfFree {
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Result<Pkey> X25519Private(const SecretKey& sk) {
  Pkey k(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, sk.data(), sk.size()));
  if (!k) return Unsupported(OpenSslError("cannot load an X25519 key"));
  return k;
}

}  // namespace

Status RandomBytes(MutableByteView out) {
  if (out.size() > INT_MAX) return Internal("RandomBytes: request too large");
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return Internal(OpenSslError("random generator failed"));
  }
  return Status::Ok();
}

Result<SecretKey> GenerateSecretKey() {
  SecretKey sk;
  SEQGATE_RETURN_IF_ERROR(RandomBytes(sk.mutable_view()));
  return sk;
}

Result<PublicKey> PublicKeyOf(const SecretKey& sk) {
  SEQGATE_ASSIGN_OR_RETURN(Pkey k, X25519Private(sk));
  PublicKey pk{};
  size_t len = pk.size();
  if (EVP_PKEY_get_raw_public_key(k.get(), pk.data(), &len) != 1 || len != pk.size()) {
    return Internal(OpenSslError("cannot compute an X25519 public key"));
  }
  return pk;
}

Result<SymmetricKey> SharedKey(const SecretKey& own_sk, const PublicKey& peer_pk,
                               const PublicKey& reader_pk, const PublicKey& writer_pk) {
  SEQGATE_ASSIGN_OR_RETURN(Pkey own, X25519Private(own_sk));
  Pkey peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_pk.data(), peer_pk.size()));
  if (!peer) return Corruption(OpenSslError("invalid X25519 public key"));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, own.get(), nullptr));
  Secret<32> dh;
  size_t len = dh.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1) {
    return Internal(OpenSslError("X25519 setup failed"));
  }
  if (EVP_PKEY_derive(ctx.get(), dh.data(), &len) != 1 || len != dh.size()) {
    // OpenSSL refuses an all-zero result: the peer key is a low-order point.
    return Corruption(OpenSslError("X25519 key exchange failed (degenerate public key)"));
  }

  const EVP_MD* md = Blake2b512();
  if (md == nullptr) return Unsupported("OpenSSL does not provide BLAKE2B-512");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> h(EVP_MD_CTX_new());
  Secret<64> digest;
  unsigned int dlen = 0;
  if (!h || EVP_DigestInit_ex2(h.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(h.get(), dh.data(), dh.size()) != 1 ||
      EVP_DigestUpdate(h.get(), reader_pk.data(), reader_pk.size()) != 1 ||
      EVP_DigestUpdate(h.get(), writer_pk.data(), writer_pk.size()) != 1 ||
      EVP_DigestFinal_ex(h.get(), digest.data(), &dlen) != 1 || dlen != digest.size()) {
    return Internal(OpenSslError("BLAKE2b-512 failed"));
  }
  SymmetricKey key;
  std::copy_n(digest.data(), key.size(), key.data());
  return key;
}

Result<SymmetricKey> Scrypt(ByteView passphrase, ByteView salt, uint64_t n, uint32_t r,
                            uint32_t p) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  if (!kdf) return Unsupported("OpenSSL does not provide the scrypt KDF");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return Internal(OpenSslError("scrypt context"));
  // OSSL_PARAM wants non-const pointers; the buffers are only read.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                        const_cast<uint8_t*>(passphrase.data()), passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_end()};
  SymmetricKey key;
  if (EVP_KDF_derive(ctx.get(), key.data(), key.size(), params) != 1) {
    return Internal(OpenSslError("scrypt key derivation failed"));
  }
  return key;
}

Aead::Aead() : ctx_(EVP_CIPHER_CTX_new()) {}
Aead::~Aead() { EVP_CIPHER_CTX_free(ctx_); }

Status Aead::Seal(const SymmetricKey& key, const Nonce& nonce, ByteView plaintext,
                  MutableByteView out) {
  if (ChaChaPoly() == nullptr) return Unsupported("OpenSSL does not provide ChaCha20-Poly1305");
  if (out.size() != plaintext.size() + kTagSize || plaintext.size() > INT_MAX) {
    return Internal("Aead::Seal: output buffer of the wrong size");
  }
  int len = 0, fin = 0;
  if (ctx_ == nullptr ||
      EVP_EncryptInit_ex2(ctx_, ChaChaPoly(), key.data(), nonce.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx_, out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx_, out.data() + len, &fin) != 1 ||
      static_cast<size_t>(len + fin) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize),
                          out.data() + plaintext.size()) != 1) {
    return Internal(OpenSslError("ChaCha20-Poly1305 encryption failed"));
  }
  return Status::Ok();
}

Result<bool> Aead::Open(const SymmetricKey& key, const Nonce& nonce, ByteView sealed,
                        MutableByteView out) {
  if (ChaChaPoly() == nullptr) return Unsupported("OpenSSL does not provide ChaCha20-Poly1305");
  if (sealed.size() < kTagSize || out.size() != sealed.size() - kTagSize ||
      sealed.size() > INT_MAX) {
    return Internal("Aead::Open: output buffer of the wrong size");
  }
  const size_t n = sealed.size() - kTagSize;
  int len = 0, fin = 0;
  if (ctx_ == nullptr ||
      EVP_DecryptInit_ex2(ctx_, ChaChaPoly(), key.data(), nonce.data(), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx_, out.data(), &len, sealed.data(), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagSize),
                          const_cast<uint8_t*>(sealed.data() + n)) != 1) {
    return Internal(OpenSslError("ChaCha20-Poly1305 decryption failed"));
  }
  if (EVP_DecryptFinal_ex(ctx_, out.data() + len, &fin) != 1) {
    ERR_clear_error();
    OPENSSL_cleanse(out.data(), out.size());
    return false;
  }
  return true;
}

}  // namespace seqgate::crypt4gh
