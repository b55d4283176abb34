// Internal to the network front (server.cc, https_session.cc, metrics_http.cc, tls_context.cc):
// what the listeners and sessions share. Includes Asio (not Beast); keep it out of anything
// else.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/status.h"
#include "ingest/config.h"
#include "ingest/http_types.h"
#include "ingest/metrics.h"
#include "ingest/tus_service.h"
#include "ingest/upload_locks.h"

namespace seqgate::ingest {

// Open connections, so shutdown can reach each one. Thread-safe.
class ConnectionSet {
 public:
  // Registers a stopper; returns its handle for Remove.
  uint64_t Add(std::function<void()> stop);
  void Remove(uint64_t handle);
  size_t size();
  // Calls every stopper (each must post to its own strand and return at once).
  void StopAll();

 private:
  std::mutex mu_;
  std::map<uint64_t, std::function<void()>> stops_;
  uint64_t next_ = 1;
};

// Connections per remote address whose TLS handshake has not completed yet.
class HandshakeCounter {
 public:
  // Counts one more for `address` and returns true, or returns false (nothing counted) when it
  // already has `max`.
  bool TryEnter(const std::string& address, uint32_t max);
  // Ends one counted by TryEnter.
  void Leave(const std::string& address);

 private:
  std::mutex mu_;
  std::map<std::string, uint32_t> open_;
};

struct ServerShared {
  ServerShared(const IngestConfig& c, TusService& t, Metrics& m) : config(c), tus(t), metrics(m) {}
  const IngestConfig& config;
  TusService& tus;
  Metrics& metrics;
  UploadLocks locks;
  ConnectionSet connections;
  HandshakeCounter handshakes;
  std::atomic<bool> stopping{false};
};

// Builds the TLS server context: TLS ≥ 1.2 (or 1.3 only), AEAD ciphers with forward secrecy,
// client certificate required and verified against the client CA (and CRL when configured).
Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsConfig& tls);

// The site a verified client certificate speaks for, or kPermissionDenied with the reason.
Result<Peer> IdentifyPeer(SSL* ssl, const IngestConfig& config);

// Resolves a configured listen address into an endpoint (numeric or a local host name).
Result<boost::asio::ip::tcp::endpoint> ResolveListen(boost::asio::io_context& ioc,
                                                     const HostPort& hp);

// Starts serving one accepted TLS connection; the session keeps `tls` alive while it runs.
void StartHttpsSession(boost::asio::ip::tcp::socket socket,
                       std::shared_ptr<boost::asio::ssl::context> tls, ServerShared& shared);

// Starts serving one accepted connection on the metrics/health listener.
void StartMetricsSession(boost::asio::ip::tcp::socket socket, ServerShared& shared);

}  // namespace seqgate::ingest
