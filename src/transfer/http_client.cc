#include "transfer/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "common/error_class.h"

namespace seqgate::transfer {
namespace {

constexpr size_t kMaxBody = 1u << 20;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// State the C callbacks see. Callbacks never throw: they only copy bytes and flags.
struct Exchange {
  ByteView body;
  size_t sent = 0;
  HttpResponse* response = nullptr;
  const std::atomic<bool>* cancelled = nullptr;
  CURL* easy = nullptr;
  TransferLoop* loop = nullptr;
  BandwidthLimiter* limiter = nullptr;
  std::chrono::steady_clock::time_point body_done{};
};

size_t ReadBody(char* buf, size_t size, size_t nitems, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  if (ex->cancelled->load()) return CURL_READFUNC_ABORT;
  size_t n = std::min(size * nitems, ex->body.size() - ex->sent);
  if (ex->limiter != nullptr && n > 0) {
    while ((n = static_cast<size_t>(ex->limiter->Acquire(n))) == 0) {
      if (ex->loop != nullptr) {
        // Never block the loop thread (it moves every other upload's bytes): pause this
        // transfer and let the loop resume it when the bucket refills.
        ex->loop->ResumeWhenTokens(ex->easy, ex->limiter);
        return CURL_READFUNC_PAUSE;
      }
      // curl_easy_perform on the caller's own thread: waiting here blocks nobody else.
      std::this_thread::sleep_for(ex->limiter->WaitTime());
      if (ex->cancelled->load()) return CURL_READFUNC_ABORT;
      n = std::min(size * nitems, ex->body.size() - ex->sent);
    }
  }
  std::memcpy(buf, ex->body.data() + ex->sent, n);
  ex->sent += n;
  if (ex->sent == ex->body.size() && n > 0) ex->body_done = std::chrono::steady_clock::now();
  return n;
}

// curl rewinds the body when it must resend it (e.g. a reused connection turned out dead).
int SeekBody(void* userp, curl_off_t offset, int origin) {
  auto* ex = static_cast<Exchange*>(userp);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > ex->body.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  ex->sent = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  const size_t n = size * nmemb;
  std::string& body = ex->response->body;
  body.append(data, std::min(n, kMaxBody - std::min(kMaxBody, body.size())));
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nitems, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  const size_t n = size * nitems;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    ex->response->headers.clear();  // a new response (after 100 Continue or a proxy's 200)
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  ex->response->headers.emplace_back(Lower(line.substr(0, colon)), std::string(value));
  return n;
}

int OnProgress(void* userp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Exchange*>(userp)->cancelled->load() ? 1 : 0;
}

}  // namespace

std::optional<std::string_view> HttpResponse::Header(std::string_view name) const {
  const std::string key = Lower(name);
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->first == key) return it->second;
  }
  return std::nullopt;
}

HttpClient::HttpClient(TransportOptions options, TransferLoop* loop)
    : options_(std::move(options)), loop_(loop), easy_(curl_easy_init()) {}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(easy_)); }

void HttpClient::Cancel() {
  cancelled_ = true;
  if (loop_ != nullptr) loop_->Wakeup();
}

Result<HttpResponse> HttpClient::Perform(const HttpRequest& req) {
  if (cancelled_) return Status(StatusCode::kAborted, "upload cancelled");
  CURL* c = static_cast<CURL*>(easy_);
  if (c == nullptr) return Internal("curl_easy_init failed");
  curl_easy_reset(c);  // keeps the connection cache, forgets the previous request's options

  HttpResponse response;
  Exchange ex{req.body, 0, &response, &cancelled_, c, loop_, req.limiter};
  char errbuf[CURL_ERROR_SIZE] = {0};
  const TlsConfig& tls = options_.tls;

  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  // Trust: always verify the peer and its name. There is intentionally no way to relax this.
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt(c, CURLOPT_SSLCERT, tls.client_cert.c_str());
  curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt(c, CURLOPT_SSLKEY, tls.client_key.c_str());
  curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  if (!tls.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.pinned_public_key.empty()) {
    curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, tls.pinned_public_key.c_str());
  }
  // A configured proxy wins; otherwise curl reads https_proxy/no_proxy itself. The proxy only
  // sees a CONNECT tunnel: TLS (and the client certificate) run end to end inside it.
  if (!tls.proxy.empty()) curl_easy_setopt(c, CURLOPT_PROXY, tls.proxy.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_limit));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &ex);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ex);
  // Large send buffer: fewer syscalls and callbacks at hundreds of MB/s.
  curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
  if (req.max_send_bps > 0) {
    curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE, static_cast<curl_off_t>(req.max_send_bps));
  }

  curl_slist* headers = nullptr;
  for (const auto& h : req.headers) headers = curl_slist_append(headers, h.c_str());
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "PATCH" || req.method == "POST") {
    // UPLOAD + a custom verb streams the body through the read callback with a known length.
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &ex);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, &SeekBody);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &ex);
    // "Expect: 100-continue" costs a round trip per PATCH for nothing: our bodies are wanted.
    headers = curl_slist_append(headers, "Expect:");
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = loop_ != nullptr ? loop_->Run(c, &cancelled_) : curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  response.bytes_sent = ex.sent;
  if (ex.body_done != std::chrono::steady_clock::time_point{}) {
    response.after_body = std::chrono::steady_clock::now() - ex.body_done;
  }
  if (cancelled_) return Status(StatusCode::kAborted, "upload cancelled");
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] != 0 ? errbuf : curl_easy_strerror(rc);
    return CurlError(rc, req.method + " " + req.url + ": " + detail);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace seqgate::transfer
