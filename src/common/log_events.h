// The catalogue of log events: each event name has a fixed journald MESSAGE_ID, so operators
// can select one kind of event across versions and hosts (`journalctl MESSAGE_ID=...`).
// docs/operations.md lists the same table; a unit test keeps the two in step.
#pragma once

#include <span>
#include <string_view>

namespace seqgate {

struct LogEventInfo {
  std::string_view name;         // the event as passed to Log(), e.g. "file_delivered"
  std::string_view message_id;   // 128-bit id, 32 lower-case hex digits; never reused or changed
  std::string_view description;  // one line for the operations manual
};

// Every known event, seqgated's first, then seqgate-ingest's.
std::span<const LogEventInfo> LogEventCatalogue();

// The catalogue entry for an event name, or nullptr when it is not catalogued.
const LogEventInfo* FindLogEvent(std::string_view name);

}  // namespace seqgate
