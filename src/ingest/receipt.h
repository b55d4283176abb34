// Receipts: the centre's signed statement of what it received and what it did with it.
//
// A document is JSON {"receipt": {...}, "signature": {"algorithm": "ed25519", "key_id": ...,
// "value": base64}} where the signature covers the canonical form of "receipt": keys sorted,
// no whitespace, UTF-8 (docs/protocol.md). Receipts are stored exactly as served.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ingest/receipt_signer.h"

namespace seqgate::ingest {

enum class ReceiptStatus { kVerified, kUnverified, kQuarantined };

// "verified" | "unverified" | "quarantined".
std::string_view ReceiptStatusName(ReceiptStatus s);

struct FileReceipt {
  std::string site;
  std::string run;   // empty for plain tus uploads
  std::string path;  // as declared (normalised); empty for plain uploads
  std::string upload_id;
  std::string encoding;  // "identity" | "zstd-seekable"
  uint64_t packed_size = 0;
  std::optional<uint64_t> original_size;  // known once decoded
  std::optional<uint32_t> frames;
  std::string sha256;           // computed, hex (of the original)
  std::string md5;              // computed, hex, when asked for
  std::string declared_sha256;  // what the client declared, hex
  std::string declared_md5;
  ReceiptStatus status = ReceiptStatus::kUnverified;
  std::string reason;        // why quarantined (or a note)
  std::string duplicate_of;  // upload whose stored file this one matched (nothing re-stored)
  std::string stored_as;     // path relative to the storage root
  std::string time;          // RFC 3339 UTC
  std::string server;
};

// One line of a run receipt: a file the manifest listed and what the centre holds for it.
struct RunFileCheck {
  std::string path;
  std::string sha256;
  std::string status;  // "verified" | "missing" | "mismatch"
  std::string upload_id;
};

struct RunReceipt {
  std::string site;
  std::string run;
  std::string manifest_upload_id;
  std::vector<RunFileCheck> files;
  bool complete = false;  // every listed file stored and verified
  std::string reason;
  std::string time;
  std::string server;
};

// Builds and signs the document for a file receipt (also used for a manifest upload, with the
// run receipt embedded under "run").
Result<std::string> SignFileReceipt(const FileReceipt& receipt,
                                    const std::optional<RunReceipt>& run,
                                    const ReceiptSigner& signer);

// Builds and signs the document for a run receipt.
Result<std::string> SignRunReceipt(const RunReceipt& run, const ReceiptSigner& signer);

// Checks a document's signature with a PEM public key; returns the canonical "receipt" JSON.
// kCorruption if the document is malformed or the signature does not verify.
Result<std::string> VerifyReceiptDocument(std::string_view document,
                                          std::string_view public_key_pem);

// Reads "status" and "sha256" out of a document without checking its signature (our own
// stored receipts, for deduplication).
struct ReceiptDigest {
  std::string status;
  std::string sha256;
  std::string upload_id;
  uint64_t packed_size = 0;
};
Result<ReceiptDigest> PeekReceipt(std::string_view document);

// Now as RFC 3339 UTC with seconds ("2026-07-01T12:00:00Z").
std::string NowRfc3339();

}  // namespace seqgate::ingest
