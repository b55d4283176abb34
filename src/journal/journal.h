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
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "pipeline/frame_record.h"

namespace seqgate::journal {

class Database;
class Statement;

// Schema version this build writes. Bumped with every migration.
inline constexpr int kSchemaVersion = 1;
// PRAGMA application_id of a seqgate journal ("SQGT").
inline constexpr int32_t kApplicationId = 0x53514754;

enum class FileState { kPending, kPacking, kUploading, kDelivered, kFailed };
std::string_view FileStateName(FileState s);

// A run as the bridge describes it. (run_id, flowcell) identifies it across folder renames.
struct RunRecord {
  int64_t id = 0;  // assigned by the journal
  std::string run_id, flowcell, family, instrument, run_dir;
  std::string state = "in_progress";  // in_progress | completed | failed | aborted | stalled
  std::optional<std::string> outcome;
  int64_t discovered_ns = 0;
  std::optional<std::string> manifest_receipt;  // set when the centre acknowledged the run
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
};

struct FileRecord {
  int64_t id = 0;
  int64_t run = 0;
  std::string rel_path;
  FileIdentity identity;
  FileState state = FileState::kPending;
  std::optional<PackedInfo> packed;
  std::optional<std::string> upload_url;
  uint64_t acked_offset = 0;
  std::optional<std::string> receipt, error;
  int attempts = 0;
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
  // The centre's run receipt: the run is delivered. FULL durability.
  Status RecordRunDelivered(int64_t run, const std::string& receipt_json);

  // A ready file as seen on disk. New → pending. Known with the same identity → unchanged.
  // Known with a different identity (size, mtime, inode) → back to pending, with its packing,
  // upload and frames forgotten (FULL durability): the source changed, so it starts over.
  Result<FileRecord> RecordFileSeen(int64_t run, const std::string& rel_path,
                                    const FileIdentity& identity);
  Result<FileRecord> File(int64_t id);
  Result<std::vector<FileRecord>> FilesOfRun(int64_t run);
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
  // The centre's receipt: the file is delivered. FULL durability.
  Status RecordDelivered(int64_t file, const std::string& receipt_json);
  // A permanent failure with its reason; `attempts` counts it.
  Status RecordFailed(int64_t file, const std::string& reason);

 private:
  explicit Journal(std::unique_ptr<Database> db);
  enum class Durability { kNormal, kFull };
  Status SetDurability(Durability d);
  // Runs `sql` (?1 is the file id) with further binds from `bind`; kNotFound if no row changed.
  Status UpdateFile(int64_t file, Durability d, const char* sql,
                    const std::function<void(Statement&)>& bind);

  std::unique_ptr<Database> db_;
};

}  // namespace seqgate::journal
