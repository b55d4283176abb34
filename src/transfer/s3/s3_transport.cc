#include "transfer/s3/s3_transport.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/error_class.h"
#include "transfer/curl_exchange.h"
#include "transfer/tls_config.h"

namespace seqgate::transfer::s3 {
namespace {

constexpr size_t kReadChunk = 1u << 20;

// What the C callbacks see. They never throw.
struct Exchange {
  const S3Request* req = nullptr;
  std::vector<uint8_t>* buf = nullptr;
  uint64_t pos = 0;        // body bytes handed to curl
  uint64_t buf_start = 0;  // body offset of buf[0]
  size_t buf_len = 0;      // valid bytes in buf
  Status read_error;
  const std::atomic<bool>* cancelled = nullptr;
  BandwidthLimiter* limiter = nullptr;
};

// Up to `n` bytes' worth of the cap, waiting for tokens; 0 when cancelled meanwhile. Each part
// runs curl_easy_perform on its own thread, so waiting here holds back only that part.
size_t Throttle(Exchange& ex, size_t n) {
  if (ex.limiter == nullptr) return n;
  for (;;) {
    if (const uint64_t got = ex.limiter->Acquire(n); got > 0) return static_cast<size_t>(got);
    if (ex.cancelled->load()) return 0;
    const auto wait = std::min<BandwidthLimiter::Clock::duration>(ex.limiter->WaitTime(),
                                                                  std::chrono::milliseconds(100));
    std::this_thread::sleep_for(
        std::max<BandwidthLimiter::Clock::duration>(wait, std::chrono::milliseconds(1)));
  }
}

uint64_t BodySize(const S3Request& r) { return r.source != nullptr ? r.length : r.body.size(); }

size_t ReadBody(char* out, size_t size, size_t nitems, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  if (ex->cancelled->load()) return CURL_READFUNC_ABORT;
  const uint64_t total = BodySize(*ex->req);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(size * nitems, total - ex->pos));
  if (want == 0) return 0;
  if (ex->req->source == nullptr) {
    std::memcpy(out, ex->req->body.data() + ex->pos, want);
    ex->pos += want;
    return want;
  }
  if (ex->pos < ex->buf_start || ex->pos >= ex->buf_start + ex->buf_len) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kReadChunk, total - ex->pos));
    auto got =
        ex->req->source->ReadAt(ex->req->offset + ex->pos, MutableByteView(ex->buf->data(), n));
    if (!got.ok()) {
      ex->read_error = got.status();
      return CURL_READFUNC_ABORT;
    }
    if (*got != n) {
      ex->read_error = SourceChanged(ex->req->source->Describe() + " is shorter than announced");
      return CURL_READFUNC_ABORT;
    }
    ex->buf_start = ex->pos;
    ex->buf_len = n;
  }
  const size_t in_buf = static_cast<size_t>(ex->buf_start + ex->buf_len - ex->pos);
  const size_t n = Throttle(*ex, std::min(want, in_buf));
  if (n == 0) return CURL_READFUNC_ABORT;
  std::memcpy(out, ex->buf->data() + (ex->pos - ex->buf_start), n);
  ex->pos += n;
  return n;
}

int SeekBody(void* userp, curl_off_t offset, int origin) {
  auto* ex = static_cast<Exchange*>(userp);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > BodySize(*ex->req)) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  ex->pos = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

}  // namespace

Status S3TransportOptions::Validate() const {
  struct stat st {};
  if (!ca_file.empty() && ::stat(ca_file.c_str(), &st) != 0) {
    return ErrnoStatus(errno, "stat CA bundle", ca_file);
  }
  if (client_cert.empty() != client_key.empty()) {
    return InvalidArgument("a client certificate needs its key, and a key its certificate");
  }
  if (!client_cert.empty()) {
    if (::stat(client_cert.c_str(), &st) != 0) {
      return ErrnoStatus(errno, "stat client certificate", client_cert);
    }
    SEQGATE_RETURN_IF_ERROR(CheckPrivateKeyPermissions(client_key));
  }
  return Status::Ok();
}

S3Transport::S3Transport(S3TransportOptions options)
    : options_(std::move(options)), easy_(curl_easy_init()), buffer_(kReadChunk) {}

S3Transport::~S3Transport() { curl_easy_cleanup(static_cast<CURL*>(easy_)); }

Result<HttpResponse> S3Transport::Perform(const S3Request& req) {
  last_bytes_sent_ = 0;
  if (cancelled_) return Status(StatusCode::kAborted, "upload cancelled");
  CURL* c = static_cast<CURL*>(easy_);
  if (c == nullptr) return Internal("curl_easy_init failed");
  curl_easy_reset(c);

  HttpResponse response;
  Exchange ex;
  ex.req = &req;
  ex.buf = &buffer_;
  ex.cancelled = &cancelled_;
  ex.limiter = options_.limiter;
  char errbuf[CURL_ERROR_SIZE] = {0};

  // The S3 path's TLS settings in the shared form (no pin: inbox certificates rotate).
  const TlsConfig tls{options_.client_cert, options_.client_key, options_.ca_file, "",
                      options_.proxy};
  AnswerSink sink{&response, &cancelled_};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  ApplyCurlPolicy(c,
                  CurlPolicy{&tls, options_.user_agent, options_.connect_timeout,
                             options_.low_speed_limit, options_.low_speed_time},
                  &sink, errbuf);

  curl_slist* headers = nullptr;
  for (const auto& h : req.headers) headers = curl_slist_append(headers, h.c_str());
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "PUT" || req.method == "POST") {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(BodySize(req)));
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &ex);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, &SeekBody);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &ex);
    headers = curl_slist_append(headers, "Expect:");
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);  // held the token: freed now, never logged
  response.bytes_sent = ex.pos;
  last_bytes_sent_ = ex.pos;
  if (cancelled_) return Status(StatusCode::kAborted, "upload cancelled");
  if (!ex.read_error.ok()) return ex.read_error;
  if (rc != CURLE_OK) {
    const std::string detail = errbuf[0] != 0 ? errbuf : curl_easy_strerror(rc);
    return CurlError(rc, req.method + " " + req.url + ": " + detail);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace seqgate::transfer::s3
