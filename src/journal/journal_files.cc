// The journal's file records: seen → packing → packed → uploading → delivered / failed, with the
// upload's progress and the retry bookkeeping on the way.
#include <chrono>

#include "common/clock.h"
#include "journal/journal.h"
#include "journal/journal_rows.h"
#include "journal/sqlite_db.h"

namespace seqgate::journal {

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

// The fair work order: oldest run first, then files in discovery order.
constexpr const char* kFairOrder =
    " ORDER BY (SELECT discovered_ns FROM runs WHERE runs.id=files.run), run, id";

Result<std::vector<FileRecord>> Journal::WorkQueue(int limit) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare(std::string("SELECT ") + kFileColumns +
                   " FROM files WHERE state IN ('pending','packing','uploading')" +
                   kFairOrder + " LIMIT ?1"));
  st.Bind(1, limit);
  return ReadFiles(st);
}

Result<std::vector<FileRecord>> Journal::FilesInState(FileState state, int limit) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare(std::string("SELECT ") + kFileColumns +
                   " FROM files WHERE state=?1" + kFairOrder + " LIMIT ?2"));
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

}  // namespace seqgate::journal
