// The client side of the control socket, for seqgatectl: connect, send a command, read its answer.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace seqgate::control {

// $SEQGATE_CONTROL_SOCKET when set and not empty, else /run/seqgate/seqgated.sock.
std::string DefaultSocketPath();

// One connection to seqgated's control socket; requests on it are answered in order.
class ControlClient {
 public:
  // Connects to `path`. No socket file, or nobody listening on it, is kUnavailable with the
  // message "seqgated is not running (...)"; `timeout` bounds each later Call().
  static Result<ControlClient> Connect(
      const std::string& path, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  ControlClient(ControlClient&& other) noexcept;
  ControlClient& operator=(ControlClient&& other) noexcept;
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;
  ~ControlClient();

  // Sends {"cmd":cmd,"arg":arg} and returns the daemon's result, or its error as a Status
  // (kTimeout if no answer in time, kUnavailable if the daemon closed the connection). After a
  // timeout or a transport failure the connection is closed and every later Call fails.
  Result<nlohmann::json> Call(std::string_view cmd, std::string_view arg = {});

  const std::string& path() const { return path_; }

 private:
  ControlClient(int fd, std::string path, std::chrono::milliseconds timeout)
      : fd_(fd), path_(std::move(path)), timeout_(timeout) {}

  // Closes the connection after a transport failure and returns `why`.
  Status Broken(Status why);

  int fd_ = -1;
  std::string path_;
  std::chrono::milliseconds timeout_;
  std::string buffer_;  // bytes read past the last answer
};

}  // namespace seqgate::control
