#include "common/log.h"

#include <doctest/doctest.h>

#include <map>
#include <string>

namespace seqgate {
namespace {

TEST_CASE("journal entries carry one field per log field") {
  SetLogIdentifier("seqgate-ingest");
  std::string e = EncodeJournalEntry(LogLevel::kWarning, "upload.finalized",
                                     {{"site", "lab-a"}, {"stored_as", "lab-a/R/x"}});
  CHECK(e.find("PRIORITY=4\n") != std::string::npos);
  CHECK(e.find("SYSLOG_IDENTIFIER=seqgate-ingest\n") != std::string::npos);
  CHECK(e.find("SEQGATE_EVENT=upload.finalized\n") != std::string::npos);
  CHECK(e.find("SEQGATE_SITE=lab-a\n") != std::string::npos);
  CHECK(e.find("SEQGATE_STORED_AS=lab-a/R/x\n") != std::string::npos);
  CHECK(e.find("MESSAGE=upload.finalized site=lab-a stored_as=lab-a/R/x\n") != std::string::npos);
}

// Parses a native-protocol datagram the way journald does.
std::multimap<std::string, std::string> ParseJournal(const std::string& d) {
  std::multimap<std::string, std::string> out;
  size_t i = 0;
  while (i < d.size()) {
    size_t nl = d.find('\n', i);
    std::string line = d.substr(i, nl - i);
    size_t eq = line.find('=');
    if (eq != std::string::npos) {
      out.emplace(line.substr(0, eq), line.substr(eq + 1));
      i = nl + 1;
      continue;
    }
    uint64_t n = 0;
    for (int k = 0; k < 8; ++k) {
      n |= static_cast<uint64_t>(static_cast<unsigned char>(d[nl + 1 + static_cast<size_t>(k)]))
           << (8 * k);
    }
    out.emplace(line, d.substr(nl + 9, n));
    i = nl + 9 + n + 1;
  }
  return out;
}

TEST_CASE("a value with a newline cannot inject a journal field") {
  std::string e = EncodeJournalEntry(LogLevel::kInfo, "x", {{"reason", "a\nPRIORITY=0"}});
  auto fields = ParseJournal(e);
  CHECK(fields.count("PRIORITY") == 1);
  CHECK(fields.find("PRIORITY")->second == "6");
  CHECK(fields.find("SEQGATE_REASON")->second == "a\nPRIORITY=0");
  std::string framed =
      std::string("SEQGATE_REASON\n") + std::string("\x0c\0\0\0\0\0\0\0", 8) + "a\nPRIORITY=0\n";
  CHECK(e.find(framed) != std::string::npos);
  // The readable MESSAGE escapes it.
  CHECK(e.find("reason=\"a\\x0aPRIORITY=0\"") != std::string::npos);
}

}  // namespace
}  // namespace seqgate
