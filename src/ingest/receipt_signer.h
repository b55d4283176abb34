// The centre's Ed25519 receipt key (OpenSSL EVP). Labs keep the public half so they can later
// prove what the centre acknowledged; the private half never leaves this object or reaches a log.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace seqgate::ingest {

class ReceiptSigner {
 public:
  // Loads a PEM Ed25519 private key (`openssl genpkey -algorithm ed25519`). kInvalidArgument
  // for another key type; the message never contains key material.
  static Result<ReceiptSigner> LoadPrivateKey(const std::string& pem_path);

  ReceiptSigner(ReceiptSigner&&) noexcept;
  ReceiptSigner& operator=(ReceiptSigner&&) noexcept;
  ~ReceiptSigner();

  // The 64-byte Ed25519 signature of `message`.
  Result<std::string> Sign(std::string_view message) const;

  // The public key as PEM (SubjectPublicKeyInfo), as served and printed.
  const std::string& public_key_pem() const { return public_pem_; }
  // First 16 hex digits of SHA-256 over the raw 32-byte public key: names the key in receipts.
  const std::string& key_id() const { return key_id_; }

 private:
  struct Key;
  explicit ReceiptSigner(std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
  std::string public_pem_;
  std::string key_id_;
};

// Checks an Ed25519 signature against a PEM public key; false on any failure.
bool VerifyEd25519(std::string_view public_key_pem, std::string_view message,
                   std::string_view signature);

}  // namespace seqgate::ingest
