// Helpers for the Crypt4GH tests: in-memory sinks, fixtures, one-shot encrypt/decrypt.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "crypt4gh/decryptor.h"
#include "crypt4gh/encryptor.h"
#include "crypt4gh/keys.h"

namespace seqgate::testing {

class StringSink final : public crypt4gh::ByteSink {
 public:
  Status Write(ByteView b) override {
    bytes.append(AsChars(b));
    return Status::Ok();
  }
  std::string bytes;
};

inline std::string ReadFixture(const std::string& name) {
  std::ifstream f(std::string(SEQGATE_SOURCE_DIR) + "/tests/fixtures/crypt4gh/" + name,
                  std::ios::binary);
  if (!f) throw std::runtime_error("missing fixture " + name);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline crypt4gh::SecretBuffer Pass(std::string_view p) {
  crypt4gh::SecretBuffer b(p.size());
  std::copy(p.begin(), p.end(), b.data());
  return b;
}

// Encrypts `plain` in chunks of `chunk` bytes, starting at segment `first`.
inline Result<std::string> Encrypt(const crypt4gh::EncryptionParams& p, std::string_view plain,
                                   uint64_t first = 0, size_t chunk = 100000) {
  StringSink out;
  SEQGATE_ASSIGN_OR_RETURN(auto e, crypt4gh::Encryptor::Create(p, out, first));
  while (!plain.empty()) {
    const size_t n = std::min(chunk, plain.size());
    SEQGATE_RETURN_IF_ERROR(e->Write(AsBytes(plain.substr(0, n))));
    plain.remove_prefix(n);
  }
  SEQGATE_RETURN_IF_ERROR(e->Finish());
  return out.bytes;
}

// Decrypts `enc` fed in chunks of `chunk` bytes.
inline Result<std::string> Decrypt(const crypt4gh::SecretKey& sk, std::string_view enc,
                                   size_t chunk = 70000) {
  StringSink out;
  crypt4gh::Decryptor d(sk, out);
  while (!enc.empty()) {
    const size_t n = std::min(chunk, enc.size());
    SEQGATE_RETURN_IF_ERROR(d.Write(AsBytes(enc.substr(0, n))));
    enc.remove_prefix(n);
  }
  SEQGATE_RETURN_IF_ERROR(d.Finish());
  return out.bytes;
}

}  // namespace seqgate::testing
