// The event catalogue stays consistent with itself, with what seqgate-ingest logs and with
// the operations manual that IT staff read.
#include "common/log_events.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace seqgate {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  REQUIRE_MESSAGE(in.good(), "cannot read " << p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("catalogue ids are 128-bit hex and nothing is listed twice") {
  std::set<std::string_view> names, ids;
  for (const LogEventInfo& e : LogEventCatalogue()) {
    CAPTURE(e.name);
    CHECK(e.message_id.size() == 32);
    CHECK(e.message_id.find_first_not_of("0123456789abcdef") == std::string_view::npos);
    CHECK(!e.description.empty());
    CHECK(e.description.find('\n') == std::string_view::npos);
    CHECK(names.insert(e.name).second);
    CHECK(ids.insert(e.message_id).second);
    CHECK(FindLogEvent(e.name) == &e);
  }
  CHECK(FindLogEvent("not_an_event") == nullptr);
  // The events seqgated emits must be there before it does.
  for (const char* name :
       {"daemon_started", "daemon_ready",    "daemon_stopping", "config_reloaded", "config_error",
        "journal_opened", "run_discovered",  "run_completed",   "run_failed",      "run_aborted",
        "run_stalled",    "run_unavailable", "file_ready",      "source_changed",  "file_packed",
        "upload_created", "upload_progress", "upload_retry",    "file_delivered",  "file_failed",
        "manifest_sent",  "run_delivered",   "control_command", "problem"}) {
    CAPTURE(name);
    CHECK(FindLogEvent(name) != nullptr);
  }
}

TEST_CASE("every event seqgate-ingest logs has a MESSAGE_ID") {
  // The event is the first string literal after Log( (the level may be an expression).
  const std::regex log_call(R"(\bLog\(([^";]*)\"([^"]+)\")");
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SEQGATE_SOURCE_DIR) / "src/ingest")) {
    if (entry.path().extension() != ".cc") continue;
    std::string text = ReadFile(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), log_call), end; it != end; ++it) {
      std::string event = (*it)[2];
      CAPTURE(entry.path());
      CAPTURE(event);
      CHECK(FindLogEvent(event) != nullptr);
      ++seen;
    }
  }
  CHECK(seen > 20);  // the scan really found the calls
}

TEST_CASE("docs/operations.md lists every catalogue entry with its MESSAGE_ID") {
  std::string doc = ReadFile(std::filesystem::path(SEQGATE_SOURCE_DIR) / "docs/operations.md");
  std::istringstream lines(doc);
  std::set<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.insert(line);
  for (const LogEventInfo& e : LogEventCatalogue()) {
    CAPTURE(e.name);
    bool listed = false;
    for (const std::string& row : rows) {
      if (row.find("`" + std::string(e.name) + "`") != std::string::npos &&
          row.find(std::string(e.message_id)) != std::string::npos) {
        listed = true;
      }
    }
    CHECK_MESSAGE(listed,
                  "docs/operations.md has no row with `" << e.name << "` and " << e.message_id);
  }
}

}  // namespace
}  // namespace seqgate
