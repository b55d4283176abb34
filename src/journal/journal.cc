// The journal itself: opening (and refusing what is not ours), durability, the runs, and the
// totals the operator views read. The file records are in journal_files.cc, S3 in journal_s3.cc.
#include "journal/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "common/clock.h"
#include "journal/journal_rows.h"
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
