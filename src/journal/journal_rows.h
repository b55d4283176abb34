// Internal to src/journal: how journal rows map to records. One place, so a column added to a
// table is read the same way by every query of it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "journal/sqlite_db.h"

namespace seqgate::journal {

// The columns of `files` / `runs`, in the order ReadFile / ReadRun expect them.
extern const char* const kFileColumns;
extern const char* const kRunColumns;

// The column as an optional: nullopt for SQL NULL.
std::optional<int64_t> OptInt(const Statement& st, int col);
std::optional<std::string> OptText(const Statement& st, int col);
// A state name as stored; Corruption for a name this version does not know.
Result<FileState> ParseFileState(const std::string& s);
// The current row of a SELECT of kFileColumns / kRunColumns.
Result<FileRecord> ReadFile(const Statement& st);
RunRecord ReadRun(const Statement& st);
// Every remaining row of a SELECT of kFileColumns.
Result<std::vector<FileRecord>> ReadFiles(Statement& st);

}  // namespace seqgate::journal
