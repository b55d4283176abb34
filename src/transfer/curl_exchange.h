// What every HTTPS exchange of the gateway shares, whichever protocol speaks through it (the tus
// client in http_client, the S3 transport): the trust policy and transport limits set on a curl
// handle, and how the peer's answer is collected. One place, so the two cannot drift apart:
// peer and host verification always on (there is no switch), TLS ≥ 1.2, https only, HTTP/1.1,
// no redirects, proxies only as CONNECT tunnels, and an answer a hostile peer cannot grow.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "transfer/http_client.h"  // HttpResponse
#include "transfer/tls_config.h"

namespace seqgate::transfer {

struct CurlPolicy {
  const TlsConfig* tls = nullptr;  // client certificate (none when empty), key, CA, pin, proxy
  std::string_view user_agent;
  std::chrono::seconds connect_timeout{20};
  uint64_t low_speed_limit = 1024;  // bytes/s; below it for low_speed_time → the exchange fails
  std::chrono::seconds low_speed_time{60};
};

// Where curl's callbacks put the answer; must outlive the exchange.
struct AnswerSink {
  HttpResponse* response = nullptr;  // headers lower-cased, at most 200; body at most 1 MiB
  const std::atomic<bool>* cancelled = nullptr;  // once true, the exchange ends
};

// Sets `policy` and the answer callbacks on `c` (freshly reset). `errbuf` holds
// CURL_ERROR_SIZE bytes and, like `sink`, must outlive the exchange.
void ApplyCurlPolicy(CURL* c, const CurlPolicy& policy, AnswerSink* sink, char* errbuf);

// ASCII lower case (header names).
std::string AsciiLower(std::string_view s);

}  // namespace seqgate::transfer
