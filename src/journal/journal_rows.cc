// Row ↔ record mapping shared by the journal's parts: the column lists every SELECT uses, and
// the readers that turn a row into a FileRecord or RunRecord.
#include "journal/journal_rows.h"

namespace seqgate::journal {

const char* const kFileColumns =
    "id, run, rel_path, size, mtime_ns, inode, device, state, encoding, original_sha256, "
    "original_md5, packed_size, packed_sha256, frame_size, level, upload_url, acked_offset, "
    "receipt, error, attempts, endpoint, md5, original_size, trailer_size, upload_complete, "
    "receipt_status, ready_ns, delivered_ns, retries, object_key, object_size, object_sha256, "
    "object_etag";

const char* const kRunColumns =
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

}  // namespace seqgate::journal
