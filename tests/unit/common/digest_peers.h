// Test helpers shared by the digest tests: reproducible random data, and the digests that
// independent implementations (OpenSSL's EVP, the coreutils CLIs) give for it.
#pragma once

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace seqgate::test {

inline std::vector<uint8_t> RandomBytes(size_t n, size_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// Lower-case hex digest of `data` by OpenSSL's EVP implementation of `md`.
inline std::string OpenSslHex(const EVP_MD* md, ByteView data) {
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) == 1);
  return ToHex({out, len});
}

// The hex digests `tools` (e.g. "sha256sum", "md5sum") print for `data`, written to a temp file.
inline std::vector<std::string> CliHex(const std::vector<std::string>& tools, ByteView data) {
  char path[] = "/tmp/seqgate-digest-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  close(fd);
  std::vector<std::string> hex;
  for (const std::string& tool : tools) {
    FILE* p = popen((tool + " " + path).c_str(), "r");
    REQUIRE(p != nullptr);
    char line[256] = {0};
    const bool got = fgets(line, sizeof line, p) != nullptr;
    pclose(p);
    REQUIRE(got);
    const std::string s(line);
    hex.push_back(s.substr(0, s.find(' ')));
  }
  unlink(path);
  return hex;
}

}  // namespace seqgate::test
