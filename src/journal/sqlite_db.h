// A thin RAII layer over SQLite that speaks Status: one connection, prepared statements with
// typed binds, and transactions that roll back unless committed. Only the journal uses it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace seqgate::journal {

class Statement;

class Database {
 public:
  // Opens (creating if absent) the database at `path`. Errors name the path.
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results (schema, pragmas).
  Status Exec(std::string_view sql);
  // Prepares one statement; kInternal on SQL errors (they are bugs, not input).
  Result<Statement> Prepare(std::string_view sql);
  // The single integer a query such as "PRAGMA user_version" returns.
  Result<int64_t> QueryInt(std::string_view sql);
  int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }

  // Maps the last SQLite error to a Status: corruption and "not a database" → kCorruption, full
  // disk → kResourceExhausted, busy/locked → kUnavailable, I/O → kIoError.
  Status LastError(std::string_view what) const;

 private:
  Database(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  std::string path_;
  sqlite3* db_;
  friend class Statement;
};

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  // Binds by 1-based index. std::nullopt binds NULL.
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, std::string_view v);
  Statement& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Statement& Bind(int i, const std::optional<std::string>& v);
  Statement& BindNull(int i);

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, expecting no rows.
  Status Run();
  // Resets for re-use with new binds.
  void Reset();

  int64_t Int(int col) const;
  std::string Text(int col) const;
  bool IsNull(int col) const;

 private:
  Statement(Database* db, sqlite3_stmt* s) : db_(db), stmt_(s) {}
  Database* db_;
  sqlite3_stmt* stmt_;
  friend class Database;
};

// BEGIN IMMEDIATE now; ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db);
  Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace seqgate::journal
