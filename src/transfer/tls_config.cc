#include "transfer/tls_config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

namespace seqgate::transfer {
namespace {

Status CheckReadableFile(const std::string& what, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat " + what, path);
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgument(what + " '" + path + "' is not a regular file");
  }
  return Status::Ok();
}

}  // namespace

Status CheckPrivateKeyPermissions(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat client key", path);
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgument("client key '" + path + "' is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return {StatusCode::kPermissionDenied,
            "client key '" + path + "' has mode " + mode +
                ": it is readable or writable by group or others; run chmod 600 on it"};
  }
  return Status::Ok();
}

Status TlsConfig::Validate() const {
  if (client_cert.empty() || client_key.empty()) {
    return InvalidArgument("a client certificate and key are required (mutual TLS)");
  }
  SEQGATE_RETURN_IF_ERROR(CheckReadableFile("client certificate", client_cert));
  SEQGATE_RETURN_IF_ERROR(CheckPrivateKeyPermissions(client_key));
  if (!ca_file.empty()) SEQGATE_RETURN_IF_ERROR(CheckReadableFile("CA bundle", ca_file));
  return Status::Ok();
}

}  // namespace seqgate::transfer
