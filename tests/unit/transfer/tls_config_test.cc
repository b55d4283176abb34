#include "transfer/tls_config.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace seqgate::transfer {
namespace {

std::string TempFile(const char* name, mode_t mode) {
  std::string dir = std::string(std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp");
  std::string path = dir + "/seqgate-tls-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << "-----BEGIN PRIVATE KEY-----\n";
  ::chmod(path.c_str(), mode);
  return path;
}

TEST_CASE("a private key readable by group or others is refused with a message") {
  for (mode_t bad : {0640u, 0604u, 0644u, 0660u, 0602u}) {
    CAPTURE(bad);
    std::string key = TempFile("key", bad);
    Status s = CheckPrivateKeyPermissions(key);
    CHECK(s.code() == StatusCode::kPermissionDenied);
    CHECK(s.message().find("chmod 600") != std::string::npos);
    ::unlink(key.c_str());
  }
  for (mode_t good : {0600u, 0400u}) {
    std::string key = TempFile("key", good);
    CHECK(CheckPrivateKeyPermissions(key).ok());
    ::unlink(key.c_str());
  }
  CHECK(CheckPrivateKeyPermissions("/nonexistent/key.pem").code() == StatusCode::kNotFound);
}

TEST_CASE("TLS config needs a certificate and key") {
  TlsConfig none;
  CHECK(none.Validate().code() == StatusCode::kInvalidArgument);
  std::string cert = TempFile("crt", 0644), key = TempFile("k", 0600);
  TlsConfig ok{cert, key, "", "", ""};
  CHECK(ok.Validate().ok());
  TlsConfig bad_ca{cert, key, "/nonexistent/ca.pem", "", ""};
  CHECK_FALSE(bad_ca.Validate().ok());
  ::unlink(cert.c_str());
  ::unlink(key.c_str());
}

}  // namespace
}  // namespace seqgate::transfer
