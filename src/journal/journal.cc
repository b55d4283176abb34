#include "journal/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "common/clock.h"
#include "journal/sqlite_db.h"

namespace seqgate::journal {
namespace {

constexpr char kRecoveryHint[] =
    "; seqgated will not start on it. To recover, stop seqgated, move the journal aside "
    "(keep it for diagnosis) and start again: runs are rediscovered and files already at the "
    "centre are recognised there by their digests and not stored twice";

// SQLite files start with this 16-byte header; anything else is not a database at all.
bool LooksLikeSqlite(const std::string& path, bool* empty) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *empty = true;  // absent: will be created
    return true;
  }
  char head[16] = {};
  const ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  *empty = n == 0;
  return n == 0 || (n == 16 && std::memcmp(head, "SQLite format 3", 16) == 0);
}

constexpr const char* kFileColumns =
    "id, run, rel_path, size, mtime_ns, inode, device, state, encoding, original_sha256, "
    "original_md5, packed_size, packed_sha256, frame_size, level, upload_url, acked_offset, "
    "receipt, error, attempts, endpoint, md5, original_size, trailer_size, upload_complete, "
    "receipt_status, ready_ns, delivered_ns, retries, object_key, object_size, object_sha256, "
    "object_etag";

constexpr const char* kRunColumns =
    "id, run_id, flowcell, family, instrument, run_dir, state, outcome, discovered_ns, "
    "manifest_receipt, name, manifest_url, run_receipt_status, error, delivered_ns, metadata";

std::optional<int64_t> OptInt(const Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return st.Int(col);
}

std::optional<std::string> OptText(const Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return st.Text(col);
}

Result<FileState> ParseFileState(const std::string& s) {
  for (FileState f : {FileState::kPending, FileState::kPacking, FileState::kUploading,
                      FileState::kDelivered, FileState::kFailed}) {
    if (FileStateName(f) == s) return f;
  }
  return Corruption("unknown file state '" + s + "' in journal");
}

Result<FileRecord> ReadFile(const Statement& st) {
  FileRecord f;
  f.id = st.Int(0);
  f.run = st.Int(1);
  f.rel_path = st.Text(2);
  f.identity.size = static_cast<uint64_t>(st.Int(3));
  f.identity.mtime_ns = st.Int(4);
  f.identity.inode = static_cast<uint64_t>(st.Int(5));
  f.identity.device = static_cast<uint64_t>(st.Int(6));
  f.identity.type = FileType::kRegular;
  SEQGATE_ASSIGN_OR_RETURN(f.state, ParseFileState(st.Text(7)));
  if (!st.IsNull(20)) {
    StreamShape sh;
    sh.endpoint = st.Text(20);
    sh.encoding = st.Text(8);
    sh.level = static_cast<int>(st.Int(14));
    sh.frame_size = static_cast<uint32_t>(st.Int(13));
    sh.md5 = st.Int(21) != 0;
    f.shape = std::move(sh);
  }
  if (!st.IsNull(9)) {  // the original's digest exists only once the pack finished
    PackedInfo p;
    p.encoding = st.Text(8);
    p.original_sha256 = st.Text(9);
    p.original_md5 = OptText(st, 10);
    p.packed_size = static_cast<uint64_t>(st.Int(11));
    p.packed_sha256 = st.Text(12);
    p.frame_size = static_cast<uint32_t>(st.Int(13));
    p.level = static_cast<int>(st.Int(14));
    p.original_size = static_cast<uint64_t>(st.Int(22));
    p.trailer_size = static_cast<uint64_t>(st.Int(23));
    f.packed = std::move(p);
  }
  f.upload_url = OptText(st, 15);
  f.acked_offset = static_cast<uint64_t>(st.Int(16));
  f.receipt = OptText(st, 17);
  f.error = OptText(st, 18);
  f.attempts = static_cast<int>(st.Int(19));
  f.upload_complete = st.Int(24) != 0;
  f.receipt_status = OptText(st, 25);
  f.ready_ns = OptInt(st, 26);
  f.delivered_ns = OptInt(st, 27);
  f.retries = static_cast<int>(st.Int(28));
  if (!st.IsNull(29)) {
    S3ObjectInfo o;
    o.key = st.Text(29);
    o.size = static_cast<uint64_t>(st.Int(30));
    o.sha256 = st.Text(31);
    o.etag = OptText(st, 32);
    f.object = std::move(o);
  }
  return f;
}

RunRecord ReadRun(const Statement& st) {
  RunRecord r;
  r.id = st.Int(0);
  r.run_id = st.Text(1);
  r.flowcell = st.Text(2);
  r.family = st.Text(3);
  r.instrument = st.Text(4);
  r.run_dir = st.Text(5);
  r.state = st.Text(6);
  r.outcome = OptText(st, 7);
  r.discovered_ns = st.Int(8);
  r.manifest_receipt = OptText(st, 9);
  r.name = st.IsNull(10) ? std::string() : st.Text(10);
  r.manifest_url = OptText(st, 11);
  r.run_receipt_status = OptText(st, 12);
  r.error = OptText(st, 13);
  r.delivered_ns = OptInt(st, 14);
  r.metadata_json = st.IsNull(15) ? std::string() : st.Text(15);
  return r;
}

Result<std::vector<FileRecord>> ReadFiles(Statement& st) {
  std::vector<FileRecord> out;
  for (;;) {
    SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) break;
    SEQGATE_ASSIGN_OR_RETURN(FileRecord f, ReadFile(st));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

std::string_view FileStateName(FileState s) {
  switch (s) {
    case FileState::kPending:
      return "pending";
    case FileState::kPacking:
      return "packing";
    case FileState::kUploading:
      return "uploading";
    case FileState::kDelivered:
      return "delivered";
    case FileState::kFailed:
      return "failed";
  }
  return "pending";
}

Journal::Journal(std::unique_ptr<Database> db) : db_(std::move(db)) {}
Journal::~Journal() = default;

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& path) {
  return OpenWithMigrations(path, Migrations());
}

Result<std::unique_ptr<Journal>> Journal::OpenWithMigrations(
    const std::string& path, std::span<const Migration> migrations) {
  bool empty = false;
  if (!LooksLikeSqlite(path, &empty)) {
    return Corruption("'" + path + "' is not a seqgate journal (not an SQLite database)" +
                      kRecoveryHint);
  }
  SEQGATE_ASSIGN_OR_RETURN(auto db, Database::Open(path));
  auto fail = [&](const Status& s) { return Status(s.code(), s.message() + kRecoveryHint); };

  auto app_id = db->QueryInt("PRAGMA application_id");
  if (!app_id.ok()) return fail(app_id.status());
  auto version = db->QueryInt("PRAGMA user_version");
  if (!version.ok()) return fail(version.status());
  auto tables = db->QueryInt("SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) return fail(tables.status());
  const bool fresh = *app_id == 0 && *version == 0 && *tables == 0;
  if (!fresh && *app_id != kApplicationId) {
    return fail(Corruption("'" + path + "' is an SQLite database but not a seqgate journal"));
  }
  if (!fresh) {
    SEQGATE_ASSIGN_OR_RETURN(Statement check, db->Prepare("PRAGMA quick_check"));
    auto row = check.Step();
    if (!row.ok()) return fail(row.status());
    if (!*row || check.Text(0) != "ok") {
      return fail(Corruption("journal '" + path + "' is damaged (quick_check: " +
                             (*row ? check.Text(0) : std::string("no answer")) + ")"));
    }
  }
  const int latest = migrations.empty() ? 0 : migrations.back().to;
  if (*version > latest) {
    return Status(StatusCode::kUnsupported,
                  "journal '" + path + "' has schema " + std::to_string(*version) +
                      ", written by a newer seqgate (this one knows up to " +
                      std::to_string(latest) + "); run that version or newer");
  }
  // WAL before any write: readers (seqgatectl) never block the daemon, and commits are cheap.
  SEQGATE_RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
               "PRAGMA foreign_keys=ON"));
  if (*version < latest) {
    // synchronous may only change outside a transaction: FULL for the whole upgrade.
    SEQGATE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
    SEQGATE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db));
    for (const Migration& m : migrations) {
      if (m.to <= *version) continue;
      SEQGATE_RETURN_IF_ERROR(db->Exec(m.sql).WithContext("migrating journal '" + path +
                                                          "' to schema " + std::to_string(m.to)));
    }
    SEQGATE_RETURN_IF_ERROR(db->Exec("PRAGMA application_id=" + std::to_string(kApplicationId) +
                                     "; PRAGMA user_version=" + std::to_string(latest)));
    SEQGATE_RETURN_IF_ERROR(tx.Commit());
    SEQGATE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  }
  return std::unique_ptr<Journal>(new Journal(std::move(db)));
}

Status Journal::SetDurability(Durability d) {
  return db_->Exec(d == Durability::kFull ? "PRAGMA synchronous=FULL"
                                          : "PRAGMA synchronous=NORMAL");
}

Result<int64_t> Journal::RecordRun(const RunRecord& r) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("INSERT INTO runs(run_id, flowcell, family, instrument, run_dir, state, "
                   "outcome, discovered_ns, name, metadata) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) "
                   "ON CONFLICT(run_id, flowcell) DO UPDATE SET run_dir=?5, state=?6, "
                   "outcome=?7, name=coalesce(name, ?9), metadata=coalesce(?10, metadata), "
                   "instrument=CASE WHEN ?4='' THEN instrument ELSE ?4 END RETURNING id"));
  st.Bind(1, r.run_id).Bind(2, r.flowcell).Bind(3, r.family).Bind(4, r.instrument);
  st.Bind(5, r.run_dir).Bind(6, r.state).Bind(7, r.outcome).Bind(8, r.discovered_ns);
  if (r.name.empty()) {
    st.BindNull(9);
  } else {
    st.Bind(9, r.name);
  }
  if (r.metadata_json.empty()) {
    st.BindNull(10);
  } else {
    st.Bind(10, r.metadata_json);
  }
  SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
  if (!row) return Internal("upsert of run returned no id");
  return st.Int(0);
}

Result<RunRecord> Journal::Run(int64_t id) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare(std::string("SELECT ") + kRunColumns + " FROM runs WHERE id=?1"));
  st.Bind(1, id);
  SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
  if (!row) return NotFound("no run " + std::to_string(id) + " in the journal");
  return ReadRun(st);
}

Result<std::vector<RunRecord>> Journal::Runs() {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Statement st, db_->Prepare(std::string("SELECT ") + kRunColumns +
                                                      " FROM runs ORDER BY discovered_ns, id"));
  std::vector<RunRecord> out;
  for (;;) {
    SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) break;
    out.push_back(ReadRun(st));
  }
  return out;
}

Status Journal::RecordManifestCreated(int64_t run, const std::string& url) {
  std::lock_guard lock(mu_);
  SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kFull));
  SEQGATE_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("UPDATE runs SET manifest_url=?2 WHERE id=?1"));
  st.Bind(1, run).Bind(2, url);
  Status s = st.Run();
  if (s.ok() && db_->changes() == 0) s = NotFound("no run " + std::to_string(run));
  SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kNormal));
  return s;
}

Status Journal::RecordRunError(int64_t run, const std::optional<std::string>& error) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Statement st, db_->Prepare("UPDATE runs SET error=?2 WHERE id=?1"));
  st.Bind(1, run).Bind(2, error);
  Status s = st.Run();
  if (s.ok() && db_->changes() == 0) s = NotFound("no run " + std::to_string(run));
  return s;
}

Status Journal::RecordRunDelivered(int64_t run, const std::string& receipt_json,
                                   const std::string& status) {
  std::lock_guard lock(mu_);
  const int64_t now_ns = WallClockNs();
  SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kFull));
  SEQGATE_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("UPDATE runs SET manifest_receipt=?2, delivered_ns=?3, "
                                        "run_receipt_status=?4, error=NULL WHERE id=?1"));
  st.Bind(1, run).Bind(2, receipt_json).Bind(3, now_ns).Bind(4, status);
  Status s = st.Run();
  if (s.ok() && db_->changes() == 0) s = NotFound("no run " + std::to_string(run));
  SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kNormal));
  return s;
}

Result<FileRecord> Journal::RecordFileSeen(int64_t run, const std::string& rel_path,
                                           const FileIdentity& id) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Statement find,
                           db_->Prepare(std::string("SELECT ") + kFileColumns +
                                        " FROM files WHERE run=?1 AND rel_path=?2"));
  find.Bind(1, run).Bind(2, rel_path);
  SEQGATE_ASSIGN_OR_RETURN(const bool known, find.Step());
  if (known) {
    SEQGATE_ASSIGN_OR_RETURN(FileRecord f, ReadFile(find));
    if (f.identity.size == id.size && f.identity.mtime_ns == id.mtime_ns &&
        f.identity.inode == id.inode && f.identity.device == id.device) {
      return f;
    }
    // The source changed: forget everything derived from the old bytes, durably, before
    // anything acts on the new ones.
    find.Reset();
    SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kFull));
    {
      SEQGATE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
      SEQGATE_RETURN_IF_ERROR(db_->Exec("DELETE FROM frames WHERE file=" + std::to_string(f.id)));
      SEQGATE_ASSIGN_OR_RETURN(
          Statement up,
          db_->Prepare("UPDATE files SET size=?2, mtime_ns=?3, inode=?4, device=?5, "
                       "state='pending', encoding=NULL, original_sha256=NULL, original_md5=NULL, "
                       "packed_size=NULL, packed_sha256=NULL, frame_size=NULL, level=NULL, "
                       "upload_url=NULL, acked_offset=0, receipt=NULL, endpoint=NULL, md5=NULL, "
                       "original_size=NULL, trailer_size=NULL, upload_complete=0, "
                       "receipt_status=NULL, delivered_ns=NULL, ready_ns=NULL, object_key=NULL, "
                       "object_size=NULL, object_sha256=NULL, object_etag=NULL, "
                       "error='source changed: ' || ?6 WHERE id=?1"));
      up.Bind(1, f.id).Bind(2, static_cast<int64_t>(id.size)).Bind(3, id.mtime_ns);
      up.Bind(4, static_cast<int64_t>(id.inode)).Bind(5, static_cast<int64_t>(id.device));
      up.Bind(6, f.identity.DescribeChange(id));
      SEQGATE_RETURN_IF_ERROR(up.Run());
      SEQGATE_RETURN_IF_ERROR(tx.Commit());
    }
    SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kNormal));
    return File(f.id);
  }
  SEQGATE_ASSIGN_OR_RETURN(Statement ins,
                           db_->Prepare("INSERT INTO files(run, rel_path, size, mtime_ns, inode, "
                                        "device, state) VALUES(?1,?2,?3,?4,?5,?6,'pending')"));
  ins.Bind(1, run).Bind(2, rel_path).Bind(3, static_cast<int64_t>(id.size));
  ins.Bind(4, id.mtime_ns).Bind(5, static_cast<int64_t>(id.inode));
  ins.Bind(6, static_cast<int64_t>(id.device));
  SEQGATE_RETURN_IF_ERROR(ins.Run());
  return File(db_->last_insert_rowid());
}

Result<FileRecord> Journal::File(int64_t id) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Statement st, db_->Prepare(std::string("SELECT ") + kFileColumns +
                                                      " FROM files WHERE id=?1"));
  st.Bind(1, id);
  SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
  if (!row) return NotFound("no file " + std::to_string(id) + " in the journal");
  return ReadFile(st);
}

Result<std::vector<FileRecord>> Journal::FilesOfRun(int64_t run) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Statement st, db_->Prepare(std::string("SELECT ") + kFileColumns +
                                                      " FROM files WHERE run=?1 ORDER BY id"));
  st.Bind(1, run);
  return ReadFiles(st);
}

Result<std::vector<FileRecord>> Journal::WorkQueue(int limit) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare(std::string("SELECT ") + kFileColumns +
                   " FROM files WHERE state IN ('pending','packing','uploading') ORDER BY "
                   "(SELECT discovered_ns FROM runs WHERE runs.id=files.run), run, id LIMIT ?1"));
  st.Bind(1, limit);
  return ReadFiles(st);
}

Result<std::vector<FileRecord>> Journal::FilesInState(FileState state, int limit) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare(std::string("SELECT ") + kFileColumns +
                   " FROM files WHERE state=?1 ORDER BY (SELECT discovered_ns FROM runs "
                   "WHERE runs.id=files.run), run, id LIMIT ?2"));
  st.Bind(1, FileStateName(state)).Bind(2, limit);
  return ReadFiles(st);
}

Status Journal::UpdateFile(int64_t file, Durability d, const char* sql,
                           const std::function<void(Statement&)>& bind) {
  std::lock_guard lock(mu_);
  if (d == Durability::kFull) SEQGATE_RETURN_IF_ERROR(SetDurability(d));
  SEQGATE_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
  st.Bind(1, file);
  bind(st);
  Status s = st.Run();
  if (s.ok() && db_->changes() == 0) s = NotFound("no file " + std::to_string(file));
  if (d == Durability::kFull) SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kNormal));
  return s;
}

Status Journal::RecordPacking(int64_t file) {
  return UpdateFile(file, Durability::kNormal, "UPDATE files SET state='packing' WHERE id=?1",
                    [](Statement&) {});
}

Status Journal::RecordPacked(int64_t file, const PackedInfo& p,
                             const std::vector<pipeline::FrameRecord>& frames) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  SEQGATE_RETURN_IF_ERROR(db_->Exec("DELETE FROM frames WHERE file=" + std::to_string(file)));
  SEQGATE_ASSIGN_OR_RETURN(
      Statement up,
      db_->Prepare("UPDATE files SET state='uploading', encoding=?2, original_sha256=?3, "
                   "original_md5=?4, packed_size=?5, packed_sha256=?6, frame_size=?7, level=?8, "
                   "original_size=?9, trailer_size=?10, error=NULL WHERE id=?1"));
  up.Bind(1, file).Bind(2, p.encoding).Bind(3, p.original_sha256).Bind(4, p.original_md5);
  up.Bind(5, static_cast<int64_t>(p.packed_size)).Bind(6, p.packed_sha256);
  up.Bind(7, static_cast<int64_t>(p.frame_size)).Bind(8, static_cast<int64_t>(p.level));
  up.Bind(9, static_cast<int64_t>(p.original_size)).Bind(10, static_cast<int64_t>(p.trailer_size));
  SEQGATE_RETURN_IF_ERROR(up.Run());
  if (db_->changes() == 0) return NotFound("no file " + std::to_string(file));
  SEQGATE_ASSIGN_OR_RETURN(Statement ins,
                           db_->Prepare("INSERT INTO frames VALUES(?1,?2,?3,?4,?5,?6,?7,?8)"));
  for (const auto& r : frames) {
    ins.Bind(1, file).Bind(2, static_cast<int64_t>(r.index));
    ins.Bind(3, static_cast<int64_t>(r.input_offset)).Bind(4, static_cast<int64_t>(r.input_size));
    ins.Bind(5, static_cast<int64_t>(r.output_offset));
    ins.Bind(6, static_cast<int64_t>(r.output_size));
    ins.Bind(7, static_cast<int64_t>(r.input_checksum));
    ins.Bind(8, static_cast<int64_t>(r.output_xxh64));  // two's-complement round trip
    SEQGATE_RETURN_IF_ERROR(ins.Run());
  }
  return tx.Commit();
}

Result<std::vector<pipeline::FrameRecord>> Journal::Frames(int64_t file) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("SELECT idx, input_offset, input_size, output_offset, "
                                        "output_size, input_checksum, output_xxh64 FROM frames "
                                        "WHERE file=?1 ORDER BY idx"));
  st.Bind(1, file);
  std::vector<pipeline::FrameRecord> out;
  for (;;) {
    SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) break;
    pipeline::FrameRecord r;
    r.index = static_cast<uint32_t>(st.Int(0));
    r.input_offset = static_cast<uint64_t>(st.Int(1));
    r.input_size = static_cast<uint32_t>(st.Int(2));
    r.output_offset = static_cast<uint64_t>(st.Int(3));
    r.output_size = static_cast<uint32_t>(st.Int(4));
    r.input_checksum = static_cast<uint32_t>(st.Int(5));
    r.output_xxh64 = static_cast<uint64_t>(st.Int(6));
    out.push_back(r);
  }
  return out;
}

Status Journal::RecordUploadCreated(int64_t file, const std::string& url) {
  return UpdateFile(file, Durability::kFull,
                    "UPDATE files SET upload_url=?2, acked_offset=0 WHERE id=?1",
                    [&](Statement& st) { st.Bind(2, url); });
}

Status Journal::RecordAcked(int64_t file, uint64_t offset) {
  // Offsets only grow: a late answer from an older PATCH must not move it back.
  return UpdateFile(file, Durability::kNormal,
                    "UPDATE files SET acked_offset=max(acked_offset, ?2) WHERE id=?1",
                    [&](Statement& st) { st.Bind(2, static_cast<int64_t>(offset)); });
}

Status Journal::RecordDelivered(int64_t file, const std::string& receipt_json,
                                const std::string& receipt_status) {
  return UpdateFile(file, Durability::kFull,
                    "UPDATE files SET state='delivered', receipt=?2, error=NULL, "
                    "acked_offset=coalesce(packed_size, acked_offset), upload_complete=1, "
                    "delivered_ns=?3, receipt_status=?4 WHERE id=?1",
                    [&](Statement& st) {
                      st.Bind(2, receipt_json);
                      st.Bind(4, receipt_status);
                      st.Bind(3, WallClockNs());
                    });
}

Status Journal::RecordFailed(int64_t file, const std::string& reason) {
  return UpdateFile(file, Durability::kNormal,
                    "UPDATE files SET state='failed', error=?2, attempts=attempts+1 WHERE id=?1",
                    [&](Statement& st) { st.Bind(2, reason); });
}

Status Journal::RecordUploadProgress(int64_t file, const UploadProgress& p) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement cur,
      db_->Prepare("SELECT upload_url, original_sha256 IS NOT NULL, upload_complete, "
                   "(SELECT count(*) FROM frames WHERE file=?1) FROM files WHERE id=?1"));
  cur.Bind(1, file);
  SEQGATE_ASSIGN_OR_RETURN(const bool found, cur.Step());
  if (!found) return NotFound("no file " + std::to_string(file));
  const std::optional<std::string> old_url = OptText(cur, 0);
  const bool was_packed = cur.Int(1) != 0, was_complete = cur.Int(2) != 0;
  const int64_t stored_frames = cur.Int(3);
  cur.Reset();
  const std::optional<std::string> url =
      p.upload_url.empty() ? std::nullopt : std::optional<std::string>(p.upload_url);
  const bool url_changed = url != old_url;
  const bool full = url_changed || (p.packed && !was_packed) || (p.complete && !was_complete);

  if (full) SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kFull));
  Status s = [&]() -> Status {
    SEQGATE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
    if (p.frames != nullptr && static_cast<int64_t>(p.frames->size()) > stored_frames) {
      SEQGATE_ASSIGN_OR_RETURN(
          Statement ins,
          db_->Prepare("INSERT OR REPLACE INTO frames VALUES(?1,?2,?3,?4,?5,?6,?7,?8)"));
      for (size_t i = static_cast<size_t>(stored_frames); i < p.frames->size(); ++i) {
        const pipeline::FrameRecord& r = (*p.frames)[i];
        ins.Bind(1, file).Bind(2, static_cast<int64_t>(r.index));
        ins.Bind(3, static_cast<int64_t>(r.input_offset));
        ins.Bind(4, static_cast<int64_t>(r.input_size));
        ins.Bind(5, static_cast<int64_t>(r.output_offset));
        ins.Bind(6, static_cast<int64_t>(r.output_size));
        ins.Bind(7, static_cast<int64_t>(r.input_checksum));
        ins.Bind(8, static_cast<int64_t>(r.output_xxh64));  // two's-complement round trip
        SEQGATE_RETURN_IF_ERROR(ins.Run());
        ins.Reset();
      }
    }
    SEQGATE_ASSIGN_OR_RETURN(
        Statement up,
        db_->Prepare("UPDATE files SET state=CASE WHEN state IN ('pending','packing') "
                     "THEN 'uploading' ELSE state END, endpoint=?2, encoding=?3, level=?4, "
                     "frame_size=?5, md5=?6, upload_url=?7, "
                     "acked_offset=CASE WHEN ?8 THEN ?9 ELSE max(acked_offset, ?9) END, "
                     "upload_complete=?10 WHERE id=?1"));
    up.Bind(1, file).Bind(2, p.shape.endpoint).Bind(3, p.shape.encoding);
    up.Bind(4, static_cast<int64_t>(p.shape.level));
    up.Bind(5, static_cast<int64_t>(p.shape.frame_size)).Bind(6, int64_t{p.shape.md5 ? 1 : 0});
    up.Bind(7, url).Bind(8, int64_t{url_changed ? 1 : 0});
    up.Bind(9, static_cast<int64_t>(p.acked_offset)).Bind(10, int64_t{p.complete ? 1 : 0});
    SEQGATE_RETURN_IF_ERROR(up.Run());
    if (p.packed && !was_packed) {
      const PackedInfo& k = *p.packed;
      SEQGATE_ASSIGN_OR_RETURN(
          Statement pk,
          db_->Prepare("UPDATE files SET original_sha256=?2, original_md5=?3, packed_size=?4, "
                       "packed_sha256=?5, original_size=?6, trailer_size=?7 WHERE id=?1"));
      pk.Bind(1, file).Bind(2, k.original_sha256).Bind(3, k.original_md5);
      pk.Bind(4, static_cast<int64_t>(k.packed_size)).Bind(5, k.packed_sha256);
      pk.Bind(6, static_cast<int64_t>(k.original_size));
      pk.Bind(7, static_cast<int64_t>(k.trailer_size));
      SEQGATE_RETURN_IF_ERROR(pk.Run());
    } else if (p.packed && p.packed->original_md5) {
      // An MD5 left to the centre arrives with its receipt, after the file was packed.
      SEQGATE_ASSIGN_OR_RETURN(
          Statement md5,
          db_->Prepare("UPDATE files SET original_md5=?2 WHERE id=?1 AND original_md5 IS NULL"));
      md5.Bind(1, file).Bind(2, p.packed->original_md5);
      SEQGATE_RETURN_IF_ERROR(md5.Run());
    }
    return tx.Commit();
  }();
  if (full) SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kNormal));
  return s;
}

Status Journal::RecordTransientError(int64_t file, const std::string& reason) {
  return UpdateFile(file, Durability::kNormal,
                    "UPDATE files SET error=?2, retries=retries+1 WHERE id=?1",
                    [&](Statement& st) { st.Bind(2, reason); });
}

Status Journal::RecordRetry(int64_t file) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(FileRecord f, File(file));
  if (f.state != FileState::kFailed) {
    return InvalidArgument("file " + std::to_string(file) + " is " +
                           std::string(FileStateName(f.state)) + ", not failed");
  }
  return UpdateFile(file, Durability::kNormal,
                    "UPDATE files SET state='pending', error=NULL WHERE id=?1", [](Statement&) {});
}

Status Journal::RecordReady(int64_t file, int64_t ready_ns) {
  return UpdateFile(file, Durability::kNormal,
                    "UPDATE files SET ready_ns=coalesce(ready_ns, ?2) WHERE id=?1",
                    [&](Statement& st) { st.Bind(2, ready_ns); });
}

Result<std::map<FileState, StateTotals>> Journal::Totals() {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT state, count(*), total(size), total(acked_offset), "
                                 "total(coalesce(packed_size, 0)) FROM files GROUP BY state"));
  std::map<FileState, StateTotals> out;
  for (;;) {
    SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) break;
    SEQGATE_ASSIGN_OR_RETURN(const FileState state, ParseFileState(st.Text(0)));
    StateTotals t;
    t.files = st.Int(1);
    t.bytes = static_cast<uint64_t>(st.Int(2));
    t.acked_bytes = static_cast<uint64_t>(st.Int(3));
    t.packed_bytes = static_cast<uint64_t>(st.Int(4));
    out[state] = t;
  }
  return out;
}

Result<std::vector<RunTotals>> Journal::AllRunTotals() {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare("SELECT run, count(*), total(state='delivered'), total(state='failed'), "
                   "total(size), total(CASE WHEN state='delivered' THEN size ELSE 0 END) "
                   "FROM files GROUP BY run ORDER BY run"));
  std::vector<RunTotals> out;
  for (;;) {
    SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) break;
    RunTotals t;
    t.run = st.Int(0);
    t.files = st.Int(1);
    t.delivered = st.Int(2);
    t.failed = st.Int(3);
    t.bytes = static_cast<uint64_t>(st.Int(4));
    t.delivered_bytes = static_cast<uint64_t>(st.Int(5));
    out.push_back(t);
  }
  return out;
}

}  // namespace seqgate::journal
