// Structured logging for seqgate's programs: every line is an event name plus key=value fields,
// so operators can grep and journald can index. Values may come from the network, so they
// are escaped; callers must never pass secrets (keys, raw certificates) as fields.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace seqgate {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Sets the lowest level that is written. Thread-safe; call before starting threads.
void SetLogLevel(LogLevel level);
// Parses "debug" | "info" | "warning" | "error"; unknown names give kInfo.
LogLevel ParseLogLevel(std::string_view name);

// Names the program in SYSLOG_IDENTIFIER= and in the stderr prefix (e.g. "seqgated"). Call
// once at start-up, before other threads log; defaults to the executable's name.
void SetLogIdentifier(std::string identifier);

using LogField = std::pair<std::string_view, std::string>;

// Writes one event. Under systemd (JOURNAL_STREAM names our stderr) it goes to journald's
// native socket with one journal field per log field (SITE=, UPLOAD=, ...); otherwise, or if
// that fails, as one readable line on stderr: time, level, event, fields. Thread-safe.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

// The journald native-protocol datagram for an event (exposed for tests): MESSAGE, PRIORITY,
// SYSLOG_IDENTIFIER, SEQGATE_EVENT and each field upper-cased; values holding a newline use
// the protocol's length-prefixed form so they cannot inject fields.
std::string EncodeJournalEntry(LogLevel level, std::string_view event,
                               std::initializer_list<LogField> fields);

}  // namespace seqgate
