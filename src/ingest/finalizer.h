// What happens when the last byte of an upload is acknowledged: verify, place, sign.
//
// Only a verified file reaches <storage>/<site>/<run>/<path>; a failed one goes to quarantine
// with the reason; a plain tus upload (no digest declared) goes to .unverified. The signed
// receipt is written into the upload's folder *before* the data moves, so after a crash at any
// point Recover() can finish the move that the receipt already describes.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "ingest/live_upload.h"
#include "ingest/receipt.h"
#include "ingest/receipt_signer.h"
#include "ingest/upload_store.h"

namespace seqgate::ingest {

struct FinalizeOutcome {
  ReceiptStatus status = ReceiptStatus::kUnverified;
  std::string reason;
  std::string document;  // the signed receipt
};

class Finalizer {
 public:
  Finalizer(const UploadStore& store, const ReceiptSigner& signer, std::string server_name)
      : store_(store), signer_(signer), server_name_(std::move(server_name)) {}

  // Verifies the complete upload, writes its receipt, moves its data. Errors are only I/O
  // failures that a retry may fix (the upload stays complete-without-receipt); content
  // failures are outcomes (quarantined), not errors.
  Result<FinalizeOutcome> Complete(LiveUpload& upload) const;

  // Finishes a move that a crash interrupted (receipt written, data still in the upload
  // folder). Harmless to call on any upload.
  Status Recover(const std::string& site, const std::string& id) const;

  // The receipt of a verified file already stored under site/run/path with `sha256`, if any.
  std::optional<std::string> FindVerified(const std::string& site, const Declaration& decl) const;

 private:
  // Final name of a verified file: compressed files keep a ".zst" suffix.
  std::string FinalRelative(const UploadInfo& info) const;
  Result<RunReceipt> CheckRun(const UploadInfo& info, const std::string& manifest_path) const;

  const UploadStore& store_;
  const ReceiptSigner& signer_;
  std::string server_name_;
  // Deciding a destination and moving there is one step: two uploads of the same run/path
  // completing at once must not both find the name free.
  mutable std::mutex placement_mu_;
};

}  // namespace seqgate::ingest
