// Structured logging for seqgate's programs: every entry is an event name plus key=value
// fields, so operators can grep and journald can index. Under systemd each entry goes to
// journald's native socket with one journal field per log field (SEQGATE_RUN=, ...) and a
// MESSAGE_ID from the event catalogue (common/log_events.h); otherwise it is one readable line
// on stderr. Values may come from the network, so they are escaped; callers must never pass
// secrets (keys, tokens, raw certificates) as fields. URLs lose any user:password@ part.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace seqgate {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Sets the lowest level that is written. Thread-safe.
void SetLogLevel(LogLevel level);
// Parses "debug" | "info" | "warning" | "error"; unknown names give kInfo.
LogLevel ParseLogLevel(std::string_view name);

// Names the program in SYSLOG_IDENTIFIER= and in the stderr prefix (e.g. "seqgated"). Call
// once at start-up, before other threads log; defaults to the executable's name.
void SetLogIdentifier(std::string identifier);

using LogField = std::pair<std::string_view, std::string>;

// Writes one event. When JOURNAL_STREAM names our stderr (systemd connected it to journald),
// the entry goes to journald's native socket — /run/systemd/journal/socket, or the path in
// SEQGATE_JOURNAL_SOCKET (a test seam) — as a datagram, or as a sealed memfd when too large
// for one. Otherwise, or if that fails, FormatLogLine() goes to stderr. Thread-safe.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

// The most recent warning or error written by Log(), as "<event>: key=value ... (at
// HH:MM:SSZ)", or "" when there was none; for one-line service status (sd_notify STATUS=).
// Thread-safe.
std::string LastProblem();

// ---- the pieces of Log(), exposed for tests -------------------------------------------------

// The journald native-protocol entry for an event: MESSAGE (readable), MESSAGE_ID (when the
// event is catalogued), PRIORITY, SYSLOG_IDENTIFIER, SEQGATE_EVENT and SEQGATE_<KEY> per
// field, keys upper-cased. Values holding a newline use the protocol's length-prefixed form so
// they cannot inject fields.
std::string EncodeJournalEntry(LogLevel level, std::string_view event,
                               std::initializer_list<LogField> fields);

// The stderr form, newline-terminated: `<identifier>: <level> <event>: key=value key="a b"`,
// with control bytes, quotes and backslashes escaped so one event is always one line.
std::string FormatLogLine(LogLevel level, std::string_view event,
                          std::initializer_list<LogField> fields);

// Sends an encoded entry to the journald socket at socket_path: one datagram, or, when the
// kernel refuses one that large, a sealed memfd passed with SCM_RIGHTS (as journald accepts).
Status SendJournalEntry(std::string_view socket_path, std::string_view entry);

}  // namespace seqgate
