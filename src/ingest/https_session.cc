// One mutual-TLS connection: handshake → identify the site → requests, each parsed head
// first so a body is streamed to its sink in 1 MiB pieces and never held whole.
//
// Every step runs on the connection's strand and has its own deadline (handshake, idle
// keep-alive, request head, each body buffer), which is what bounds slow or silent clients.
#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <vector>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/log.h"
#include "ingest/beast_request.h"
#include "ingest/net_parts.h"

namespace seqgate::ingest {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using beast::error_code;

constexpr size_t kBodyBuffer = 1 << 20;
constexpr size_t kIdleReadChunk = 16 * 1024;
// Most body bytes read and dropped to answer a refused request cleanly.
constexpr size_t kDrainLimit = 4 << 20;
constexpr int kLingerSeconds = 2;  // how long a refused client may go on sending its head

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool IsHttpParseError(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

class HttpsSession : public std::enable_shared_from_this<HttpsSession> {
 public:
  HttpsSession(tcp::socket&& socket, std::shared_ptr<ssl::context> tls, ServerShared& shared)
      : tls_(std::move(tls)),
        stream_(std::move(socket), *tls_),
        shared_(shared),
        limits_(shared.config.limits) {
    shared_.metrics.connections_open++;
  }

  ~HttpsSession() {
    LeaveHandshake();
    if (handle_ != 0) shared_.connections.Remove(handle_);
    shared_.metrics.connections_open--;
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpsSession::Start, shared_from_this()));
  }

 private:
  using Self = std::shared_ptr<HttpsSession>;

  template <typename F>
  void Post(F&& f) {
    net::post(stream_.get_executor(), std::forward<F>(f));
  }

  void Start() {
    shared_.metrics.connections_total++;
    std::weak_ptr<HttpsSession> weak = shared_from_this();
    handle_ = shared_.connections.Add([weak] {
      if (Self s = weak.lock()) s->Post([s] { s->OnStop(); });
    });
    error_code ec;
    auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) address_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    std::string ip = ec ? std::string() : remote.address().to_string();
    if (!shared_.handshakes.TryEnter(ip, limits_.max_handshakes_per_address)) {
      shared_.metrics.tls_handshake_failures_total++;
      Log(LogLevel::kInfo, "tls.refused",
          {{"remote", address_}, {"reason", "too many handshakes from this address"}});
      return Close();
    }
    handshake_ip_ = ip;
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(limits_.handshake_timeout_s));
    stream_.async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&HttpsSession::OnHandshake, shared_from_this()));
  }

  void LeaveHandshake() {
    if (!handshake_ip_) return;
    shared_.handshakes.Leave(*handshake_ip_);
    handshake_ip_.reset();
  }

  void OnHandshake(error_code ec) {
    LeaveHandshake();
    if (ec) {
      shared_.metrics.tls_handshake_failures_total++;
      // The handshake error is generic ("certificate verify failed"); the chain check says why.
      long verify = SSL_get_verify_result(stream_.native_handle());
      std::string why = verify == X509_V_OK ? "" : X509_verify_cert_error_string(verify);
      Log(LogLevel::kInfo, "tls.refused",
          {{"remote", address_}, {"reason", ec.message()}, {"certificate", why}});
      return Close();
    }
    auto peer = IdentifyPeer(stream_.native_handle(), shared_.config);
    if (!peer.ok()) {
      peer_error_ = peer.status().message();
      Log(LogLevel::kWarning, "tls.no_site", {{"remote", address_}, {"reason", peer_error_}});
    } else {
      peer_ = *peer;
      peer_->address = address_;
      Log(LogLevel::kDebug, "tls.accepted",
          {{"remote", address_}, {"site", peer_->site}, {"cn", peer_->common_name}});
    }
    ReadRequest();
  }

  // --- request head ---------------------------------------------------------------------------

  void ReadRequest() {
    if (shared_.stopping) return Shutdown();
    parser_.emplace();
    parser_->header_limit(limits_.max_header_bytes);
    parser_->body_limit(shared_.config.limits.max_upload_size);
    body_done_ = false;
    drained_ = 0;
    continue_sent_ = false;
    if (buffer_.size() > 0) return ReadHeader();
    // Between requests only the idle deadline applies; the head deadline starts with its
    // first byte, so keep-alive and slowloris limits stay separate.
    waiting_idle_ = true;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(limits_.idle_timeout_s));
    stream_.async_read_some(buffer_.prepare(kIdleReadChunk),
                            [self = shared_from_this()](error_code ec, size_t n) {
                              self->waiting_idle_ = false;
                              if (ec) {
                                if (ec == beast::error::timeout)
                                  self->shared_.metrics.timeouts_total++;
                                return self->Close();
                              }
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(limits_.header_timeout_s));
    head_bytes_ = 0;
    ReadHeaderSome();
  }

  // Beast (1.74) applies header_limit to each parse window, not to the whole head: fields are
  // consumed as they are parsed, so a head of many small fields passed any limit (2000 fields,
  // 23 KB, were answered against a 16 KiB limit). The bytes are counted here instead.
  void ReadHeaderSome() {
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = shared_from_this()](error_code ec, size_t n) {
                            self->head_bytes_ += n;
                            if (!ec && self->head_bytes_ > self->limits_.max_header_bytes) {
                              ec = http::error::header_limit;
                            }
                            if (!ec && !self->parser_->is_header_done())
                              return self->ReadHeaderSome();
                            self->OnHeader(ec, self->head_bytes_);
                          });
  }

  void OnHeader(error_code ec, size_t) {
    if (ec == http::error::end_of_stream) return Shutdown();
    if (ec == beast::error::timeout) {
      shared_.metrics.timeouts_total++;
      Log(LogLevel::kInfo, "http.slow_header", {{"remote", address_}});
      return Close();
    }
    if (ec == http::error::header_limit) {
      head_unread_ = true;
      return SendFinal(TusService::TusResponse(431, "request head too large"));
    }
    if (ec && IsHttpParseError(ec)) {
      head_unread_ = true;
      return SendFinal(TusService::TusResponse(400, ec.message()));
    }
    if (ec) return Close();

    shared_.metrics.requests_total++;
    head_ = ToRequestHead(*parser_);
    keep_alive_ = parser_->get().keep_alive();
    const std::string* expect = head_.Get("expect");
    expect_continue_ = expect != nullptr && Lower(*expect) == "100-continue";

    if (!peer_) return SendFinal(TusService::TusResponse(403, peer_error_));
    plan_ = shared_.tus.Prepare(head_, *peer_);
    if (plan_.response) return Send(std::move(*plan_.response));
    if (plan_.lock_key.empty()) return Dispatch();
    std::weak_ptr<HttpsSession> weak = shared_from_this();
    shared_.locks.Acquire(
        plan_.lock_key,
        [weak] {
          if (Self s = weak.lock()) s->Post([s] { s->OnTakeover(); });
        },
        [self = shared_from_this()](std::shared_ptr<UploadLease> lease) {
          self->Post([self, lease] {
            self->lease_ = lease;
            if (self->shared_.stopping) {
              self->lease_.reset();
              return self->Close();
            }
            self->Dispatch();
          });
        });
  }

  // --- handling and body -----------------------------------------------------------------------

  void Dispatch() {
    TusService::Outcome outcome = shared_.tus.Handle(head_, *peer_, plan_);
    if (!outcome.sink) {
      lease_.reset();
      return Send(std::move(outcome.response));
    }
    sink_ = std::move(outcome.sink);
    sink_failed_ = false;
    stop_requested_ = false;  // a takeover that missed the previous body is not for this one
    if (!expect_continue_) return ReadBody();
    continue_sent_ = true;
    continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
    http::async_write(stream_, *continue_, [self = shared_from_this()](error_code ec, size_t) {
      self->continue_.reset();
      if (ec) return self->EndBody(BodyEnd::kInterrupted);
      self->ReadBody();
    });
  }

  void ReadBody() {
    if (body_buf_.empty()) body_buf_.resize(kBodyBuffer);
    auto& body = parser_->get().body();
    body.data = body_buf_.data();
    body.size = body_buf_.size();
    reading_body_ = true;
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(limits_.body_read_timeout_s));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpsSession::OnBody, shared_from_this()));
  }

  void OnBody(error_code ec, size_t) {
    reading_body_ = false;
    size_t got = body_buf_.size() - parser_->get().body().size;
    if (got > 0 && !sink_failed_) {
      sink_failed_ = !sink_->Write(ByteView(body_buf_.data(), got)).ok();
    }
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      if (ec == beast::error::timeout) {
        shared_.metrics.timeouts_total++;
        Log(LogLevel::kInfo, "http.slow_body", {{"remote", address_}, {"site", peer_->site}});
      }
      return EndBody(BodyEnd::kInterrupted);
    }
    if (sink_failed_) {
      // The sink refused (limit, disk): answer now and drop the rest of the body unread.
      Response res = sink_->Finish(BodyEnd::kComplete);
      sink_.reset();
      lease_.reset();
      res.close = true;
      return Send(std::move(res));
    }
    // A stop whose cancel() found no socket operation pending (the composed read was between
    // two of them) did not end the read: end the body here, with what arrived committed.
    if (!parser_->is_done() && stop_requested_) return EndBody(BodyEnd::kInterrupted);
    if (!parser_->is_done()) {
      // Let verification keep up before reading on: the client's TCP window does the waiting.
      shared_.metrics.body_pauses_total++;
      Pause();
      return sink_->WhenReady([self = shared_from_this()] {
        self->Post([self] {
          self->Unpause();
          if (self->stop_requested_) return self->EndBody(BodyEnd::kInterrupted);
          self->ReadBody();
        });
      });
    }
    body_done_ = true;
    // The sink may still be checking the body (a chunk digest on the verifier's thread). The
    // body is whole: a takeover or stop arriving meanwhile waits for this answer.
    Pause();
    sink_->WhenComplete([self = shared_from_this()] {
      self->Post([self] {
        self->Unpause();
        Response res = self->sink_->Finish(BodyEnd::kComplete);
        self->sink_.reset();
        self->lease_.reset();
        self->Send(std::move(res));
      });
    });
  }

  // Waiting for the sink's call-back, with nothing pending on the socket: keep the event loop
  // alive for it (shutdown would otherwise end run() and lose this body's bytes).
  void Pause() {
    paused_ = true;
    pause_guard_ = net::prefer(stream_.get_executor(), net::execution::outstanding_work.tracked);
  }
  void Unpause() {
    paused_ = false;
    pause_guard_ = net::any_io_executor();
  }

  void EndBody(BodyEnd end) {
    if (sink_) sink_->Finish(end);
    sink_.reset();
    lease_.reset();
    Close();
  }

  // A newer request wants this upload: if we are stuck in its body, stop here. What arrived
  // is committed by EndBody before the lease passes on.
  void OnTakeover() {
    if (paused_) {
      stop_requested_ = true;  // ends when the pause does
      shared_.metrics.takeovers_total++;
      return;
    }
    if (!reading_body_) return;
    shared_.metrics.takeovers_total++;
    Log(LogLevel::kInfo, "upload.takeover", {{"remote", address_}, {"site", peer_->site}});
    // cancel() only ends a socket operation that is pending right now; the flag makes OnBody
    // stop even if the read was between two of them (and so carries on).
    stop_requested_ = true;
    beast::get_lowest_layer(stream_).cancel();
  }

  void OnStop() {
    if (paused_) stop_requested_ = true;
    if (reading_body_) {
      stop_requested_ = true;  // see OnTakeover: cancel() alone can miss the read
      return beast::get_lowest_layer(stream_).cancel();
    }
    if (waiting_idle_) return Close();
  }

  // --- response --------------------------------------------------------------------------------

  void SendFinal(Response r) {
    r.close = true;
    Send(std::move(r));
  }

  void Send(Response r) {
    // A client that asked for 100-continue and never got it has not sent the body: nothing to
    // drain, and the connection closes after the answer.
    bool body_coming = !expect_continue_ || continue_sent_;
    if (head_.has_body() && body_coming && !body_done_ && !parser_->is_done() &&
        drained_ <= kDrainLimit) {
      // Read (and drop) the unread body first: answering while the client is still sending and
      // then closing makes its TCP stack see a reset before it reads our status line.
      return Drain(std::move(r));
    }
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(r.status);
    if (r.status == 460) res->reason("Checksum Mismatch");
    for (auto& [name, value] : r.headers) res->insert(name, value);
    res->body() = std::move(r.body);
    bool body_unread = head_.has_body() && !body_done_;
    bool keep = keep_alive_ && !r.close && !body_unread && !shared_.stopping;
    res->keep_alive(keep);
    res->prepare_payload();
    shared_.metrics.CountResponse(r.status);
    Log(LogLevel::kDebug, "http.request",
        {{"remote", address_},
         {"site", peer_ ? peer_->site : ""},
         {"method", head_.method},
         {"target", head_.target},
         {"status", std::to_string(r.status)}});
    res_ = res;
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(limits_.body_read_timeout_s));
    http::async_write(stream_, *res_, [self = shared_from_this(), keep](error_code ec, size_t) {
      self->res_.reset();
      if (ec) return self->Close();
      if (!keep) return self->head_unread_ ? self->Linger() : self->Shutdown();
      self->ReadRequest();
    });
  }

  void Drain(Response r) {
    if (body_buf_.empty()) body_buf_.resize(kBodyBuffer);
    auto& body = parser_->get().body();
    body.data = body_buf_.data();
    body.size = std::min(body_buf_.size(), kDrainLimit);
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(limits_.body_read_timeout_s));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this(), r = std::move(r)](error_code ec, size_t) mutable {
                       size_t cap = std::min(self->body_buf_.size(), kDrainLimit);
                       self->drained_ += cap - self->parser_->get().body().size;
                       if (ec == http::error::need_buffer) ec = {};
                       if (ec) return self->Close();
                       if (self->parser_->is_done()) {
                         self->body_done_ = true;
                       } else if (self->drained_ > kDrainLimit) {
                         r.close = true;  // too much to drop politely: answer and close
                       }
                       self->Send(std::move(r));
                     });
  }

  // After refusing a head that was not read to its end (too large, malformed) the client may
  // still be sending it: closing now would make its TCP stack meet our close with a reset and
  // drop our answer before it reads it (a "lingering close", as web servers do). So read and
  // drop what still comes — up to kDrainLimit bytes for at most kLingerSeconds — then close.
  void Linger() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(kLingerSeconds));
    if (body_buf_.empty()) body_buf_.resize(kBodyBuffer);
    LingerRead();
  }
  void LingerRead() {
    stream_.async_read_some(net::buffer(body_buf_),
                            [self = shared_from_this()](error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainLimit || self->shared_.stopping) {
                                return self->Close();
                              }
                              self->LingerRead();
                            });
  }

  void Shutdown() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](error_code) { self->Close(); });
  }

  void Close() {
    error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

  std::shared_ptr<ssl::context> tls_;  // before stream_: the context must outlive it
  beast::ssl_stream<beast::tcp_stream> stream_;
  ServerShared& shared_;
  const LimitsConfig& limits_;
  uint64_t handle_ = 0;
  std::string address_;
  std::optional<Peer> peer_;
  std::string peer_error_;

  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::buffer_body>> parser_;
  RequestHead head_;
  TusService::Plan plan_;
  bool keep_alive_ = false;
  bool expect_continue_ = false;
  bool continue_sent_ = false;
  bool waiting_idle_ = false;
  bool reading_body_ = false;
  bool paused_ = false;                      // body reading waits for the verifier to catch up
  net::any_io_executor pause_guard_;         // tracks outstanding work while paused
  bool stop_requested_ = false;              // takeover or shutdown arrived during this body
  size_t head_bytes_ = 0;                    // bytes of the request head parsed so far
  std::optional<std::string> handshake_ip_;  // counted in shared_.handshakes until it ends
  bool body_done_ = false;
  bool head_unread_ = false;  // the last head was refused before its end: close lingering
  size_t drained_ = 0;

  std::shared_ptr<UploadLease> lease_;
  std::unique_ptr<BodySink> sink_;
  bool sink_failed_ = false;
  std::vector<uint8_t> body_buf_;
  std::shared_ptr<http::response<http::empty_body>> continue_;
  std::shared_ptr<http::response<http::string_body>> res_;
};

}  // namespace

void StartHttpsSession(tcp::socket socket, std::shared_ptr<ssl::context> tls,
                       ServerShared& shared) {
  std::make_shared<HttpsSession>(std::move(socket), std::move(tls), shared)->Run();
}

}  // namespace seqgate::ingest
