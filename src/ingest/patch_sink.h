// Streams one PATCH (or creation-with-upload) body into an upload with bounded memory.
//
// Without Upload-Checksum, bytes are written in place, fed to the verifier, and checkpointed
// durably every commit_interval_bytes; an interrupted body keeps what arrived (tus: store as
// much as possible). With Upload-Checksum the body is staged past the acknowledged offset and
// committed only if the digest matches — otherwise cut off again and answered 460. Staged
// bytes go to the verifier as they arrive; a discarded chunk restarts it (LiveUpload).
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "common/hashing.h"
#include "ingest/checksum_header.h"
#include "ingest/http_types.h"
#include "ingest/live_upload.h"

namespace seqgate::ingest {

class TusService;

class PatchSink final : public BodySink {
 public:
  // `success` is the response to complete (204 for PATCH, 201 for creation); the sink adds
  // Upload-Offset and Upload-Expires. `limit` is the most bytes the body may carry.
  PatchSink(TusService& service, std::shared_ptr<LiveUpload> upload, uint64_t start, uint64_t limit,
            std::optional<UploadChecksum> checksum, Response success);

  Status Write(ByteView data) override;
  void WhenReady(std::function<void()> resume) override;
  // With the chunk's digest left to the verifier: waits for it.
  void WhenComplete(std::function<void()> resume) override;
  Response Finish(BodyEnd end) override;

 private:
  Status Fail(unsigned http_status, std::string reason);
  // Closes a chunk digest the verifier was asked for but nobody will wait for.
  void AbandonChunkDigest();

  // The verifier's digest of this body, handed over from its hash thread.
  struct ChunkDigest {
    std::mutex mu;
    bool ready = false;
    std::optional<Digest> digest;
  };

  TusService& service_;
  std::shared_ptr<LiveUpload> up_;
  uint64_t start_;
  uint64_t limit_;
  std::optional<UploadChecksum> checksum_;
  std::optional<Hasher> hasher_;
  // A SHA-256 Upload-Checksum of a body that continues the verifier's stream is computed by the
  // verifier, in the pass it makes over the same bytes anyway (ContentVerifier::
  // BeginChunkDigest): the centre's CPU per byte of an identity upload drops by about 15 %.
  bool chunk_in_verifier_ = false;
  bool chunk_fed_all_ = true;  // every byte reached the verifier
  bool chunk_ended_ = false;   // EndChunkDigest was called
  std::shared_ptr<ChunkDigest> chunk_digest_;
  Response success_;
  uint64_t written_ = 0;
  uint64_t committed_ = 0;  // bytes of this body already acknowledged by a checkpoint
  unsigned error_status_ = 0;
  std::string error_reason_;
};

}  // namespace seqgate::ingest
