// The seqgate end-to-end verification extension's fields, carried as Upload-Metadata keys
// (docs/protocol.md): what the client says the upload is, so the centre can check it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/hashing.h"
#include "common/status.h"
#include "ingest/tus_metadata.h"

namespace seqgate::ingest {

enum class ContentEncoding { kIdentity, kZstdSeekable };
enum class UploadKind { kFile, kManifest };

// "identity" / "zstd-seekable" as on the wire.
std::string_view ContentEncodingName(ContentEncoding e);

struct Declaration {
  ContentEncoding encoding = ContentEncoding::kIdentity;
  UploadKind kind = UploadKind::kFile;
  std::string run;               // validated run name, or empty
  std::string path;              // normalised relative path, or empty
  std::optional<Digest> sha256;  // of the original (decompressed) file
  std::optional<Digest> md5;

  // True when the client asked for verified placement (run and path given).
  bool placed() const { return !run.empty() && !path.empty(); }
};

// Metadata keys of the extension.
inline constexpr std::string_view kKeyEncoding = "seqgate-encoding";
inline constexpr std::string_view kKeyRun = "seqgate-run";
inline constexpr std::string_view kKeyPath = "seqgate-path";
inline constexpr std::string_view kKeySha256 = "seqgate-sha256";
inline constexpr std::string_view kKeyMd5 = "seqgate-md5";
inline constexpr std::string_view kKeyKind = "seqgate-kind";

// Where a run's manifest is stored when seqgate-path is not given; a file upload may not use it.
inline constexpr std::string_view kManifestPath = "seqgate-manifest.json";

// Reads the extension's keys from creation metadata; other keys (filename, ...) are ignored,
// unknown "seqgate-" keys are refused so a typo cannot silently disable verification.
// kInvalidArgument with the reason for bad values, a run without a path or the reverse.
Result<Declaration> ParseDeclaration(const Metadata& metadata);

// Applies digests declared on the completing PATCH (only seqgate-sha256 / seqgate-md5 are
// allowed there). A digest that contradicts one declared earlier is kInvalidArgument.
Status MergeLateDigests(const Metadata& metadata, Declaration* decl);

}  // namespace seqgate::ingest
