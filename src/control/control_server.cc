#include "control/control_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "control/control_protocol.h"

namespace seqgate::control {

struct ControlServer::Connection {
  int fd = -1;
  std::thread thread;
  std::atomic<bool> done{false};
};

namespace {

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("control socket path '" + path + "' must be 1 to " +
                           std::to_string(sizeof(addr.sun_path) - 1) + " bytes long");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

sockaddr* AsSockaddr(sockaddr_un* a) { return reinterpret_cast<sockaddr*>(a); }

// A socket file left by a daemon that died is harmless and in the way; one somebody still
// listens on belongs to a running daemon, and anything else is not ours to delete.
Status ClearStaleSocket(const std::string& path, sockaddr_un addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus(errno, "stat", path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return InvalidArgument(path + " exists and is not a socket; refusing to replace it");
  }
  int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return ErrnoStatus(errno, "socket", path);
  int rc = ::connect(probe, AsSockaddr(&addr), sizeof addr);
  int err = errno;
  ::close(probe);
  if (rc == 0) {
    return Status(StatusCode::kUnavailable,
                  "another process (a running seqgated?) is listening on " + path);
  }
  if (err != ECONNREFUSED) return ErrnoStatus(err, "connect", path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, "unlink", path);
  return Status::Ok();
}

// Waits until `fd` is ready for `events` or the stop eventfd fires; false on stop or error.
bool WaitFor(int fd, short events, int stop_fd) {
  for (;;) {
    pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (fds[1].revents != 0) return false;
    return (fds[0].revents & (events | POLLHUP | POLLERR)) != 0;
  }
}

bool WriteAll(int fd, std::string_view data, int stop_fd) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(fd, POLLOUT, stop_fd)) return false;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

// For connections refused before they get a thread: one error line, without waiting on them.
void RefuseWith(int fd, const Status& why) {
  std::string line = DumpLine(ErrorResponse(why));
  (void)::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::close(fd);
}

}  // namespace

bool PeerAllowed(uid_t peer_uid, uid_t owner_uid) { return peer_uid == owner_uid || peer_uid == 0; }

ControlServer::ControlServer(ControlTarget& target, ControlServerOptions options)
    : target_(target), options_(std::move(options)) {}

ControlServer::~ControlServer() { Stop(); }

Status ControlServer::Start() {
  if (listen_fd_ >= 0) return InvalidArgument("control server already started");
  const std::string& path = options_.socket_path;
  SEQGATE_ASSIGN_OR_RETURN(sockaddr_un addr, UnixAddress(path));
  SEQGATE_RETURN_IF_ERROR(ClearStaleSocket(path, addr));

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket", path);
  auto fail = [&](const char* op, bool created) {
    Status s = ErrnoStatus(errno, op, path);
    ::close(fd);
    if (created) ::unlink(path.c_str());
    return s;
  };
  if (::bind(fd, AsSockaddr(&addr), sizeof addr) != 0) return fail("bind", false);
  // Until listen() nobody can connect, so tightening the mode here leaves no window.
  if (::chmod(path.c_str(), options_.mode) != 0) return fail("chmod", true);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail("stat", true);
  if (::listen(fd, 16) != 0) return fail("listen", true);
  int stop = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop < 0) return fail("eventfd", true);

  listen_fd_ = fd;
  stop_fd_ = stop;
  socket_dev_ = st.st_dev;
  socket_ino_ = st.st_ino;
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void ControlServer::Stop() {
  if (stop_fd_ < 0) return;
  uint64_t one = 1;
  (void)::write(stop_fd_, &one, sizeof one);
  if (accept_thread_.joinable()) accept_thread_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  // Only our own socket: a daemon started since may have replaced it.
  struct stat st {};
  if (::lstat(options_.socket_path.c_str(), &st) == 0 && st.st_dev == socket_dev_ &&
      st.st_ino == socket_ino_) {
    ::unlink(options_.socket_path.c_str());
  }
  std::list<std::unique_ptr<Connection>> conns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    conns.swap(connections_);
  }
  for (auto& c : conns) c->thread.join();
  ::close(stop_fd_);
  stop_fd_ = -1;
}

void ControlServer::ReapFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = connections_.begin(); it != connections_.end();) {
    if ((*it)->done.load()) {
      (*it)->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void ControlServer::AcceptLoop() {
  for (;;) {
    if (!WaitFor(listen_fd_, POLLIN, stop_fd_)) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: back off instead of spinning on a listener that stays readable.
        pollfd stop = {stop_fd_, POLLIN, 0};
        if (::poll(&stop, 1, 200) > 0) return;
      }
      continue;
    }
    ReapFinished();
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      RefuseWith(fd, Status(StatusCode::kPermissionDenied, "cannot identify the peer"));
      continue;
    }
    if (!PeerAllowed(cred.uid, options_.owner_uid)) {
      RefuseWith(fd, Status(StatusCode::kPermissionDenied,
                            "uid " + std::to_string(cred.uid) +
                                " may not use this control socket (only uid " +
                                std::to_string(options_.owner_uid) + " and root)"));
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (connections_.size() >= options_.max_clients) {
      RefuseWith(fd, Status(StatusCode::kResourceExhausted,
                            "too many control connections (" +
                                std::to_string(options_.max_clients) + ")"));
      continue;
    }
    auto conn = std::make_unique<Connection>();
    conn->fd = fd;
    Connection& c = *conn;
    connections_.push_back(std::move(conn));
    c.thread = std::thread([this, &c] { Serve(c); });
  }
}

void ControlServer::Serve(Connection& conn) {
  const int fd = conn.fd;
  std::string pending;
  bool discarding = false;  // inside an oversized request, already answered
  auto answer = [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return true;
    return WriteAll(fd, DumpLine(HandleRequest(target_, line)), stop_fd_);
  };
  char buf[16 * 1024];
  bool open = true;
  while (open && WaitFor(fd, POLLIN, stop_fd_)) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      break;
    }
    if (n == 0) {  // the client is done; a last line without '\n' still deserves an answer
      if (!discarding && !pending.empty()) (void)answer(pending);
      break;
    }
    pending.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; open && (nl = pending.find('\n', start)) != std::string::npos;) {
      std::string_view line(pending.data() + start, nl - start);
      start = nl + 1;
      if (discarding) {
        discarding = false;
        continue;
      }
      open = answer(line);
    }
    pending.erase(0, start);
    if (!discarding && pending.size() > kMaxRequestBytes) {
      open = WriteAll(fd,
                      DumpLine(ErrorResponse(InvalidArgument(
                          "request longer than " + std::to_string(kMaxRequestBytes) + " bytes"))),
                      stop_fd_);
      discarding = true;
    }
    if (discarding) pending.clear();
  }
  ::close(fd);
  conn.done.store(true);
}

}  // namespace seqgate::control
