// The service manager's notification protocol (sd_notify(3)) without libsystemd: one datagram
// of "KEY=value" lines to $NOTIFY_SOCKET. systemd documents the protocol as stable and
// recommends reimplementing it rather than linking libsystemd just for this.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace seqgate {

class Notifier {
 public:
  // Reads NOTIFY_SOCKET (a filesystem path, or '@' for an abstract socket) and, for the
  // watchdog, WATCHDOG_USEC/WATCHDOG_PID. Inactive when NOTIFY_SOCKET is unset or empty, in
  // which case every call below is a successful no-op. The environment is left as it is.
  static Notifier FromEnvironment();

  Notifier(Notifier&& other) noexcept;
  Notifier& operator=(Notifier&& other) noexcept;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  ~Notifier();

  // True when a service manager asked for notifications (NOTIFY_SOCKET was set).
  bool active() const { return active_; }

  // READY=1: start-up finished; systemd then considers the unit started.
  Status Ready();
  // RELOADING=1 with MONOTONIC_USEC= (required by Type=notify-reload); send Ready() when done.
  Status Reloading();
  // STOPPING=1: shutdown has begun, so systemd does not take the stop for a crash.
  Status Stopping();
  // WATCHDOG=1: the keep-alive ping; send it at half of watchdog_interval().
  Status Watchdog();
  // EXTEND_TIMEOUT_USEC=: asks for more time during a long start, reload or stop.
  Status ExtendTimeout(std::chrono::microseconds extra);
  // STATUS=<one_line> as shown by `systemctl status`; newlines become spaces.
  Status SetStatus(std::string_view one_line);
  // Sends raw newline-separated assignments ("A=1\nB=2") as one datagram.
  Status Send(std::string_view assignments);

  // WATCHDOG_USEC when the notifier is active, it is positive and WATCHDOG_PID is unset or
  // names this process; nullopt otherwise. The caller pings at half of it.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

 private:
  Notifier() = default;

  bool active_ = false;
  int fd_ = -1;
  sockaddr_un addr_{};
  socklen_t addr_len_ = 0;
  std::string address_error_;  // why NOTIFY_SOCKET cannot be used, reported by Send
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace seqgate
