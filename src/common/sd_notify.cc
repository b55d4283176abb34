#include "common/sd_notify.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

namespace seqgate {
namespace {

std::optional<uint64_t> ParseUnsigned(const char* s) {
  if (s == nullptr || *s == '\0') return std::nullopt;
  uint64_t v = 0;
  const char* end = s + std::strlen(s);
  auto [p, ec] = std::from_chars(s, end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

}  // namespace

Notifier Notifier::FromEnvironment() {
  Notifier n;
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || *path == '\0') return n;
  n.active_ = true;
  size_t len = std::strlen(path);
  n.addr_.sun_family = AF_UNIX;
  if (path[0] != '/' && path[0] != '@') {
    n.address_error_ = "NOTIFY_SOCKET is neither a path nor an abstract socket name";
  } else if (len > sizeof n.addr_.sun_path - (path[0] == '/' ? 1 : 0)) {
    n.address_error_ = "NOTIFY_SOCKET is too long for a unix socket address";
  } else {
    std::memcpy(n.addr_.sun_path, path, len);
    // An abstract name starts with a NUL byte and is not NUL-terminated: its length counts.
    if (path[0] == '@') n.addr_.sun_path[0] = '\0';
    n.addr_len_ =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len + (path[0] == '/' ? 1 : 0));
    n.fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (n.fd_ < 0) n.address_error_ = std::string("socket: ") + std::strerror(errno);
  }

  auto usec = ParseUnsigned(std::getenv("WATCHDOG_USEC"));
  const char* pid_env = std::getenv("WATCHDOG_PID");
  auto pid = ParseUnsigned(pid_env);
  // WATCHDOG_PID guards against a child inheriting the parent's watchdog environment.
  bool ours = pid_env == nullptr || (pid && *pid == static_cast<uint64_t>(::getpid()));
  if (usec && *usec > 0 && ours) {
    n.watchdog_ = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec));
  }
  return n;
}

Notifier::Notifier(Notifier&& other) noexcept
    : active_(other.active_),
      fd_(std::exchange(other.fd_, -1)),
      addr_(other.addr_),
      addr_len_(other.addr_len_),
      address_error_(std::move(other.address_error_)),
      watchdog_(other.watchdog_) {
  other.active_ = false;
}

Notifier& Notifier::operator=(Notifier&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    active_ = std::exchange(other.active_, false);
    fd_ = std::exchange(other.fd_, -1);
    addr_ = other.addr_;
    addr_len_ = other.addr_len_;
    address_error_ = std::move(other.address_error_);
    watchdog_ = other.watchdog_;
  }
  return *this;
}

Notifier::~Notifier() {
  if (fd_ >= 0) ::close(fd_);
}

Status Notifier::Send(std::string_view assignments) {
  if (!active_) return Status::Ok();
  if (!address_error_.empty()) return {StatusCode::kInvalidArgument, address_error_};
  ssize_t n;
  do {
    n = ::sendto(fd_, assignments.data(), assignments.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&addr_), addr_len_);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoStatus(errno, "sd_notify", "NOTIFY_SOCKET");
  if (static_cast<size_t>(n) != assignments.size()) {
    return {StatusCode::kIoError, "sd_notify: short datagram"};
  }
  return Status::Ok();
}

Status Notifier::Ready() { return Send("READY=1"); }

Status Notifier::Reloading() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t usec =
      static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  return Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

Status Notifier::Stopping() { return Send("STOPPING=1"); }

Status Notifier::Watchdog() { return Send("WATCHDOG=1"); }

Status Notifier::ExtendTimeout(std::chrono::microseconds extra) {
  return Send("EXTEND_TIMEOUT_USEC=" + std::to_string(extra.count()));
}

Status Notifier::SetStatus(std::string_view one_line) {
  std::string msg = "STATUS=";
  for (char c : one_line) msg.push_back(c == '\n' || c == '\r' ? ' ' : c);
  return Send(msg);
}

}  // namespace seqgate
