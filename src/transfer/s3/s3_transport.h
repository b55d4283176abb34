// One S3 HTTP/1.1 exchange at a time over TLS, on libcurl, with the transport policy of
// transfer/http_client.h (verification always on, TLS ≥ 1.2, connect timeout, stall watchdog,
// HTTP/1.1 because parallel parts want separate congestion windows) but two differences the S3
// path needs: the client certificate is optional (an SDA inbox authenticates by token, not
// mTLS), and a request body can stream from an ObjectSource range, so a part of hundreds of MiB
// never sits in memory. Error statuses are answers; only transport failures are failed Results.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transfer/bandwidth_limiter.h"
#include "transfer/http_client.h"  // HttpResponse
#include "transfer/s3/object_source.h"

namespace seqgate::transfer::s3 {

struct S3TransportOptions {
  std::string ca_file;      // PEM bundle that verifies the endpoint; empty = system store
  std::string client_cert;  // optional PEM client certificate (mutual TLS endpoints)
  std::string client_key;   // its key, required with client_cert (mode 0600 or stricter)
  std::string proxy;        // CONNECT proxy; empty = curl's https_proxy/no_proxy rules
  std::chrono::seconds connect_timeout{20};
  uint64_t low_speed_limit = 1024;  // bytes/s; below it for low_speed_time → kTimeout
  std::chrono::seconds low_speed_time{60};
  std::string user_agent = "seqgate/0.1";
  // The bandwidth cap shared with every other upload of the process (not owned; null =
  // unlimited). Part bodies draw their bytes from it as they are sent.
  BandwidthLimiter* limiter = nullptr;

  // Files exist, the key's permissions are strict. kInvalidArgument/kPermissionDenied.
  Status Validate() const;
};

struct S3Request {
  std::string method;                    // GET, HEAD, PUT, POST, DELETE
  std::string url;                       // https://host[:port]/target
  std::vector<std::string> headers;      // "Name: value"; secrets allowed (never logged here)
  std::string_view body;                 // a small in-memory body (XML), or
  const ObjectSource* source = nullptr;  // a body streamed from source[offset, offset+length)
  uint64_t offset = 0;
  uint64_t length = 0;
};

class S3Transport {
 public:
  explicit S3Transport(S3TransportOptions options);
  ~S3Transport();
  S3Transport(const S3Transport&) = delete;
  S3Transport& operator=(const S3Transport&) = delete;

  // Performs one exchange; any HTTP status is a success here. A body the source fails to read
  // returns the source's status.
  Result<HttpResponse> Perform(const S3Request& request);

  // Makes an in-flight or future Perform fail with kAborted. Thread-safe.
  void Cancel() { cancelled_ = true; }

  // Body bytes the last Perform handed to the socket, also when it failed mid-body.
  uint64_t last_bytes_sent() const { return last_bytes_sent_; }

 private:
  S3TransportOptions options_;
  void* easy_;  // CURL*, kept so the connection is reused
  std::vector<uint8_t> buffer_;
  std::atomic<bool> cancelled_{false};
  uint64_t last_bytes_sent_ = 0;
};

}  // namespace seqgate::transfer::s3
