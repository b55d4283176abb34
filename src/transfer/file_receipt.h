// Reading the centre's file receipt (docs/protocol.md): the one place the gateway takes fields
// out of it. The document is input from the network — it may be the bare receipt or wrapped as
// {"receipt": …, "signature": …}, and any field may be missing or of another type — so nothing
// here throws: a field that is absent or wrongly typed reads as empty / 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seqgate::transfer {

struct FileReceipt {
  std::string status;  // verified / unverified / quarantined ("" when absent)
  std::string reason;
  std::string encoding;  // as on the wire: "identity", "zstd-seekable"
  std::string sha256;    // of the original, as the centre computed it (lower-case hex)
  std::string md5;       // of the original; "" when the centre stated none
  uint64_t packed_size = 0, original_size = 0;

  // The centre's MD5, if it hashed the bytes whose SHA-256 is `our_sha256` and states a
  // well-formed one (32 lower-case hex digits); "" otherwise.
  std::string Md5IfSha256Is(std::string_view our_sha256) const;
};

// nullopt when `document` is not a JSON object (nor one wrapping a "receipt" object).
std::optional<FileReceipt> ParseFileReceipt(std::string_view document);

}  // namespace seqgate::transfer
