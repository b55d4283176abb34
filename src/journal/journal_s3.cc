// The journal's S3 part: multipart state per object (instead of seqgatectl's side state file),
// the files' Crypt4GH objects, and the token expiry warnings already given.
#include <map>

#include "journal/journal.h"
#include "journal/sqlite_db.h"

namespace seqgate::journal {

using transfer::s3::MultipartState;
using transfer::s3::StoredPart;

Result<std::optional<MultipartState>> Journal::LoadS3Upload(const std::string& bucket,
                                                            const std::string& key) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT endpoint, source, fingerprint, object_size, part_size, "
                                 "upload_id, complete, etag FROM s3_uploads "
                                 "WHERE bucket=?1 AND key=?2"));
  st.Bind(1, bucket).Bind(2, key);
  SEQGATE_ASSIGN_OR_RETURN(const bool found, st.Step());
  if (!found) return std::optional<MultipartState>();
  MultipartState s;
  s.bucket = bucket;
  s.key = key;
  s.endpoint = st.Text(0);
  s.source = st.Text(1);
  s.source_fingerprint = st.Text(2);
  s.object_size = static_cast<uint64_t>(st.Int(3));
  s.part_size = static_cast<uint64_t>(st.Int(4));
  s.upload_id = st.Text(5);
  s.complete = st.Int(6) != 0;
  s.etag = st.Text(7);
  SEQGATE_ASSIGN_OR_RETURN(Statement parts,
                           db_->Prepare("SELECT number, size, md5, etag FROM s3_parts WHERE "
                                        "bucket=?1 AND key=?2 ORDER BY number"));
  parts.Bind(1, bucket).Bind(2, key);
  for (;;) {
    SEQGATE_ASSIGN_OR_RETURN(const bool row, parts.Step());
    if (!row) break;
    s.parts[static_cast<uint32_t>(parts.Int(0))] =
        StoredPart{static_cast<uint64_t>(parts.Int(1)), parts.Text(2), parts.Text(3)};
  }
  return std::optional<MultipartState>(std::move(s));
}

Status Journal::SaveS3Upload(const MultipartState& s) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(
      Statement cur,
      db_->Prepare("SELECT upload_id, complete FROM s3_uploads WHERE bucket=?1 AND key=?2"));
  cur.Bind(1, s.bucket).Bind(2, s.key);
  SEQGATE_ASSIGN_OR_RETURN(const bool existed, cur.Step());
  const bool full = !existed || cur.Text(0) != s.upload_id || (cur.Int(1) != 0) != s.complete;
  cur.Reset();
  // What the journal holds now, so only changed parts are written (Save follows every part).
  std::map<uint32_t, StoredPart> stored;
  {
    SEQGATE_ASSIGN_OR_RETURN(
        Statement parts,
        db_->Prepare("SELECT number, size, md5, etag FROM s3_parts WHERE bucket=?1 AND key=?2"));
    parts.Bind(1, s.bucket).Bind(2, s.key);
    for (;;) {
      SEQGATE_ASSIGN_OR_RETURN(const bool row, parts.Step());
      if (!row) break;
      stored[static_cast<uint32_t>(parts.Int(0))] =
          StoredPart{static_cast<uint64_t>(parts.Int(1)), parts.Text(2), parts.Text(3)};
    }
  }
  if (full) SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kFull));
  Status result = [&]() -> Status {
    SEQGATE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
    SEQGATE_ASSIGN_OR_RETURN(
        Statement up,
        db_->Prepare("INSERT OR REPLACE INTO s3_uploads(bucket, key, endpoint, source, "
                     "fingerprint, object_size, part_size, upload_id, complete, etag) "
                     "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"));
    up.Bind(1, s.bucket).Bind(2, s.key).Bind(3, s.endpoint).Bind(4, s.source);
    up.Bind(5, s.source_fingerprint).Bind(6, static_cast<int64_t>(s.object_size));
    up.Bind(7, static_cast<int64_t>(s.part_size)).Bind(8, s.upload_id);
    up.Bind(9, int64_t{s.complete ? 1 : 0}).Bind(10, s.etag);
    SEQGATE_RETURN_IF_ERROR(up.Run());
    SEQGATE_ASSIGN_OR_RETURN(
        Statement del,
        db_->Prepare("DELETE FROM s3_parts WHERE bucket=?1 AND key=?2 AND number=?3"));
    for (const auto& [n, p] : stored) {
      if (s.parts.count(n) != 0) continue;
      del.Bind(1, s.bucket).Bind(2, s.key).Bind(3, static_cast<int64_t>(n));
      SEQGATE_RETURN_IF_ERROR(del.Run());
      del.Reset();
    }
    SEQGATE_ASSIGN_OR_RETURN(
        Statement ins, db_->Prepare("INSERT OR REPLACE INTO s3_parts VALUES(?1,?2,?3,?4,?5,?6)"));
    for (const auto& [n, p] : s.parts) {
      auto it = stored.find(n);
      if (it != stored.end() && it->second.size == p.size && it->second.md5 == p.md5 &&
          it->second.etag == p.etag) {
        continue;
      }
      ins.Bind(1, s.bucket).Bind(2, s.key).Bind(3, static_cast<int64_t>(n));
      ins.Bind(4, static_cast<int64_t>(p.size)).Bind(5, p.md5).Bind(6, p.etag);
      SEQGATE_RETURN_IF_ERROR(ins.Run());
      ins.Reset();
    }
    return tx.Commit();
  }();
  if (full) SEQGATE_RETURN_IF_ERROR(SetDurability(Durability::kNormal));
  return result;
}

Status Journal::RecordS3Staged(int64_t file, const PackedInfo& p, const S3ObjectInfo& o) {
  return UpdateFile(
      file, Durability::kFull,
      "UPDATE files SET state='uploading', encoding=?2, original_sha256=?3, original_md5=?4, "
      "packed_size=?5, packed_sha256=?6, frame_size=?7, level=?8, original_size=?9, "
      "trailer_size=?10, object_key=?11, object_size=?12, object_sha256=?13, object_etag=NULL, "
      "error=NULL WHERE id=?1",
      [&](Statement& st) {
        st.Bind(2, p.encoding).Bind(3, p.original_sha256).Bind(4, p.original_md5);
        st.Bind(5, static_cast<int64_t>(p.packed_size)).Bind(6, p.packed_sha256);
        st.Bind(7, static_cast<int64_t>(p.frame_size)).Bind(8, static_cast<int64_t>(p.level));
        st.Bind(9, static_cast<int64_t>(p.original_size));
        st.Bind(10, static_cast<int64_t>(p.trailer_size));
        st.Bind(11, o.key).Bind(12, static_cast<int64_t>(o.size)).Bind(13, o.sha256);
      });
}

Status Journal::RecordS3Delivered(int64_t file, const std::string& etag,
                                  const std::string& receipt_json) {
  SEQGATE_RETURN_IF_ERROR(UpdateFile(file, Durability::kNormal,
                                     "UPDATE files SET object_etag=?2 WHERE id=?1",
                                     [&](Statement& st) { st.Bind(2, etag); }));
  // The same transition as the tus path's receipt; "uploaded": the inbox verifies nothing itself.
  return RecordDelivered(file, receipt_json, "uploaded");
}

Result<int> Journal::TokenWarnedStage(const std::string& token_sha256) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("SELECT stage FROM token_warnings WHERE token_sha256=?1"));
  st.Bind(1, token_sha256);
  SEQGATE_ASSIGN_OR_RETURN(const bool found, st.Step());
  return found ? static_cast<int>(st.Int(0)) : 0;
}

Status Journal::RecordTokenWarned(const std::string& token_sha256, int stage) {
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(Statement st,
                           db_->Prepare("INSERT OR REPLACE INTO token_warnings VALUES(?1, ?2)"));
  st.Bind(1, token_sha256).Bind(2, static_cast<int64_t>(stage));
  return st.Run();
}

}  // namespace seqgate::journal
