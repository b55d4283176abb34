#include "common/log.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <utility>

namespace seqgate {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mu;
// Written once before threads start (SetLogIdentifier's contract), then only read.
std::string& Identifier() {
  static std::string id = program_invocation_short_name;
  return id;
}

std::string_view LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Quotes values with spaces or quotes and escapes control bytes, so a hostile value cannot
// forge a second log line or a field.
void AppendValue(std::string* out, std::string_view v) {
  bool quote = v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      quote = true;
    }
  }
  if (!quote) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

int SyslogPriority(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return 7;
    case LogLevel::kInfo:
      return 6;
    case LogLevel::kWarning:
      return 4;
    case LogLevel::kError:
      return 3;
  }
  return 6;
}

void AppendJournalField(std::string* out, std::string_view name, std::string_view value) {
  if (value.find('\n') == std::string_view::npos) {
    out->append(name);
    out->push_back('=');
    out->append(value);
    out->push_back('\n');
    return;
  }
  out->append(name);
  out->push_back('\n');
  uint64_t n = value.size();
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out->append(value);
  out->push_back('\n');
}

// Journal field names are [A-Z0-9_], not starting with '_' (those are trusted fields).
std::string JournalName(std::string_view key) {
  std::string name = "SEQGATE_";
  for (char c : key) {
    if (c >= 'a' && c <= 'z') {
      name.push_back(static_cast<char>(c - 'a' + 'A'));
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      name.push_back(c);
    } else {
      name.push_back('_');
    }
  }
  return name;
}

// The journald socket when our stderr is the stream systemd connected (JOURNAL_STREAM holds
// its "device:inode"), else -1.
int JournalSocket() {
  static const int fd = [] {
    const char* env = std::getenv("JOURNAL_STREAM");
    struct stat st {};
    if (env == nullptr || ::fstat(STDERR_FILENO, &st) != 0) return -1;
    std::string expect = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    if (expect != env) return -1;
    return ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  }();
  return fd;
}

bool SendToJournal(const std::string& datagram) {
  int fd = JournalSocket();
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  static constexpr char kPath[] = "/run/systemd/journal/socket";
  std::memcpy(addr.sun_path, kPath, sizeof kPath);
  return ::sendto(fd, datagram.data(), datagram.size(), MSG_NOSIGNAL,
                  reinterpret_cast<const sockaddr*>(&addr),
                  sizeof addr) == static_cast<ssize_t>(datagram.size());
}

}  // namespace

std::string EncodeJournalEntry(LogLevel level, std::string_view event,
                               std::initializer_list<LogField> fields) {
  std::string message(event);
  for (const auto& [k, v] : fields) {
    message += ' ';
    message += k;
    message += '=';
    AppendValue(&message, v);
  }
  std::string out;
  AppendJournalField(&out, "MESSAGE", message);
  AppendJournalField(&out, "PRIORITY", std::to_string(SyslogPriority(level)));
  AppendJournalField(&out, "SYSLOG_IDENTIFIER", Identifier());
  AppendJournalField(&out, "SEQGATE_EVENT", event);
  for (const auto& [k, v] : fields) AppendJournalField(&out, JournalName(k), v);
  return out;
}

void SetLogIdentifier(std::string identifier) { Identifier() = std::move(identifier); }

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

LogLevel ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "warning") return LogLevel::kWarning;
  if (name == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  if (JournalSocket() >= 0 && SendToJournal(EncodeJournalEntry(level, event, fields))) return;
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  std::string line = stamp;
  line += ' ';
  line += LevelName(level);
  line += ' ';
  AppendValue(&line, event);
  for (const auto& [k, v] : fields) {
    line += ' ';
    line += k;
    line += '=';
    AppendValue(&line, v);
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace seqgate
