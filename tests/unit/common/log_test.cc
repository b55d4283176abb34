#include "common/log.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>

#include "common/log_events.h"

namespace seqgate {
namespace {

// Parses a native-protocol entry the way journald does.
std::multimap<std::string, std::string> ParseJournal(const std::string& d) {
  std::multimap<std::string, std::string> out;
  size_t i = 0;
  while (i < d.size()) {
    size_t nl = d.find('\n', i);
    REQUIRE(nl != std::string::npos);
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

std::string One(const std::multimap<std::string, std::string>& m, const std::string& key) {
  REQUIRE(m.count(key) == 1);
  return m.find(key)->second;
}

TEST_CASE("journal entries carry one upper-cased SEQGATE_ field per log field") {
  SetLogIdentifier("seqgated");
  auto f = ParseJournal(
      EncodeJournalEntry(LogLevel::kWarning, "upload_retry",
                         {{"run", "240101_A0_0001"}, {"attempt", "3"}, {"retry_in_ms", "1500"}}));
  CHECK(One(f, "PRIORITY") == "4");
  CHECK(One(f, "SYSLOG_IDENTIFIER") == "seqgated");
  CHECK(One(f, "SEQGATE_EVENT") == "upload_retry");
  CHECK(One(f, "SEQGATE_RUN") == "240101_A0_0001");
  CHECK(One(f, "SEQGATE_ATTEMPT") == "3");
  CHECK(One(f, "SEQGATE_RETRY_IN_MS") == "1500");
  CHECK(One(f, "MESSAGE") == "upload_retry: run=240101_A0_0001 attempt=3 retry_in_ms=1500");
  const LogEventInfo* info = FindLogEvent("upload_retry");
  REQUIRE(info != nullptr);
  CHECK(One(f, "MESSAGE_ID") == info->message_id);
  CHECK(f.size() == 8);
}

TEST_CASE("seqgate-ingest's dotted events are catalogued too") {
  SetLogIdentifier("seqgate-ingest");
  auto f = ParseJournal(
      EncodeJournalEntry(LogLevel::kInfo, "upload.finalized", {{"stored_as", "lab-a/R/x"}}));
  CHECK(One(f, "SYSLOG_IDENTIFIER") == "seqgate-ingest");
  CHECK(One(f, "SEQGATE_STORED_AS") == "lab-a/R/x");
  CHECK(One(f, "MESSAGE_ID") == FindLogEvent("upload.finalized")->message_id);
}

TEST_CASE("an uncatalogued event still logs, without MESSAGE_ID") {
  auto f = ParseJournal(EncodeJournalEntry(LogLevel::kError, "no_such_event", {}));
  CHECK(f.count("MESSAGE_ID") == 0);
  CHECK(One(f, "SEQGATE_EVENT") == "no_such_event");
  CHECK(One(f, "PRIORITY") == "3");
  CHECK(One(f, "MESSAGE") == "no_such_event");
}

TEST_CASE("a value with a newline cannot inject a journal field") {
  std::string e = EncodeJournalEntry(LogLevel::kInfo, "x", {{"reason", "a\nPRIORITY=0"}});
  auto fields = ParseJournal(e);
  CHECK(One(fields, "PRIORITY") == "6");
  CHECK(One(fields, "SEQGATE_REASON") == "a\nPRIORITY=0");
  std::string framed =
      std::string("SEQGATE_REASON\n") + std::string("\x0c\0\0\0\0\0\0\0", 8) + "a\nPRIORITY=0\n";
  CHECK(e.find(framed) != std::string::npos);
  // The readable MESSAGE escapes it.
  CHECK(One(fields, "MESSAGE") == "x: reason=\"a\\x0aPRIORITY=0\"");
}

TEST_CASE("the stderr line is one escaped line per event") {
  SetLogIdentifier("seqgated");
  CHECK(FormatLogLine(LogLevel::kInfo, "file_packed",
                      {{"file", "L001/R1.fastq.gz"}, {"bytes", "12"}}) ==
        "seqgated: info file_packed: file=L001/R1.fastq.gz bytes=12\n");
  CHECK(FormatLogLine(LogLevel::kError, "file_failed",
                      {{"reason", "disk \"full\"\nFAKE"}, {"path", "a\\b"}, {"x", ""}}) ==
        "seqgated: error file_failed: reason=\"disk \\\"full\\\"\\x0aFAKE\" path=\"a\\\\b\" "
        "x=\"\"\n");
  CHECK(FormatLogLine(LogLevel::kWarning, "daemon_stopping", {}) ==
        "seqgated: warning daemon_stopping\n");
}

TEST_CASE("URLs lose their credentials everywhere, url fields their query") {
  SetLogIdentifier("seqgated");
  CHECK(FormatLogLine(LogLevel::kInfo, "upload_created",
                      {{"url", "https://site:s3cret@ingest.example:8443/files/ab?X-Sig=zzz"}}) ==
        "seqgated: info upload_created: "
        "url=https://<redacted>@ingest.example:8443/files/ab?<redacted>\n");
  std::string e =
      EncodeJournalEntry(LogLevel::kInfo, "problem", {{"reason", "GET http://u:pw@h/x failed"}});
  CHECK(e.find("pw") == std::string::npos);
  CHECK(One(ParseJournal(e), "SEQGATE_REASON") == "GET http://<redacted>@h/x failed");
  // An '@' in a path is not userinfo.
  CHECK(
      One(ParseJournal(EncodeJournalEntry(LogLevel::kInfo, "x", {{"url", "https://h/files/a@b"}})),
          "SEQGATE_URL") == "https://h/files/a@b");
}

// A datagram socket standing in for journald's.
class FakeJournald {
 public:
  FakeJournald() {
    path_ = "/tmp/seqgate-journal-test-" + std::to_string(::getpid()) + ".sock";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    ::unlink(path_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~FakeJournald() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  FakeJournald(const FakeJournald&) = delete;
  FakeJournald& operator=(const FakeJournald&) = delete;
  const std::string& path() const { return path_; }

  // Reads one message as journald does: the payload, or the content of a passed memfd
  // (which must be sealed against writes). *via_memfd tells which it was.
  std::string Receive(bool* via_memfd) {
    std::string buf(256 * 1024, '\0');
    iovec iov{buf.data(), buf.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    REQUIRE(n >= 0);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    *via_memfd = c != nullptr && c->cmsg_type == SCM_RIGHTS;
    if (!*via_memfd) return buf.substr(0, static_cast<size_t>(n));
    CHECK(n == 0);
    int mfd;
    std::memcpy(&mfd, CMSG_DATA(c), sizeof mfd);
    int seals = ::fcntl(mfd, F_GET_SEALS);
    CHECK((seals & F_SEAL_WRITE) != 0);
    CHECK((seals & F_SEAL_SHRINK) != 0);
    CHECK((seals & F_SEAL_GROW) != 0);
    std::string content;
    char chunk[65536];
    ssize_t r;
    while ((r = ::pread(mfd, chunk, sizeof chunk, static_cast<off_t>(content.size()))) > 0) {
      content.append(chunk, static_cast<size_t>(r));
    }
    ::close(mfd);
    return content;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST_CASE("a small entry travels as one datagram") {
  FakeJournald journald;
  std::string entry = EncodeJournalEntry(LogLevel::kInfo, "file_ready", {{"file", "a"}});
  REQUIRE(SendJournalEntry(journald.path(), entry).ok());
  bool via_memfd = true;
  CHECK(journald.Receive(&via_memfd) == entry);
  CHECK_FALSE(via_memfd);
}

TEST_CASE("an entry too large for a datagram travels in a sealed memfd") {
  FakeJournald journald;
  // Far past the kernel's datagram limit (net.core.wmem_max, ~208 KiB by default).
  std::string big(4 << 20, 'x');
  std::string entry = EncodeJournalEntry(LogLevel::kError, "problem", {{"reason", big}});
  REQUIRE(SendJournalEntry(journald.path(), entry).ok());
  bool via_memfd = false;
  std::string got = journald.Receive(&via_memfd);
  CHECK(via_memfd);
  CHECK(got.size() == entry.size());
  CHECK(got == entry);
}

TEST_CASE("a missing journal socket is an error, so Log can fall back to stderr") {
  CHECK_FALSE(SendJournalEntry("/nonexistent/journal.sock", "MESSAGE=x\n").ok());
}

}  // namespace
}  // namespace seqgate

namespace seqgate {
namespace {

TEST_CASE("the last warning or error is kept for the service status line") {
  SetLogLevel(LogLevel::kError);  // below the threshold: not written, not remembered
  Log(LogLevel::kWarning, "quiet", {});
  CHECK(LastProblem().find("quiet") == std::string::npos);
  Log(LogLevel::kError, "upload_retry", {{"reason", "line\nbreak"}});
  std::string p = LastProblem();
  CHECK(p.rfind("upload_retry: reason=\"line\\x0abreak\" (at ", 0) == 0);
  CHECK(p.find('\n') == std::string::npos);
  SetLogLevel(LogLevel::kInfo);
  Log(LogLevel::kInfo, "file_ready", {});  // info does not replace it
  CHECK(LastProblem() == p);
}

}  // namespace
}  // namespace seqgate
