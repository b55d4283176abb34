#include "transfer/curl_exchange.h"

#include <algorithm>

namespace seqgate::transfer {
namespace {

constexpr size_t kMaxBody = 1u << 20;  // receipts and error reasons; more is dropped
constexpr size_t kMaxHeaders = 200;

size_t CollectBody(char* data, size_t size, size_t nmemb, void* userp) {
  std::string& body = static_cast<AnswerSink*>(userp)->response->body;
  const size_t n = size * nmemb;
  body.append(data, std::min(n, kMaxBody - std::min(kMaxBody, body.size())));
  return n;
}

size_t CollectHeader(char* data, size_t size, size_t nitems, void* userp) {
  HttpResponse& r = *static_cast<AnswerSink*>(userp)->response;
  const size_t n = size * nitems;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    r.headers.clear();  // a new response (after 100 Continue or a proxy's 200)
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  if (r.headers.size() < kMaxHeaders) {  // a hostile peer cannot grow this without bound
    r.headers.emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
  }
  return n;
}

int CheckCancelled(void* userp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<AnswerSink*>(userp)->cancelled->load() ? 1 : 0;
}

}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

void ApplyCurlPolicy(CURL* c, const CurlPolicy& p, AnswerSink* sink, char* errbuf) {
  const TlsConfig& tls = *p.tls;
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  const std::string agent(p.user_agent);  // curl copies string options
  curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
  // Trust: always verify the peer and its name. There is intentionally no way to relax this.
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!tls.client_cert.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, tls.client_cert.c_str());
    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(c, CURLOPT_SSLKEY, tls.client_key.c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (!tls.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.pinned_public_key.empty()) {
    curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, tls.pinned_public_key.c_str());
  }
  // A configured proxy wins; otherwise curl reads https_proxy/no_proxy itself. The proxy only
  // sees a CONNECT tunnel: TLS (and a client certificate) run end to end inside it.
  if (!tls.proxy.empty()) curl_easy_setopt(c, CURLOPT_PROXY, tls.proxy.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(p.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(p.low_speed_limit));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(p.low_speed_time.count()));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &CheckCancelled);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &CollectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, sink);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
  // Large send buffer: fewer syscalls and callbacks at hundreds of MB/s.
  curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
}

}  // namespace seqgate::transfer
