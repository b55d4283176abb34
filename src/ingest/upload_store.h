// Where uploads live on disk, and their durable state. Layout under the storage root:
//
//   .uploads/<site>/<id>/info.json      what was declared at creation (+ deferred length)
//   .uploads/<site>/<id>/progress.json  the acknowledged offset and expiry — the only truth
//   .uploads/<site>/<id>/data           the bytes; anything past the offset is unacknowledged
//   .uploads/<site>/<id>/receipt.json   once complete: the signed receipt (kept for ever)
//   .quarantine/<site>/<id>.data        uploads that failed verification
//   .unverified/<site>/<id>/<name>      plain tus uploads nobody declared a digest for
//   .receipts/<site>/<run>/files/<path>.json   index of verified files (deduplication, runs)
//   .receipts/<site>/<run>/run.json     the run receipt written from a manifest
//   <site>/<run>/<path>                 verified files only
//
// Site names may not start with '.', so nothing a client names can land in our dot-folders.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "ingest/declaration.h"

namespace seqgate::ingest {

// The creation-time facts of an upload (info.json).
struct UploadInfo {
  std::string site;
  std::string id;
  std::optional<uint64_t> length;  // nullopt while deferred
  std::string metadata_header;     // raw Upload-Metadata, echoed on HEAD (validated at creation)
  Declaration declaration;
  int64_t created_unix = 0;
};

// The acknowledged state (progress.json), rewritten atomically at every commit.
struct UploadProgress {
  uint64_t offset = 0;
  int64_t expires_unix = 0;
};

// Length of an upload id in hex digits: 128 random bits.
inline constexpr size_t kUploadIdHexDigits = 32;

// True for a well-formed upload id (exactly 32 lower-case hex digits).
bool IsValidUploadId(std::string_view id);

class UploadStore {
 public:
  // Every change to storage goes through `env` (not owned; Env::Default() in production).
  explicit UploadStore(std::string root, Env* env = Env::Default())
      : root_(std::move(root)), env_(env) {}

  // Creates the top-level folders.
  Status Init() const;

  const std::string& root() const { return root_; }
  Env& env() const { return *env_; }
  std::string UploadDir(const std::string& site, const std::string& id) const;
  std::string DataPath(const std::string& site, const std::string& id) const;
  std::string ReceiptPath(const std::string& site, const std::string& id) const;
  std::string QuarantinePath(const std::string& site, const std::string& id) const;
  std::string UnverifiedPath(const std::string& site, const std::string& id,
                             const std::string& name) const;
  // <root>/<site>/<run>/<path>; all three must already be validated.
  std::string FinalPath(const std::string& site, const std::string& run,
                        const std::string& path) const;
  std::string IndexPath(const std::string& site, const std::string& run,
                        const std::string& path) const;
  std::string RunReceiptPath(const std::string& site, const std::string& run) const;

  // Creates the upload's folder, info.json, progress.json and an empty data file.
  Status Create(const UploadInfo& info, const UploadProgress& progress) const;

  // Loads info.json; kNotFound when the site has no such upload.
  Result<UploadInfo> LoadInfo(const std::string& site, const std::string& id) const;
  Status SaveInfo(const UploadInfo& info) const;

  Result<UploadProgress> LoadProgress(const std::string& site, const std::string& id) const;
  Status SaveProgress(const std::string& site, const std::string& id,
                      const UploadProgress& progress) const;

  // The signed receipt document, if the upload has completed.
  Result<std::optional<std::string>> LoadReceipt(const std::string& site,
                                                 const std::string& id) const;

  // Removes the upload's folder (termination, expiry).
  Status Remove(const std::string& site, const std::string& id) const;

  struct Listed {
    std::string site;
    std::string id;
  };
  // Every upload folder of every site (for start-up counting and expiry sweeps).
  std::vector<Listed> ListAll() const;

 private:
  std::string root_;
  Env* env_;
};

}  // namespace seqgate::ingest
