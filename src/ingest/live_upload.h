// An upload opened for writing: its declared facts, its acknowledged progress, the data file
// and the verifier that follows the acknowledged bytes. Only the holder of the upload's lock
// (upload_locks.h) touches one, so it needs no locking of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "ingest/content_verifier.h"
#include "ingest/upload_store.h"

namespace seqgate::ingest {

class LiveUpload {
 public:
  // Loads the upload and reconciles the data file with the acknowledged offset: bytes past it
  // were never acknowledged (crash mid-PATCH) and are cut off. kNotFound for unknown uploads.
  static Result<std::unique_ptr<LiveUpload>> Open(const UploadStore& store, const std::string& site,
                                                  const std::string& id);
  ~LiveUpload();
  LiveUpload(const LiveUpload&) = delete;
  LiveUpload& operator=(const LiveUpload&) = delete;

  UploadInfo& info() { return info_; }
  const UploadProgress& progress() const { return progress_; }
  bool complete() const { return info_.length && progress_.offset == *info_.length; }

  // Writes `data` at `offset` (which may lie past the acknowledged offset: staging).
  Status WriteAt(uint64_t offset, ByteView data);
  // fdatasyncs the data file, then durably records `offset` as acknowledged. Acknowledged
  // bytes the verifier already has are dropped from the page cache: nothing reads them again.
  Status Commit(uint64_t offset, int64_t expires_unix);
  // Drops staged bytes past the acknowledged offset (a discarded chunk). A verifier that was
  // fed some of them starts over from the file (Restart), and this upload feeds no staged
  // bytes again: a client that keeps sending bad chunks costs at most one re-read.
  Status DiscardStaged();

  // Feeds bytes to the verifier when they continue exactly where it stands; otherwise the
  // verifier falls behind and CatchUp reads the gap from disk later. `staged` bytes lie past
  // the acknowledged offset and may still be discarded; they are fed only while no discard
  // has undone a feed (see DiscardStaged).
  // Returns whether the verifier took them.
  bool FeedIfInOrder(uint64_t offset, ByteView data, bool staged = false);
  // Starts the verifier's own digest of a staged chunk whose first byte goes to `offset`
  // (ContentVerifier::BeginChunkDigest), when every byte of it can reach the verifier from
  // memory: staged bytes are fed and the verifier stands at `offset`. False otherwise; the
  // caller then hashes the chunk itself. The digest comes from verifier().EndChunkDigest.
  bool BeginChunkDigest(uint64_t offset);
  // Brings the verifier up to the acknowledged offset by reading the data file.
  Status CatchUp();
  // Replaces the verifier with a fresh one (e.g. after an I/O error) and catches up from 0.
  Status Restart();
  ContentVerifier& verifier() { return *verifier_; }

  const std::string& data_path() const { return data_path_; }

 private:
  LiveUpload(const UploadStore& store, UploadInfo info, UploadProgress progress,
             std::unique_ptr<RandomRWFile> data);
  // Whether bytes at `offset` would reach the verifier from memory now.
  bool InOrder(uint64_t offset, bool staged) const;

  const UploadStore& store_;
  UploadInfo info_;
  UploadProgress progress_;
  std::unique_ptr<RandomRWFile> data_;  // null once a finalised upload's data has moved on
  std::string data_path_;
  std::unique_ptr<ContentVerifier> verifier_;
  Status verifier_error_;  // sticky: first failure while feeding
  uint64_t fed_end_ = 0;   // end of the bytes fed to the verifier from memory
  uint64_t uncached_ = 0;  // page cache dropped below this offset
  bool feed_staged_ = true;  // false once a discard undid a feed of staged bytes
};

}  // namespace seqgate::ingest
