// One HTTP/1.1 exchange at a time over mutual TLS, with the transport policy every seqgate
// request shares: verification always on, TLS ≥ 1.2, connect timeout, stall watchdog, send
// rate cap, proxy. HTTP error statuses are answers, not failures: only transport problems
// (connect, reset, timeout, TLS) come back as a failed Result, classified by error_class.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/env.h"
#include "common/status.h"
#include "transfer/bandwidth_limiter.h"
#include "transfer/tls_config.h"
#include "transfer/transfer_loop.h"

namespace seqgate::transfer {

struct TransportOptions {
  TlsConfig tls;
  std::chrono::seconds connect_timeout{20};
  // Stall watchdog: a transfer slower than low_speed_limit bytes/s for low_speed_time fails
  // with kTimeout (then it is retried like any transient failure).
  uint64_t low_speed_limit = 1024;
  std::chrono::seconds low_speed_time{60};
  std::string user_agent = "seqgate/0.1";
};

struct HttpRequest {
  std::string method;  // OPTIONS, HEAD, POST, PATCH, GET, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  ByteView body;                     // streamed to curl from this memory; must outlive Perform
  uint64_t max_send_bps = 0;         // 0 = unlimited (this request alone)
  // Body bytes are drawn from this bucket, shared with every other request using it; nullptr =
  // none. Independent of max_send_bps (both apply when both are set).
  BandwidthLimiter* limiter = nullptr;
  // Or the body is `body_size` bytes of this file from `body_offset`, read as curl sends them
  // (must outlive Perform); `body` is then unused. A read that fails or ends early fails the
  // exchange with the read's status (kSourceChanged for a file that ends early).
  const RandomAccessFile* body_file = nullptr;
  uint64_t body_offset = 0, body_size = 0;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;         // at most 1 MiB is kept (receipts, error reasons)
  uint64_t bytes_sent = 0;  // request body bytes curl handed to the socket
  // From handing curl the last body byte to the end of the exchange: the server's time to
  // answer (fsync, checksum) plus one round trip. Zero without a body.
  std::chrono::steady_clock::duration after_body{};

  // The value of the last header named `name` (case-insensitive), if present.
  std::optional<std::string_view> Header(std::string_view name) const;
};

// A refusal (an answer the caller did not want) as a Status classified by its HTTP status
// (error_class.h): `what` and, when the body is short, the server's reason from it — with
// control characters replaced, so a hostile body cannot forge lines in a log.
Status RefusalStatus(const HttpResponse& r, std::string_view what);

class HttpClient {
 public:
  // `loop` runs the transfers (shared by every upload); nullptr = curl_easy_perform here.
  HttpClient(TransportOptions options, TransferLoop* loop);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one exchange. A response with any status is a success here.
  Result<HttpResponse> Perform(const HttpRequest& request);

  // Makes an in-flight or future Perform fail with kAborted (shutdown), an in-flight one
  // within about a millisecond even when it is paused or waiting on the network. Thread-safe.
  void Cancel();

 private:
  TransportOptions options_;
  TransferLoop* loop_;
  void* easy_;  // CURL*; kept across requests so the connection is reused
  std::atomic<bool> cancelled_{false};
};

}  // namespace seqgate::transfer
