// Structured logging for seqgate-ingest: every line is an event name plus key=value fields, so
// operators can grep and journald (later) can index. Values may come from the network, so they
// are escaped; callers must never pass secrets (keys, raw certificates) as fields.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace seqgate::ingest {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Sets the lowest level that is written. Thread-safe; call before starting threads.
void SetLogLevel(LogLevel level);
// Parses "debug" | "info" | "warning" | "error"; unknown names give kInfo.
LogLevel ParseLogLevel(std::string_view name);

using LogField = std::pair<std::string_view, std::string>;

// Writes one line to stderr: time, level, event, then the fields in order. Thread-safe.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

}  // namespace seqgate::ingest
