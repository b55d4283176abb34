#include "control/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "control/control_protocol.h"

namespace seqgate::control {
namespace {

Status NotRunning(const std::string& why) {
  return Status(StatusCode::kUnavailable, "seqgated is not running (" + why + ")");
}

// Waits for `events` on fd until `deadline`; kTimeout when it passes.
Status WaitUntil(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status(StatusCode::kTimeout, "seqgated did not answer in time");
    pollfd p = {fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
    if (n > 0) return Status::Ok();
    if (n < 0 && errno != EINTR) return ErrnoStatus(errno, "poll", "control socket");
  }
}

}  // namespace

std::string DefaultSocketPath() {
  const char* env = std::getenv("SEQGATE_CONTROL_SOCKET");
  if (env != nullptr && *env != '\0') return env;
  return "/run/seqgate/seqgated.sock";
}

Result<ControlClient> ControlClient::Connect(const std::string& path,
                                             std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("control socket path '" + path + "' is empty or too long");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket", path);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd);
    if (err == ENOENT || err == ENOTDIR) return NotRunning("no control socket at " + path);
    if (err == ECONNREFUSED) return NotRunning("nothing listens on " + path);
    if (err == EACCES || err == EPERM) {
      return Status(StatusCode::kPermissionDenied,
                    "cannot connect to " + path +
                        ": permission denied (run as seqgated's user or root, or join its group)");
    }
    return ErrnoStatus(err, "connect", path);
  }
  return ControlClient(fd, path, timeout);
}

ControlClient::ControlClient(ControlClient&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      timeout_(other.timeout_),
      buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

ControlClient& ControlClient::operator=(ControlClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    timeout_ = other.timeout_;
    buffer_ = std::move(other.buffer_);
    other.fd_ = -1;
  }
  return *this;
}

ControlClient::~ControlClient() {
  if (fd_ >= 0) ::close(fd_);
}

Result<nlohmann::json> ControlClient::Call(std::string_view cmd, std::string_view arg) {
  if (fd_ < 0) return Status(StatusCode::kUnavailable, "control connection is closed");
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::string request = EncodeRequest(cmd, arg);
  std::string_view out = request;
  while (!out.empty()) {
    if (Status s = WaitUntil(fd_, POLLOUT, deadline); !s.ok()) return Broken(s);
    ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      break;  // closed on us: its reason may already be waiting to be read
    }
  }
  size_t scanned = 0;
  for (;;) {
    if (size_t nl = buffer_.find('\n', scanned); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return DecodeResponse(line);
    }
    scanned = buffer_.size();
    if (buffer_.size() > kMaxResponseBytes) {
      return Broken(Corruption("seqgated's answer is longer than " +
                               std::to_string(kMaxResponseBytes) + " bytes"));
    }
    if (Status s = WaitUntil(fd_, POLLIN, deadline); !s.ok()) return Broken(s);
    char buf[64 * 1024];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      // A refusal (wrong uid, too many clients) arrives as one line before the close.
      return Broken(Status(StatusCode::kUnavailable, "seqgated closed the control connection"));
    }
  }
}

Status ControlClient::Broken(Status why) {
  // A late answer would be taken for the next request's: the connection cannot be reused.
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  return why;
}

}  // namespace seqgate::control
