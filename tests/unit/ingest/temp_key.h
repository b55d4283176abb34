// A fresh private key in a temp file for receipt-signing tests (removed on destruction).
#pragma once

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace seqgate::ingest {

// Writes a fresh Ed25519 (or P-256) private key to a temp file.
struct TempKey {
  std::string path;
  explicit TempKey(int type) {
    char tmpl[] = "/tmp/seqgate-receipt-key-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
    EVP_PKEY* key = type == EVP_PKEY_ED25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                             : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    REQUIRE(key != nullptr);
    FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    std::fclose(f);
    EVP_PKEY_free(key);
  }
  ~TempKey() { unlink(path.c_str()); }
};

}  // namespace seqgate::ingest
