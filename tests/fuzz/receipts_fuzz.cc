// Receipts as the gateway gets them from the centre (seqgated reads the file receipt's status
// and digests, and the run receipt inside a manifest upload's receipt), as the centre re-reads
// its own stored ones (PeekReceipt, for deduplication), as anyone checks one
// (VerifyReceiptDocument), and the gateway's resume state file. The first byte picks the reader;
// the rest is the document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/manifest.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/fuzz_key.h"
#include "ingest/receipt.h"
#include "transfer/upload_state.h"

namespace {

using namespace seqgate;

// Signs a receipt made of input bytes and checks it verifies and reads back the same.
void SignRoundTrip(std::string_view text) {
  auto v = fuzz::SplitLines(text, 4);
  ingest::FileReceipt r;
  r.site = std::string(v[0]);
  r.path = std::string(v[1]);
  r.sha256 = std::string(v[2]);
  r.reason = std::string(v[3]);
  r.upload_id = "0123456789abcdef0123456789abcdef";
  r.status = ingest::ReceiptStatus::kVerified;
  const auto& signer = fuzz::FuzzSigner();
  auto doc = ingest::SignFileReceipt(r, std::nullopt, signer);
  if (!doc.ok()) return;  // e.g. bytes that are not UTF-8: refused, not signed
  if (!ingest::VerifyReceiptDocument(*doc, signer.public_key_pem()).ok()) std::abort();
  auto peek = ingest::PeekReceipt(*doc);
  if (!peek.ok() || peek->sha256 != r.sha256 || peek->status != "verified") std::abort();
  auto [status, reason] = daemon::ParseReceiptStatus(*doc);
  if (status != "verified") std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string text(fuzz::AsText(data + 1, size - 1));
  switch (data[0] % 7) {
    case 0:
      (void)daemon::ParseRunReceipt(text);
      break;
    case 1:
      (void)daemon::ParseReceiptStatus(text);
      break;
    case 2:
      (void)daemon::PackedInfoFromReceipt(text);
      break;
    case 3:
      (void)ingest::PeekReceipt(text);
      break;
    case 4:
      (void)ingest::VerifyReceiptDocument(text, fuzz::FuzzSigner().public_key_pem());
      break;
    case 5: {
      auto s = transfer::UploadStateFromJson(text);
      if (s.ok()) {
        // What we write we read back.
        auto again = transfer::UploadStateFromJson(transfer::UploadStateToJson(*s));
        if (!again.ok()) std::abort();
      }
      break;
    }
    default:
      SignRoundTrip(text);
      break;
  }
  return 0;
}
