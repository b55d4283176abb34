// The gateway's journal: the durable state of every run, file and upload, in SQLite (WAL) in the
// state directory. Record before acting: the daemon writes here first and acts second, so after
// any crash the journal says what may have happened and reconciliation settles the rest.
//
// Durability: ordinary progress (acknowledged offsets) commits with synchronous=NORMAL — after a
// power cut it may roll back a little, which only means re-asking the centre (HEAD). Transitions
// that let the gateway forget something — an upload created, a file delivered, a source found
// changed, a run delivered — commit with synchronous=FULL.
//
// A journal that is not ours, is damaged, or was written by a newer seqgate is refused with a
// message saying how to recover; the journal is never silently recreated.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "pipeline/frame_record.h"
#include "transfer/s3/multipart_state.h"

namespace seqgate::journal {

class Database;
class Statement;

// Schema version this build writes. Bumped with every migration.
inline constexpr int kSchemaVersion = 3;
// PRAGMA application_id of a seqgate journal ("SQGT").
inline constexpr int32_t kApplicationId = 0x53514754;

enum class FileState { kPending, kPacking, kUploading, kDelivered, kFailed };
std::string_view FileStateName(FileState s);

// A run as the bridge describes it. (run_id, flowcell) identifies it across folder renames.
struct RunRecord {
  int64_t id = 0;  // assigned by the journal
  std::string run_id, flowcell, family, instrument, run_dir;
  std::string name;                   // the run's name at the centre (seqgate-run)
  std::string metadata_json;          // instrument metadata, a JSON object ("" = unknown)
  std::string state = "in_progress";  // in_progress | completed | failed | aborted | stalled
  std::optional<std::string> outcome;
  int64_t discovered_ns = 0;
  std::optional<std::string> manifest_receipt;  // set when the centre acknowledged the run
  // Read-only here (RecordRun ignores them): kept by the manifest transitions.
  std::optional<std::string> manifest_url, run_receipt_status, error;
  std::optional<int64_t> delivered_ns;
};

// What the centre will receive for a file, once packed.
struct PackedInfo {
  std::string encoding;  // "zstd" | "identity"
  std::string original_sha256;
  std::optional<std::string> original_md5;
  uint64_t packed_size = 0;
  std::string packed_sha256;
  uint32_t frame_size = 0;
  int level = 0;
  uint64_t original_size = 0;
  uint64_t trailer_size = 0;  // the seek table's bytes at the end of packed_size (zstd)
};

// How a file's stream is made, fixed when its upload starts: a resumed first pass must
// reproduce the same frames, so it must use the same parameters.
struct StreamShape {
  std::string endpoint;
  std::string encoding;  // "zstd" | "identity"
  int level = 3;
  uint32_t frame_size = 0;
  bool md5 = true;
};

// A file's Crypt4GH object on the S3 path: what goes to the inbox, and its digests.
struct S3ObjectInfo {
  std::string key;  // inside the bucket
  uint64_t size = 0;
  std::string sha256;
  std::optional<std::string> etag;  // the checked multipart ETag, once delivered
};

struct FileRecord {
  int64_t id = 0;
  int64_t run = 0;
  std::string rel_path;
  FileIdentity identity;
  FileState state = FileState::kPending;
  std::optional<StreamShape> shape;  // set when the upload starts
  std::optional<PackedInfo> packed;  // set when the first pack finished
  std::optional<std::string> upload_url;
  uint64_t acked_offset = 0;
  bool upload_complete = false;  // the centre holds every byte (receipt may still be pending)
  std::optional<std::string> receipt, receipt_status, error;
  int attempts = 0;  // permanent failures (each retry by an operator starts a new attempt)
  int retries = 0;   // transient failures survived, over all attempts
  std::optional<int64_t> ready_ns, delivered_ns;
  std::optional<S3ObjectInfo> object;  // S3 path: set when its object was staged
};

// Where an upload stands, as its uploader reports it after every step worth surviving a crash.
struct UploadProgress {
  StreamShape shape;
  std::string upload_url;  // empty until the centre created the upload
  uint64_t acked_offset = 0;
  bool complete = false;
  std::optional<PackedInfo> packed;
  // Every frame record known so far; those past the ones already stored are appended.
  const std::vector<pipeline::FrameRecord>* frames = nullptr;
};

// Files and bytes by state, for status screens and metrics.
struct StateTotals {
  int64_t files = 0;
  uint64_t bytes = 0;        // original sizes
  uint64_t acked_bytes = 0;  // packed bytes the centre acknowledged
  uint64_t packed_bytes = 0;
};
struct RunTotals {
  int64_t run = 0;
  int64_t files = 0, delivered = 0, failed = 0;
  uint64_t bytes = 0, delivered_bytes = 0;
};

// One schema step: the SQL that takes version `to - 1` to `to`.
struct Migration {
  int to;
  const char* sql;
};
// The migrations this build knows, oldest first.
std::span<const Migration> Migrations();

class Journal {
 public:
  // Opens or creates the journal at `path`, applying pending migrations in one transaction.
  // kCorruption / kUnsupported with a recovery hint for damaged, foreign or newer journals.
  static Result<std::unique_ptr<Journal>> Open(const std::string& path);
  // As Open, with an explicit migration list (tests exercise upgrades with it).
  static Result<std::unique_ptr<Journal>> OpenWithMigrations(const std::string& path,
                                                             std::span<const Migration> migrations);
  ~Journal();

  // Inserts the run or, when (run_id, flowcell) is known, updates folder, state and outcome
  // (a renamed folder is the same run). Returns the run's id.
  Result<int64_t> RecordRun(const RunRecord& run);
  Result<RunRecord> Run(int64_t id);
  // Every run, oldest first.
  Result<std::vector<RunRecord>> Runs();
  // The manifest upload the centre created for the run. FULL durability.
  Status RecordManifestCreated(int64_t run, const std::string& url);
  // The centre's run receipt: the run is delivered. FULL durability. `status` is the run
  // receipt's status ("complete").
  Status RecordRunDelivered(int64_t run, const std::string& receipt_json,
                            const std::string& status = "complete");
  // Why the run is not delivered (cleared by RecordRunDelivered); nullopt clears it.
  Status RecordRunError(int64_t run, const std::optional<std::string>& error);

  // A ready file as seen on disk. New → pending. Known with the same identity → unchanged.
  // Known with a different identity (size, mtime, inode) → back to pending, with its packing,
  // upload and frames forgotten (FULL durability): the source changed, so it starts over.
  Result<FileRecord> RecordFileSeen(int64_t run, const std::string& rel_path,
                                    const FileIdentity& identity);
  Result<FileRecord> File(int64_t id);
  Result<std::vector<FileRecord>> FilesOfRun(int64_t run);
  // Files not yet delivered nor failed (pending, packing, uploading), oldest run first, then
  // in discovery order: what the scheduler chooses from.
  Result<std::vector<FileRecord>> WorkQueue(int limit);
  // Files in `state`, oldest run first, then in discovery order: the fair work order.
  Result<std::vector<FileRecord>> FilesInState(FileState state, int limit);

  Status RecordPacking(int64_t file);
  // Digests and frame records of a finished pack, in one transaction.
  Status RecordPacked(int64_t file, const PackedInfo& info,
                      const std::vector<pipeline::FrameRecord>& frames);
  Result<std::vector<pipeline::FrameRecord>> Frames(int64_t file);
  // The upload URL the centre gave us. FULL durability: losing it would orphan the upload.
  Status RecordUploadCreated(int64_t file, const std::string& url);
  // Bytes the centre acknowledged. NORMAL durability (a rollback only costs a HEAD).
  Status RecordAcked(int64_t file, uint64_t offset);
  // Everything an uploader reports, in one transaction: shape, URL, offset, pack results and
  // new frame records. FULL durability when the URL changes, the pack completes or the
  // centre completes the upload (forgetting those would orphan or repeat work); NORMAL else.
  // A new URL (the old upload vanished) restarts the acknowledged offset from `acked_offset`.
  Status RecordUploadProgress(int64_t file, const UploadProgress& p);
  // The centre's receipt: the file is delivered. FULL durability.
  Status RecordDelivered(int64_t file, const std::string& receipt_json,
                         const std::string& receipt_status = "verified");
  // A permanent failure with its reason; `attempts` counts it.
  Status RecordFailed(int64_t file, const std::string& reason);
  // A transient failure being retried (the file stays in its state): its reason is kept so
  // operators see why a file is not moving, and `retries` counts it.
  Status RecordTransientError(int64_t file, const std::string& reason);
  // An operator's retry: a failed file goes back to pending, keeping its upload (if any) so
  // the new attempt resumes it. kNotFound for an unknown id, kFailedPrecondition when the
  // file is not failed.
  Status RecordRetry(int64_t file);
  // The file was announced ready by the bridge at `ready_ns` (first announcement only).
  Status RecordReady(int64_t file, int64_t ready_ns);

  // --- the S3 path (journal_s3.cc) ---
  // The multipart state of s3://bucket/key; nullopt when none was recorded.
  Result<std::optional<transfer::s3::MultipartState>> LoadS3Upload(const std::string& bucket,
                                                                   const std::string& key);
  // Replaces it, parts included (only changed parts are written). FULL durability when the
  // upload id or completion changes (the intent before a create, the id after it), NORMAL for
  // parts (a lost part record only costs re-hashing a part ListParts still shows).
  Status SaveS3Upload(const transfer::s3::MultipartState& s);
  // The file was packed and encrypted into its object: the original's and the compressed
  // stream's digests (`packed`) and the object's key, size and SHA-256. FULL durability.
  Status RecordS3Staged(int64_t file, const PackedInfo& packed, const S3ObjectInfo& object);
  // CompleteMultipartUpload succeeded and its ETag matched: the file is delivered.
  Status RecordS3Delivered(int64_t file, const std::string& etag, const std::string& receipt_json);
  // The last expiry stage (1 = 24 h, 2 = 2 h, 3 = expired) warned about for the token with
  // this SHA-256; 0 when none.
  Result<int> TokenWarnedStage(const std::string& token_sha256);
  Status RecordTokenWarned(const std::string& token_sha256, int stage);

  // Files and bytes by state.
  Result<std::map<FileState, StateTotals>> Totals();
  // Per-run counts, for every run.
  Result<std::vector<RunTotals>> AllRunTotals();

 private:
  explicit Journal(std::unique_ptr<Database> db);
  enum class Durability { kNormal, kFull };
  Status SetDurability(Durability d);
  // Runs `sql` (?1 is the file id) with further binds from `bind`; kNotFound if no row changed.
  Status UpdateFile(int64_t file, Durability d, const char* sql,
                    const std::function<void(Statement&)>& bind);

  // One connection shared by the daemon's threads: every public method holds this (recursive:
  // methods build on each other).
  std::recursive_mutex mu_;
  std::unique_ptr<Database> db_;
};

}  // namespace seqgate::journal
