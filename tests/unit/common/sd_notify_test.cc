#include "common/sd_notify.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace seqgate {
namespace {

// A datagram socket standing in for systemd's notification socket.
class FakeManager {
 public:
  // name: a filesystem path, or "@name" for the abstract namespace.
  explicit FakeManager(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    if (name_[0] == '@') addr.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    if (name_[0] == '/') ::unlink(name_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0);
    ::setenv("NOTIFY_SOCKET", name_.c_str(), 1);
  }
  ~FakeManager() {
    ::close(fd_);
    if (name_[0] == '/') ::unlink(name_.c_str());
    ::unsetenv("NOTIFY_SOCKET");
  }
  FakeManager(const FakeManager&) = delete;
  FakeManager& operator=(const FakeManager&) = delete;

  // The next datagram, or "<none>" when nothing was sent (AF_UNIX delivers synchronously).
  std::string Next() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) return "<none>";
    return std::string(buf, static_cast<size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
};

std::string TempSocketPath() {
  return "/tmp/seqgate-notify-test-" + std::to_string(::getpid()) + ".sock";
}

TEST_CASE("notifications reach a filesystem socket as exact datagrams") {
  FakeManager manager(TempSocketPath());
  Notifier n = Notifier::FromEnvironment();
  REQUIRE(n.active());
  CHECK(n.Ready().ok());
  CHECK(manager.Next() == "READY=1");
  CHECK(n.Watchdog().ok());
  CHECK(manager.Next() == "WATCHDOG=1");
  CHECK(n.Stopping().ok());
  CHECK(manager.Next() == "STOPPING=1");
  CHECK(n.SetStatus("3 uploads\nlast error: none\r").ok());
  CHECK(manager.Next() == "STATUS=3 uploads last error: none ");
  CHECK(n.Send("A=1\nB=2").ok());
  CHECK(manager.Next() == "A=1\nB=2");
  CHECK(n.ExtendTimeout(std::chrono::seconds(90)).ok());
  CHECK(manager.Next() == "EXTEND_TIMEOUT_USEC=90000000");
  CHECK(manager.Next() == "<none>");
}

TEST_CASE("RELOADING carries the monotonic clock it was sent at") {
  FakeManager manager(TempSocketPath());
  Notifier n = Notifier::FromEnvironment();
  timespec before{}, after{};
  ::clock_gettime(CLOCK_MONOTONIC, &before);
  CHECK(n.Reloading().ok());
  ::clock_gettime(CLOCK_MONOTONIC, &after);
  std::string d = manager.Next();
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  REQUIRE(d.rfind(prefix, 0) == 0);
  uint64_t usec = std::stoull(d.substr(prefix.size()));
  auto to_usec = [](const timespec& t) {
    return static_cast<uint64_t>(t.tv_sec) * 1000000u + static_cast<uint64_t>(t.tv_nsec) / 1000u;
  };
  CHECK(usec >= to_usec(before));
  CHECK(usec <= to_usec(after));
}

TEST_CASE("an abstract socket name reaches the abstract namespace") {
  FakeManager manager("@seqgate-notify-test-" + std::to_string(::getpid()));
  Notifier n = Notifier::FromEnvironment();
  CHECK(n.Ready().ok());
  CHECK(manager.Next() == "READY=1");
}

TEST_CASE("a moved notifier keeps sending") {
  FakeManager manager(TempSocketPath());
  Notifier a = Notifier::FromEnvironment();
  Notifier b = std::move(a);
  CHECK(b.Ready().ok());
  CHECK(manager.Next() == "READY=1");
  Notifier c = Notifier::FromEnvironment();
  c = std::move(b);
  CHECK(c.Stopping().ok());
  CHECK(manager.Next() == "STOPPING=1");
}

TEST_CASE("without NOTIFY_SOCKET every call is a successful no-op") {
  ::unsetenv("NOTIFY_SOCKET");
  Notifier n = Notifier::FromEnvironment();
  CHECK_FALSE(n.active());
  CHECK(n.Ready().ok());
  CHECK(n.SetStatus("x").ok());
}

TEST_CASE("an unusable NOTIFY_SOCKET is reported, not ignored") {
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  Notifier n = Notifier::FromEnvironment();
  CHECK(n.active());
  CHECK(n.Ready().code() == StatusCode::kInvalidArgument);
  ::setenv("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str(), 1);
  CHECK(Notifier::FromEnvironment().Ready().code() == StatusCode::kInvalidArgument);
  ::setenv("NOTIFY_SOCKET", "/nonexistent/seqgate-notify.sock", 1);
  CHECK_FALSE(Notifier::FromEnvironment().Ready().ok());
  ::unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("the watchdog interval is ours only when WATCHDOG_PID allows") {
  ::unsetenv("NOTIFY_SOCKET");
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  CHECK_FALSE(Notifier::FromEnvironment().watchdog_interval().has_value());  // no one to ping

  FakeManager manager(TempSocketPath());
  ::unsetenv("WATCHDOG_PID");
  ::unsetenv("WATCHDOG_USEC");
  CHECK_FALSE(Notifier::FromEnvironment().watchdog_interval().has_value());

  ::setenv("WATCHDOG_USEC", "30000000", 1);
  auto interval = Notifier::FromEnvironment().watchdog_interval();
  REQUIRE(interval.has_value());
  CHECK(interval->count() == 30000000);

  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  CHECK(Notifier::FromEnvironment().watchdog_interval().has_value());

  // A child that inherited its parent's watchdog must not ping on its behalf.
  ::setenv("WATCHDOG_PID", std::to_string(::getppid()).c_str(), 1);
  CHECK_FALSE(Notifier::FromEnvironment().watchdog_interval().has_value());

  ::unsetenv("WATCHDOG_PID");
  ::setenv("WATCHDOG_USEC", "0", 1);
  CHECK_FALSE(Notifier::FromEnvironment().watchdog_interval().has_value());
  ::setenv("WATCHDOG_USEC", "12abc", 1);
  CHECK_FALSE(Notifier::FromEnvironment().watchdog_interval().has_value());
  ::unsetenv("WATCHDOG_USEC");
}

}  // namespace
}  // namespace seqgate
