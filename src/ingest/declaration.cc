#include "ingest/declaration.h"

#include "common/bytes.h"
#include "ingest/path_policy.h"

namespace seqgate::ingest {
namespace {

Result<Digest> ParseHexDigest(std::string_view key, const std::string& value, size_t size) {
  Digest d;
  d.size = size;
  if (!FromHex(value, MutableByteView(d.bytes.data(), size))) {
    return InvalidArgument(std::string(key) + " must be " + std::to_string(size * 2) +
                           " hexadecimal digits");
  }
  return d;
}

Status ReadDigests(const Metadata& m, Declaration* d) {
  if (auto it = m.find(std::string(kKeySha256)); it != m.end()) {
    SEQGATE_ASSIGN_OR_RETURN(d->sha256, ParseHexDigest(kKeySha256, it->second, 32));
  }
  if (auto it = m.find(std::string(kKeyMd5)); it != m.end()) {
    SEQGATE_ASSIGN_OR_RETURN(d->md5, ParseHexDigest(kKeyMd5, it->second, 16));
  }
  return Status::Ok();
}

}  // namespace

std::string_view ContentEncodingName(ContentEncoding e) {
  return e == ContentEncoding::kZstdSeekable ? "zstd-seekable" : "identity";
}

Result<Declaration> ParseDeclaration(const Metadata& m) {
  Declaration d;
  for (const auto& [key, value] : m) {
    if (key.rfind("seqgate-", 0) != 0) continue;
    if (key != kKeyEncoding && key != kKeyRun && key != kKeyPath && key != kKeySha256 &&
        key != kKeyMd5 && key != kKeyKind) {
      return InvalidArgument("unknown seqgate metadata key '" + key + "'");
    }
  }
  if (auto it = m.find(std::string(kKeyEncoding)); it != m.end()) {
    if (it->second == "identity") {
      d.encoding = ContentEncoding::kIdentity;
    } else if (it->second == "zstd-seekable") {
      d.encoding = ContentEncoding::kZstdSeekable;
    } else {
      return InvalidArgument("seqgate-encoding must be 'identity' or 'zstd-seekable'");
    }
  }
  if (auto it = m.find(std::string(kKeyKind)); it != m.end()) {
    if (it->second == "file") {
      d.kind = UploadKind::kFile;
    } else if (it->second == "manifest") {
      d.kind = UploadKind::kManifest;
    } else {
      return InvalidArgument("seqgate-kind must be 'file' or 'manifest'");
    }
  }
  if (auto it = m.find(std::string(kKeyRun)); it != m.end()) {
    SEQGATE_RETURN_IF_ERROR(ValidateRunName(it->second).WithContext("seqgate-run"));
    d.run = it->second;
  }
  if (auto it = m.find(std::string(kKeyPath)); it != m.end()) {
    auto norm = NormaliseRelativePath(it->second);
    if (!norm.ok()) return norm.status().WithContext("seqgate-path");
    d.path = *norm;
  }
  if (d.kind == UploadKind::kManifest) {
    if (d.run.empty()) return InvalidArgument("a manifest upload needs seqgate-run");
    if (d.path.empty()) d.path = std::string(kManifestPath);
    if (d.encoding != ContentEncoding::kIdentity) {
      return InvalidArgument("a manifest upload must use identity encoding");
    }
  } else if (d.run.empty() != d.path.empty()) {
    return InvalidArgument("seqgate-run and seqgate-path must be given together");
  } else if (d.path == kManifestPath) {
    // A file stored under the manifest's name would make the run's real manifest quarantined
    // as "different content" and could be mistaken for it by whoever reads the run folder.
    return InvalidArgument("seqgate-path '" + std::string(kManifestPath) +
                           "' is reserved for the run manifest (seqgate-kind manifest)");
  }
  SEQGATE_RETURN_IF_ERROR(ReadDigests(m, &d));
  return d;
}

Status MergeLateDigests(const Metadata& m, Declaration* decl) {
  for (const auto& [key, value] : m) {
    if (key != kKeySha256 && key != kKeyMd5) {
      return InvalidArgument("only seqgate-sha256 and seqgate-md5 may be declared on a PATCH");
    }
  }
  Declaration late;
  SEQGATE_RETURN_IF_ERROR(ReadDigests(m, &late));
  if (late.sha256) {
    if (decl->sha256 && !(*decl->sha256 == *late.sha256)) {
      return InvalidArgument("seqgate-sha256 differs from the one declared at creation");
    }
    decl->sha256 = late.sha256;
  }
  if (late.md5) {
    if (decl->md5 && !(*decl->md5 == *late.md5)) {
      return InvalidArgument("seqgate-md5 differs from the one declared at creation");
    }
    decl->md5 = late.md5;
  }
  return Status::Ok();
}

}  // namespace seqgate::ingest
