// seqgated's observability listener: plain HTTP/1.1 on loopback, GET /metrics (Prometheus text
// from ControlTarget::Metrics()) and GET /healthz; everything else 404. One response per
// connection; requests are size- and time-bounded.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "control/control_target.h"

namespace seqgate::control {

struct MetricsServerOptions {
  std::string host = "127.0.0.1";   // an address or a name; must be loopback unless allowed below
  uint16_t port = 9465;             // seqgated's (ingest: 9464); 0 picks a free port
  bool allow_non_loopback = false;  // exposing metrics off the box is an explicit decision
  size_t max_request_bytes = 8 * 1024;  // request line + headers; no body is read
  std::chrono::seconds timeout{10};     // for a whole request and for writing its response
  size_t max_connections = 32;          // connections beyond this are closed at once
};

// Parses "HOST:PORT" ("127.0.0.1:9464", "localhost:9464", "[::1]:9464") into host and port.
Status ParseMetricsListen(std::string_view text, MetricsServerOptions* options);

// Serves /metrics and /healthz on its own thread until Stop().
class MetricsServer {
 public:
  MetricsServer(ControlTarget& target, MetricsServerOptions options);
  ~MetricsServer();  // Stop()
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and starts serving. A non-loopback address without allow_non_loopback, or one that
  // cannot be resolved, is kInvalidArgument; a port in use is kUnavailable.
  Status Start();

  // The bound port (useful with port 0); 0 before Start().
  uint16_t port() const;

  // Stops accepting, drops open connections and joins the thread. Idempotent.
  void Stop();

  struct Impl;  // opaque: Beast stays inside metrics_http.cc

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace seqgate::control
