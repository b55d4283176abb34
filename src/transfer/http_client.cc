#include "transfer/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "common/error_class.h"
#include "transfer/curl_exchange.h"

namespace seqgate::transfer {
namespace {

// State the C callbacks see. Callbacks never throw: they only copy bytes and flags.
struct Exchange {
  ByteView body;                            // the body in memory, or
  const RandomAccessFile* file = nullptr;   // ... in this file from file_offset
  uint64_t file_offset = 0;
  uint64_t total = 0;  // body bytes
  uint64_t sent = 0;
  const std::atomic<bool>* cancelled = nullptr;
  CURL* easy = nullptr;
  TransferLoop* loop = nullptr;
  BandwidthLimiter* limiter = nullptr;
  std::chrono::steady_clock::time_point body_done{};
  Status read_failure;  // why the body could not be read (file bodies)
};

size_t Remaining(const Exchange& ex, size_t room) {
  return static_cast<size_t>(std::min<uint64_t>(room, ex.total - ex.sent));
}

size_t ReadBody(char* buf, size_t size, size_t nitems, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  if (ex->cancelled->load()) return CURL_READFUNC_ABORT;
  size_t n = Remaining(*ex, size * nitems);
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
      n = Remaining(*ex, size * nitems);
    }
  }
  if (ex->file != nullptr) {
    auto got = ex->file->ReadAt(ex->file_offset + ex->sent,
                                {reinterpret_cast<uint8_t*>(buf), n});
    if (!got.ok() || *got != n) {
      ex->read_failure =
          !got.ok() ? got.status()
                    : SourceChanged("'" + ex->file->path() + "' ends at " +
                                    std::to_string(ex->file_offset + ex->sent + *got) +
                                    ", inside the body being sent");
      return CURL_READFUNC_ABORT;
    }
  } else {
    std::memcpy(buf, ex->body.data() + ex->sent, n);
  }
  ex->sent += n;
  if (ex->sent == ex->total && n > 0) ex->body_done = std::chrono::steady_clock::now();
  return n;
}

// curl rewinds the body when it must resend it (e.g. a reused connection turned out dead).
int SeekBody(void* userp, curl_off_t offset, int origin) {
  auto* ex = static_cast<Exchange*>(userp);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > ex->total) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  ex->sent = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

}  // namespace

std::optional<std::string_view> HttpResponse::Header(std::string_view name) const {
  const std::string key = AsciiLower(name);
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->first == key) return it->second;
  }
  return std::nullopt;
}

Status RefusalStatus(const HttpResponse& r, std::string_view what) {
  std::string reason(what);
  if (!r.body.empty() && r.body.size() < 300) {
    std::string body = r.body;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) {
      body.pop_back();
    }
    for (char& c : body) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    if (!body.empty()) reason += " (" + body + ")";
  }
  return HttpStatusError(r.status, reason);
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
  Exchange ex;
  ex.body = req.body;
  ex.file = req.body_file;
  ex.file_offset = req.body_offset;
  ex.total = req.body_file != nullptr ? req.body_size : req.body.size();
  ex.cancelled = &cancelled_;
  ex.easy = c;
  ex.loop = loop_;
  ex.limiter = req.limiter;
  char errbuf[CURL_ERROR_SIZE] = {0};
  AnswerSink sink{&response, &cancelled_};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  ApplyCurlPolicy(c,
                  CurlPolicy{&options_.tls, options_.user_agent, options_.connect_timeout,
                             options_.low_speed_limit, options_.low_speed_time},
                  &sink, errbuf);
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
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(ex.total));
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
  if (!ex.read_failure.ok()) {
    return ex.read_failure.WithContext(req.method + " " + req.url + ": reading the body");
  }
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
