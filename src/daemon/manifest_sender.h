// Uploads one run manifest to the centre with tus (creation-with-upload: manifests are small)
// and fetches the receipt that carries the centre's run receipt. Resumes a manifest upload the
// journal remembers; a lost answer is harmless because the manifest is deterministic and the
// centre deduplicates identical files of a run.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "common/status.h"
#include "transfer/http_client.h"
#include "transfer/retry_policy.h"

namespace seqgate::daemon {

struct ManifestUpload {
  std::string endpoint;                  // tus creation URL
  std::string run;                       // seqgate-run
  std::string bytes;                     // the manifest
  std::optional<std::string> known_url;  // from the journal, when a previous try created one
  transfer::RetryPolicy retry;
  std::stop_token stop;  // requested → kAborted at the next attempt or wait
  // Called once the centre created the upload (the journal records it before anything else).
  std::function<Status(const std::string& url)> created;
  std::function<void(const std::string&)> note;  // retry notes for the log
};

struct ManifestOutcome {
  std::string url;
  std::string receipt;  // the centre's receipt document (verification servers)
  bool verification = false;
};

// Runs until the centre holds the manifest and answered with its receipt, a permanent
// failure, or `stop`.
Result<ManifestOutcome> SendManifest(transfer::HttpClient& http, const ManifestUpload& m);

}  // namespace seqgate::daemon
