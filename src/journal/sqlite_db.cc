#include "journal/sqlite_db.h"

#include <sqlite3.h>

namespace seqgate::journal {

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open journal '" + path +
                      "': " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Status(rc == SQLITE_CANTOPEN ? StatusCode::kNotFound : StatusCode::kIoError, msg);
  }
  sqlite3_extended_result_codes(db, 1);
  // Another seqgated (or an operator's sqlite3 shell) holding a lock: wait a little, then fail
  // clearly rather than spin.
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<Database>(new Database(path, db));
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::LastError(std::string_view what) const {
  const int code = sqlite3_errcode(db_) & 0xFF;
  std::string msg = std::string(what) + " in journal '" + path_ + "': " + sqlite3_errmsg(db_);
  switch (code) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Corruption(msg);
    case SQLITE_FULL:
      return {StatusCode::kResourceExhausted, msg};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {StatusCode::kUnavailable, msg};
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return {StatusCode::kPermissionDenied, msg};
    case SQLITE_CONSTRAINT:
      return InvalidArgument(msg);
    default:
      return IoError(msg);
  }
}

Status Database::Exec(std::string_view sql) {
  const std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return LastError("executing '" + s.substr(0, 60) + "'");
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr) !=
      SQLITE_OK) {
    Status s = LastError("preparing '" + std::string(sql.substr(0, 60)) + "'");
    // A prepare failing on a healthy database is a bug in our SQL; on a damaged file it is
    // corruption, which the caller must see as such.
    return s.code() == StatusCode::kIoError ? Internal(s.message()) : s;
  }
  return Statement(this, st);
}

Result<int64_t> Database::QueryInt(std::string_view sql) {
  SEQGATE_ASSIGN_OR_RETURN(Statement st, Prepare(sql));
  SEQGATE_ASSIGN_OR_RETURN(const bool row, st.Step());
  if (!row) return Internal("query returned no row: " + std::string(sql));
  return st.Int(0);
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}
Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int i, const std::optional<std::string>& v) {
  return v ? Bind(i, std::string_view(*v)) : BindNull(i);
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->LastError("executing statement");
}

Status Statement::Run() {
  SEQGATE_ASSIGN_OR_RETURN(const bool row, Step());
  (void)row;
  Reset();
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string Statement::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
}
bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<Transaction> Transaction::Begin(Database& db) {
  SEQGATE_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) db_->Exec("ROLLBACK").IgnoreError();  // best effort: already failing
}

Status Transaction::Commit() {
  Status s = db_->Exec("COMMIT");
  if (s.ok()) db_ = nullptr;  // on failure the destructor still rolls back
  return s;
}

}  // namespace seqgate::journal
