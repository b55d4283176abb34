#include "control/control_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <doctest/doctest.h>

#include "control/control_client.h"
#include "control/control_protocol.h"
#include "support/temp_dir.h"
#include "unit/control/fake_target.h"
#include "unit/control/raw_socket.h"

namespace seqgate::control {
namespace {

using nlohmann::json;
using testing::FakeTarget;
using testing::RawSocket;
using testing::TempDir;

struct Served {
  TempDir dir;
  FakeTarget target;
  std::string path = dir.File("control.sock");
  ControlServer server{target, ControlServerOptions{path}};
  Served() { REQUIRE(server.Start().ok()); }
};

ControlClient MustConnect(const std::string& path) {
  auto c = ControlClient::Connect(path);
  REQUIRE(c.ok());
  return std::move(c).value();
}

// Leaves a socket file nobody listens on, as a daemon killed with SIGKILL does.
void MakeStaleSocket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::close(fd);
}

TEST_CASE("control server: each command round-trips through the socket") {
  Served s;
  ControlClient c = MustConnect(s.path);
  auto status = c.Call("status");
  REQUIRE(status.ok());
  CHECK((*status)["runs"]["active"] == 1);
  CHECK((*status)["paused"] == false);
  auto runs = c.Call("runs");
  REQUIRE(runs.ok());
  CHECK((*runs)["runs"][1]["name"] == "RUN_B");
  auto files = c.Call("files", "RUN_A");
  REQUIRE(files.ok());
  CHECK((*files)["files"][0]["path"] == "Data/a.fastq");
  auto missing = c.Call("files", "NOPE");
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() == "no run 'NOPE'");
  auto retry = c.Call("retry", "4");
  REQUIRE(retry.ok());
  CHECK((*retry)["message"] == "retrying failed files of 4");
  REQUIRE(c.Call("pause").ok());
  CHECK((*c.Call("status"))["paused"] == true);
  CHECK(c.Call("pause").status().message() == "already paused");
  REQUIRE(c.Call("resume").ok());
  CHECK_FALSE(s.target.paused());
  auto marked = c.Call("mark-complete", "/data/RUN_C");
  REQUIRE(marked.ok());
  CHECK((*marked)["message"] == "marked /data/RUN_C complete");
  CHECK(c.Call("mark-complete", "relative").status().code() == StatusCode::kInvalidArgument);
  CHECK(s.target.retried() == std::vector<std::string>{"4"});
}

TEST_CASE("control server: the socket is created with mode 0660") {
  Served s;
  struct stat st {};
  REQUIRE(::stat(s.path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0660);
}

TEST_CASE("control server: bad requests are answered and the connection keeps working") {
  Served s;
  RawSocket raw = RawSocket::Unix(s.path);
  auto expect_error = [&](const std::string& contains) {
    json r = json::parse(raw.ReadLine());
    CHECK(r["ok"] == false);
    CHECK(r["error"].get<std::string>().find(contains) != std::string::npos);
  };
  REQUIRE(raw.Send("this is not json\n"));
  expect_error("not valid JSON");
  REQUIRE(raw.Send("{\"cmd\":\"format-disk\"}\r\n"));
  expect_error("unknown command 'format-disk'");
  REQUIRE(raw.Send("\n  \n{\"cmd\":\"files\"}\n"));  // blank lines are skipped
  expect_error("files needs \"arg\"");
  // Oversized in one piece, then oversized across many sends without a newline until the end.
  REQUIRE(raw.Send(std::string(kMaxRequestBytes + 10, 'x') + "\n"));
  expect_error("request longer than 65536 bytes");
  for (int i = 0; i < 20; ++i) REQUIRE(raw.Send(std::string(16 * 1024, '{')));
  REQUIRE(raw.Send("}\n{\"cmd\":\"runs\"}\n"));
  expect_error("request longer than 65536 bytes");
  json runs = json::parse(raw.ReadLine());
  CHECK(runs["ok"] == true);
  CHECK(runs["result"]["runs"].size() == 2);
  // A request exactly at the limit is still read.
  std::string padded = R"({"cmd":"status","pad":")";
  padded += std::string(kMaxRequestBytes - padded.size() - 2, 'p') + "\"}";
  REQUIRE(padded.size() == kMaxRequestBytes);
  REQUIRE(raw.Send(padded + "\n"));
  CHECK(json::parse(raw.ReadLine())["ok"] == true);
}

TEST_CASE("control server: a last request without a newline is answered before the close") {
  Served s;
  RawSocket raw = RawSocket::Unix(s.path);
  REQUIRE(raw.Send("{\"cmd\":\"status\"}\n{\"cmd\":\"runs\"}"));
  raw.ShutdownWrite();
  CHECK(json::parse(raw.ReadLine())["result"]["version"] == "0.1.0");
  CHECK(json::parse(raw.ReadLine())["result"]["runs"].size() == 2);
  CHECK(raw.ReadLine() == "<eof>");
}

TEST_CASE("control server: clients are served at the same time") {
  Served s;
  ControlClient watcher = MustConnect(s.path);
  ControlClient other = MustConnect(s.path);
  s.target.CloseGate();
  auto held = std::async(std::launch::async, [&] { return watcher.Call("status"); });
  s.target.WaitForStatusCalls(1);
  // The first client's request is still inside the target; the second is answered anyway.
  auto runs = other.Call("runs");
  REQUIRE(runs.ok());
  CHECK((*runs)["runs"].size() == 2);
  s.target.OpenGate();
  auto status = held.get();
  REQUIRE(status.ok());
  CHECK((*status)["version"] == "0.1.0");
  CHECK(watcher.Call("status").ok());  // the watcher's connection stays open for polling
}

TEST_CASE("control server: connections past max_clients are refused with a reason") {
  TempDir dir;
  FakeTarget target;
  ControlServerOptions o{dir.File("c.sock")};
  o.max_clients = 1;
  ControlServer server(target, o);
  REQUIRE(server.Start().ok());
  ControlClient first = MustConnect(o.socket_path);
  REQUIRE(first.Call("status").ok());  // now surely accepted and counted
  ControlClient second = MustConnect(o.socket_path);
  auto refused = second.Call("status");
  CHECK(refused.status().code() == StatusCode::kResourceExhausted);
  CHECK(refused.status().message().find("too many control connections") != std::string::npos);
  CHECK(first.Call("runs").ok());
}

TEST_CASE("control server: a stale socket file is replaced, a live one is not") {
  TempDir dir;
  FakeTarget target;
  const std::string path = dir.File("control.sock");
  MakeStaleSocket(path);
  ControlServer server(target, ControlServerOptions{path});
  REQUIRE(server.Start().ok());
  CHECK(MustConnect(path).Call("status").ok());

  ControlServer second(target, ControlServerOptions{path});
  Status st = second.Start();
  CHECK(st.code() == StatusCode::kUnavailable);
  CHECK(st.message().find("is listening on") != std::string::npos);
  CHECK(MustConnect(path).Call("status").ok());  // the first server is untouched
}

TEST_CASE("control server: something that is not a socket is never replaced") {
  TempDir dir;
  FakeTarget target;
  const std::string path = dir.Write("control.sock", "precious");
  ControlServer server(target, ControlServerOptions{path});
  Status st = server.Start();
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message().find("is not a socket") != std::string::npos);
  std::ifstream f(path);
  std::string content;
  f >> content;
  CHECK(content == "precious");

  ControlServer too_long(target, ControlServerOptions{dir.File(std::string(120, 'x'))});
  CHECK(too_long.Start().code() == StatusCode::kInvalidArgument);
  ControlServer no_dir(target, ControlServerOptions{dir.File("missing/control.sock")});
  CHECK_FALSE(no_dir.Start().ok());
}

TEST_CASE("control server: Stop closes connections and removes the socket") {
  TempDir dir;
  FakeTarget target;
  const std::string path = dir.File("control.sock");
  auto server = std::make_unique<ControlServer>(target, ControlServerOptions{path});
  REQUIRE(server->Start().ok());
  ControlClient idle = MustConnect(path);
  REQUIRE(idle.Call("status").ok());
  RawSocket half = RawSocket::Unix(path);
  REQUIRE(half.Send("{\"cmd\":\"sta"));  // a request in progress does not hold Stop up
  server->Stop();
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(half.ReadLine() == "<eof>");
  CHECK(idle.Call("status").status().code() == StatusCode::kUnavailable);
  server->Stop();  // idempotent
  server.reset();

  auto gone = ControlClient::Connect(path);
  CHECK(gone.status().code() == StatusCode::kUnavailable);
  CHECK(gone.status().message() == "seqgated is not running (no control socket at " + path + ")");
}

TEST_CASE("control server: Stop leaves a socket that another server has since created") {
  TempDir dir;
  FakeTarget target;
  const std::string path = dir.File("control.sock");
  ControlServer old_server(target, ControlServerOptions{path});
  REQUIRE(old_server.Start().ok());
  std::filesystem::remove(path);
  ControlServer new_server(target, ControlServerOptions{path});
  REQUIRE(new_server.Start().ok());
  old_server.Stop();
  CHECK(MustConnect(path).Call("status").ok());
}

TEST_CASE("control client: a socket file nobody listens on means the daemon is not running") {
  TempDir dir;
  const std::string path = dir.File("control.sock");
  MakeStaleSocket(path);
  auto c = ControlClient::Connect(path);
  CHECK(c.status().code() == StatusCode::kUnavailable);
  CHECK(c.status().message() == "seqgated is not running (nothing listens on " + path + ")");
}

TEST_CASE("control client: the default socket path follows SEQGATE_CONTROL_SOCKET") {
  ::setenv("SEQGATE_CONTROL_SOCKET", "/tmp/x.sock", 1);
  CHECK(DefaultSocketPath() == "/tmp/x.sock");
  ::setenv("SEQGATE_CONTROL_SOCKET", "", 1);
  CHECK(DefaultSocketPath() == "/run/seqgate/seqgated.sock");
  ::unsetenv("SEQGATE_CONTROL_SOCKET");
  CHECK(DefaultSocketPath() == "/run/seqgate/seqgated.sock");
}

TEST_CASE("control server: peers other than the daemon's uid and root are refused") {
  CHECK(PeerAllowed(1000, 1000));
  CHECK(PeerAllowed(0, 1000));
  CHECK_FALSE(PeerAllowed(1001, 1000));
  CHECK_FALSE(PeerAllowed(65534, 0));

  TempDir dir;
  FakeTarget target;
  ControlServerOptions o{dir.File("control.sock")};
  std::string answer;
  if (::geteuid() != 0) {
    // We are the peer: pretend the daemon runs as somebody else.
    o.owner_uid = ::geteuid() + 1;
    ControlServer server(target, o);
    REQUIRE(server.Start().ok());
    RawSocket raw = RawSocket::Unix(o.socket_path);
    raw.Send("{\"cmd\":\"status\"}\n");
    answer = raw.ReadLine();
    CHECK(raw.ReadLine() == "<eof>");
  } else {
    // We are root and the daemon: a child that drops to nobody (keeping group root, which the
    // 0660 socket lets in) is the peer.
    REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
    ControlServer server(target, o);
    REQUIRE(server.Start().ok());
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      if (::setuid(65534) != 0) ::_exit(3);
      int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::memcpy(addr.sun_path, o.socket_path.data(), o.socket_path.size());
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ::_exit(4);
      char buf[512];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        if (::write(fds[1], buf, static_cast<size_t>(n)) != n) ::_exit(5);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
      answer.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int wstatus = 0;
    REQUIRE(::waitpid(pid, &wstatus, 0) == pid);
    REQUIRE(WIFEXITED(wstatus));
    REQUIRE(WEXITSTATUS(wstatus) == 0);
    REQUIRE(!answer.empty());
    answer.pop_back();  // the newline
  }
  json r = json::parse(answer);
  CHECK(r["ok"] == false);
  CHECK(r["code"] == "permission denied");
  CHECK(r["error"].get<std::string>().find("may not use this control socket") != std::string::npos);
  CHECK(target.metrics_calls() == 0);
}

}  // namespace
}  // namespace seqgate::control
