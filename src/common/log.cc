#include "common/log.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <utility>

#include "common/log_events.h"

namespace seqgate {
namespace {

constexpr char kDefaultJournalSocket[] = "/run/systemd/journal/socket";

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_stderr_mu;
std::mutex g_problem_mu;
std::string g_last_problem;  // guarded by g_problem_mu

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

// Drops what must never reach a log from a value: the user:password@ of any URL in it, and
// for a "url" field the query string too (pre-signed URLs carry their signature there).
std::string Sanitize(std::string_view key, std::string_view v) {
  std::string out(v);
  for (size_t scheme = out.find("://"); scheme != std::string::npos;
       scheme = out.find("://", scheme + 3)) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?# \t\n", start);
    size_t at = out.rfind('@', end == std::string::npos ? std::string::npos : end - 1);
    if (at != std::string::npos && at >= start && (end == std::string::npos || at < end)) {
      out.replace(start, at + 1 - start, "<redacted>@");
    }
  }
  if (key == "url") {
    size_t q = out.find('?');
    if (q != std::string::npos) out.replace(q + 1, std::string::npos, "<redacted>");
  }
  return out;
}

// Quotes values with spaces, quotes or '=' and escapes control bytes, so a hostile value
// cannot forge a second log line or a field.
void AppendValue(std::string* out, std::string_view v) {
  bool quote = v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
        c == 0x7f) {
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

// "<event>: key=value ...", the readable part shared by MESSAGE= and the stderr line.
std::string Readable(std::string_view event, std::initializer_list<LogField> fields) {
  std::string s;
  AppendValue(&s, event);
  const char* sep = ": ";
  for (const auto& [k, v] : fields) {
    s += sep;
    sep = " ";
    s += k;
    s += '=';
    AppendValue(&s, Sanitize(k, v));
  }
  return s;
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

// Journal field names are [A-Z0-9_] and must not start with '_' (those are trusted fields);
// the SEQGATE_ prefix guarantees both and keeps our fields apart from systemd's.
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

// One datagram socket for the process; datagram sends are atomic, so threads share it.
int JournalFd() {
  static const int fd = [] {
    int s = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0) {
      // Like sd-journal: a large send buffer lets bursts through without blocking the caller.
      int size = 8 << 20;
      ::setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }
    return s;
  }();
  return fd;
}

// True when our stderr is the stream systemd connected to journald (JOURNAL_STREAM holds its
// "device:inode"); a redirected stderr means someone wants the lines where they pointed it.
bool StderrIsJournal() {
  static const bool is = [] {
    const char* env = std::getenv("JOURNAL_STREAM");
    struct stat st {};
    if (env == nullptr || ::fstat(STDERR_FILENO, &st) != 0) return false;
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) == env;
  }();
  return is;
}

const std::string& JournalSocketPath() {
  static const std::string path = [] {
    const char* env = std::getenv("SEQGATE_JOURNAL_SOCKET");
    return std::string(env != nullptr && *env != '\0' ? env : kDefaultJournalSocket);
  }();
  return path;
}

Status SendMemfd(int sock, const sockaddr_un& addr, socklen_t addr_len, std::string_view entry) {
  int mfd = ::memfd_create("seqgate-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0) return ErrnoStatus(errno, "memfd_create", "journal entry");
  size_t done = 0;
  while (done < entry.size()) {
    ssize_t n = ::write(mfd, entry.data() + done, entry.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(mfd);
      return ErrnoStatus(err, "write", "journal memfd");
    }
    done += static_cast<size_t>(n);
  }
  // journald only trusts a memfd that can no longer change under it.
  if (::fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    int err = errno;
    ::close(mfd);
    return ErrnoStatus(err, "seal", "journal memfd");
  }
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_name = const_cast<sockaddr_un*>(&addr);
  msg.msg_namelen = addr_len;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &mfd, sizeof(int));
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  ::close(mfd);
  if (n < 0) return ErrnoStatus(err, "sendmsg", "journal memfd");
  return Status::Ok();
}

}  // namespace

std::string EncodeJournalEntry(LogLevel level, std::string_view event,
                               std::initializer_list<LogField> fields) {
  std::string out;
  AppendJournalField(&out, "MESSAGE", Readable(event, fields));
  if (const LogEventInfo* info = FindLogEvent(event)) {
    AppendJournalField(&out, "MESSAGE_ID", info->message_id);
  }
  AppendJournalField(&out, "PRIORITY", std::to_string(SyslogPriority(level)));
  AppendJournalField(&out, "SYSLOG_IDENTIFIER", Identifier());
  AppendJournalField(&out, "SEQGATE_EVENT", event);
  for (const auto& [k, v] : fields) AppendJournalField(&out, JournalName(k), Sanitize(k, v));
  return out;
}

std::string FormatLogLine(LogLevel level, std::string_view event,
                          std::initializer_list<LogField> fields) {
  std::string line = Identifier();
  line += ": ";
  line += LevelName(level);
  line += ' ';
  line += Readable(event, fields);
  line += '\n';
  return line;
}

Status SendJournalEntry(std::string_view socket_path, std::string_view entry) {
  int sock = JournalFd();
  if (sock < 0) return ErrnoStatus(errno, "socket", "journal");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path) {
    return InvalidArgument("journal socket path is empty or too long");
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  auto addr_len = static_cast<socklen_t>(sizeof addr);
  ssize_t n;
  do {
    n = ::sendto(sock, entry.data(), entry.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&addr), addr_len);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) return Status::Ok();
  // Too large for one datagram (EMSGSIZE), or for the socket buffer (ENOBUFS): journald reads
  // the entry from a sealed memfd instead, as sd-journal does.
  if (errno == EMSGSIZE || errno == ENOBUFS) return SendMemfd(sock, addr, addr_len, entry);
  return ErrnoStatus(errno, "sendto", socket_path);
}

void SetLogIdentifier(std::string identifier) { Identifier() = std::move(identifier); }

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

LogLevel ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "warning") return LogLevel::kWarning;
  if (name == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

std::string LastProblem() {
  std::lock_guard<std::mutex> lock(g_problem_mu);
  return g_last_problem;
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  if (level >= LogLevel::kWarning) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char at[32];
    std::snprintf(at, sizeof at, " (at %02d:%02d:%02dZ)", tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string problem = Readable(event, fields) + at;
    std::lock_guard<std::mutex> lock(g_problem_mu);
    g_last_problem = std::move(problem);
  }
  bool journal = StderrIsJournal();
  if (journal &&
      SendJournalEntry(JournalSocketPath(), EncodeJournalEntry(level, event, fields)).ok()) {
    return;
  }
  std::string line = FormatLogLine(level, event, fields);
  // journald's stream reader turns a "<N>" prefix into the priority (SyslogLevelPrefix=), so
  // the fallback keeps at least the level when the native socket is unreachable.
  if (journal) line.insert(0, "<" + std::to_string(SyslogPriority(level)) + ">");
  std::lock_guard<std::mutex> lock(g_stderr_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace seqgate
