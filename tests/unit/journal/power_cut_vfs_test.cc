// The SQLite VFS shim: after PowerCut() a transaction committed with synchronous=FULL is there,
// one committed without fsync is gone, and the database opens and passes integrity_check.
// The writer runs in a child that is SIGKILLed after the cut, as the real hook does: a clean
// close would checkpoint and write again.
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "journal/power_cut_vfs.h"
#include "support/temp_dir.h"

using namespace seqgate;

namespace {

bool Exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

std::string Query(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return "prepare failed";
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (!out.empty()) out += ",";
    out += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace

TEST_CASE("power-cut VFS: unsynced commits are lost, synced ones survive, no corruption") {
  testing::TempDir dir;
  const std::string grave = dir.File("graveyard");
  std::filesystem::create_directory(grave);
  const std::string path = dir.File("j.db");

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    PowerCutModel model(grave, 0);
    if (!journal::InstallPowerCutVfs(&model).ok()) ::_exit(3);
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) ::_exit(4);
    bool ok = Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") &&
              Exec(db, "CREATE TABLE t(v TEXT); INSERT INTO t VALUES('synced');") &&
              Exec(db, "PRAGMA wal_checkpoint(TRUNCATE);") &&  // the main file is written too
              Exec(db, "INSERT INTO t VALUES('synced-in-wal');") &&
              Exec(db, "PRAGMA synchronous=OFF;") &&
              Exec(db, "INSERT INTO t VALUES('lost'); UPDATE t SET v='lost-too' WHERE v='synced';");
    if (!ok || Query(db, "SELECT v FROM t ORDER BY rowid") != "lost-too,synced-in-wal,lost") {
      ::_exit(5);
    }
    model.PowerCut();
    ::kill(::getpid(), SIGKILL);
    ::_exit(6);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  CHECK(Query(db, "PRAGMA integrity_check") == "ok");
  CHECK(Query(db, "SELECT v FROM t ORDER BY rowid") == "synced,synced-in-wal");
  sqlite3_close(db);
}
