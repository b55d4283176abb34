// Minimal blocking socket clients for the control tests: they send bytes the real client never
// would (bad JSON, oversized lines, raw HTTP) and read what comes back.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace seqgate::testing {

class RawSocket {
 public:
  // A Unix stream connection to `path`; throws when it cannot connect.
  static RawSocket Unix(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      throw std::runtime_error("cannot connect to " + path);
    }
    return RawSocket(fd);
  }

  // A TCP connection to 127.0.0.1:`port`; throws when it cannot connect.
  static RawSocket Loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
    return RawSocket(fd);
  }

  RawSocket(RawSocket&& o) noexcept : fd_(o.fd_), buf_(std::move(o.buf_)) { o.fd_ = -1; }
  RawSocket& operator=(RawSocket&&) = delete;
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Sends everything; false if the peer closed.
  bool Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // The next line without its '\n', or "<eof>" when the peer closed first.
  std::string ReadLine() {
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      char b[4096];
      ssize_t n = ::recv(fd_, b, sizeof b, 0);
      if (n <= 0) return "<eof>";
      buf_.append(b, static_cast<size_t>(n));
    }
  }

  // Everything until the peer closes.
  std::string ReadAll() {
    std::string out = std::move(buf_);
    buf_.clear();
    char b[4096];
    for (ssize_t n; (n = ::recv(fd_, b, sizeof b, 0)) > 0;) out.append(b, static_cast<size_t>(n));
    return out;
  }

  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

 private:
  explicit RawSocket(int fd) : fd_(fd) {}
  int fd_;
  std::string buf_;
};

}  // namespace seqgate::testing
