// seqgated's control socket: a Unix stream socket that answers one JSON request per line (see
// control_protocol.h) for seqgatectl. Only the daemon's own uid and root may use it.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "control/control_target.h"

namespace seqgate::control {

struct ControlServerOptions {
  std::string socket_path;        // e.g. /run/seqgate/seqgated.sock; its directory must exist
  mode_t mode = 0660;             // the socket file's permissions (group: operators)
  uid_t owner_uid = ::geteuid();  // peers with this uid (and root) are served; others refused
  size_t max_clients = 16;        // connections beyond this get an error line and are closed
};

// True when a peer with `peer_uid` may use a socket owned by `owner_uid` (same uid, or root).
bool PeerAllowed(uid_t peer_uid, uid_t owner_uid);

// Serves the control socket on its own threads (one accepting, one per client) until Stop().
class ControlServer {
 public:
  ControlServer(ControlTarget& target, ControlServerOptions options);
  ~ControlServer();  // Stop()
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the socket and starts serving. A stale socket file (nothing listening) is replaced;
  // a live one is kUnavailable, anything else at the path kInvalidArgument.
  Status Start();

  // Closes every connection, joins all threads and removes the socket file (if it is still
  // the one Start() created). Idempotent.
  void Stop();

  const std::string& socket_path() const { return options_.socket_path; }

 private:
  struct Connection;
  void AcceptLoop();
  void Serve(Connection& conn);
  void ReapFinished();

  ControlTarget& target_;
  ControlServerOptions options_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: readable once Stop() begins; every thread polls it
  dev_t socket_dev_ = 0;
  ino_t socket_ino_ = 0;
  std::thread accept_thread_;
  std::mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_;  // guarded by mu_
};

}  // namespace seqgate::control
