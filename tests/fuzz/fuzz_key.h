// A receipt-signing key for fuzz targets: a fresh Ed25519 key written once per process into a
// private temp folder (the fuzzer must never touch real keys).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

#include "fuzz/fuzz_scratch.h"
#include "ingest/receipt_signer.h"

namespace seqgate::fuzz {

inline const ingest::ReceiptSigner& FuzzSigner() {
  static const ingest::ReceiptSigner signer = [] {
    const std::string path = MakeScratchDir("key") + "/receipt.key";
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    FILE* f = std::fopen(path.c_str(), "w");
    if (key == nullptr || f == nullptr ||
        PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      std::abort();
    }
    std::fclose(f);
    EVP_PKEY_free(key);
    auto s = ingest::ReceiptSigner::LoadPrivateKey(path);
    if (!s.ok()) std::abort();
    return std::move(*s);
  }();
  return signer;
}

}  // namespace seqgate::fuzz
