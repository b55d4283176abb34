// The run manifest: what the gateway tells the centre a run consists of once every file of it
// is delivered — instrument metadata, the run's outcome, and each file with its sizes,
// encoding and digests (docs/protocol.md §3.5). The centre checks it against the files it
// verified and answers with a signed run receipt.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "journal/journal.h"

namespace seqgate::daemon {

// The manifest's bytes. Deterministic (no timestamps, files in path order): rebuilding it after
// a crash gives the same bytes, so the centre recognises a re-sent manifest as the same one.
std::string BuildManifest(const std::string& site, const journal::RunRecord& run,
                          const std::vector<journal::FileRecord>& files);

// The run receipt inside a manifest upload's receipt: its status ("complete"/"incomplete")
// and reason. kCorruption when the document holds none.
struct RunReceiptSummary {
  std::string status, reason;
};
Result<RunReceiptSummary> ParseRunReceipt(const std::string& receipt_document);

// A file receipt's own "status" (verified / unverified / quarantined) and reason; empty strings
// when the document is not a JSON object.
std::pair<std::string, std::string> ParseReceiptStatus(const std::string& receipt_document);

// The digests and sizes a file receipt states for the original file (encoding, sha256, md5,
// packed and original size), for an upload whose bytes were never packed here; nullopt when the
// receipt names no sha256. frame_size, level and the packed digest are the caller's to fill.
std::optional<journal::PackedInfo> PackedInfoFromReceipt(const std::string& receipt_document);

}  // namespace seqgate::daemon
