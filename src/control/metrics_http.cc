#include "control/metrics_http.h"

#include <atomic>
#include <exception>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace seqgate::control {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class MetricsSession;

struct MetricsServer::Impl {
  Impl(ControlTarget& t, MetricsServerOptions o) : target(t), options(std::move(o)) {}

  void Accept();

  ControlTarget& target;
  MetricsServerOptions options;
  std::atomic<size_t> open_connections{0};
  std::set<MetricsSession*> sessions;  // touched on the io thread only
  std::atomic<uint16_t> bound_port{0};
  bool started = false;
  bool stopped = false;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
};

class MetricsSession : public std::enable_shared_from_this<MetricsSession> {
 public:
  MetricsSession(tcp::socket&& socket, MetricsServer::Impl& server)
      : stream_(std::move(socket)), server_(server), buffer_(server.options.max_request_bytes) {
    server_.open_connections++;
    server_.sessions.insert(this);
  }
  ~MetricsSession() {
    server_.sessions.erase(this);
    server_.open_connections--;
  }
  MetricsSession(const MetricsSession&) = delete;
  MetricsSession& operator=(const MetricsSession&) = delete;

  void Read() {
    parser_.header_limit(static_cast<uint32_t>(server_.options.max_request_bytes));
    parser_.body_limit(0);
    stream_.expires_after(server_.options.timeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) return self->Respond();
                       self->Refuse(ec);
                     });
  }

  // Ends the connection; its pending operation completes with an error and drops the session.
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  // A request that could not be read: malformed or oversized ones are told why; timeouts and
  // clients that went away are just closed.
  void Refuse(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return Send(http::status::request_header_fields_too_large, "request header too large\n");
    }
    if (ec == http::error::body_limit) {
      return Send(http::status::payload_too_large, "requests carry no body here\n");
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Send(http::status::bad_request, "malformed HTTP request\n");
    }
    Close();
  }

  void Respond() {
    const auto& req = parser_.get();
    if (req.method() != http::verb::get) {
      res_.set(http::field::allow, "GET");
      return Send(http::status::method_not_allowed, "GET only\n");
    }
    if (req.target() == "/metrics") {
      std::string text;
      try {
        text = server_.target.Metrics();
      } catch (const std::exception& e) {  // the listener thread is a program boundary
        return Send(http::status::internal_server_error,
                    std::string("metrics failed: ") + e.what() + "\n");
      }
      res_.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      return Send(http::status::ok, std::move(text));
    }
    if (req.target() == "/healthz") return Send(http::status::ok, "ok\n");
    Send(http::status::not_found, "not found\n");
  }

  void Send(http::status status, std::string body) {
    res_.version(11);
    res_.keep_alive(false);
    res_.result(status);
    if (res_.find(http::field::content_type) == res_.end()) {
      res_.set(http::field::content_type, "text/plain; charset=utf-8");
    }
    res_.body() = std::move(body);
    res_.prepare_payload();
    stream_.expires_after(server_.options.timeout);
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code, size_t) { self->Close(); });
  }

  beast::tcp_stream stream_;
  MetricsServer::Impl& server_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> res_;
};

namespace {

bool AllLoopback(const std::vector<tcp::endpoint>& eps) {
  for (const auto& ep : eps) {
    if (!ep.address().is_loopback()) return false;
  }
  return !eps.empty();
}

}  // namespace

void MetricsServer::Impl::Accept() {
  acceptor.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      if (open_connections.load() >= options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);  // over the limit: refuse early rather than queue
      } else {
        std::make_shared<MetricsSession>(std::move(socket), *this)->Read();
      }
    }
    Accept();
  });
}

Status ParseMetricsListen(std::string_view text, MetricsServerOptions* options) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return InvalidArgument("metrics listen address '" + std::string(text) + "' must be HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) {
      return InvalidArgument("metrics listen address '" + std::string(text) +
                             "': unbalanced '[' in host");
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return InvalidArgument("metrics listen address '" + std::string(text) +
                           "': write an IPv6 host in brackets, e.g. [::1]:9464");
  }
  unsigned long p = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || p > 65535) {
      return InvalidArgument("metrics listen address '" + std::string(text) +
                             "': port must be a number from 0 to 65535");
    }
    p = p * 10 + static_cast<unsigned long>(c - '0');
  }
  if (p > 65535) {
    return InvalidArgument("metrics listen address '" + std::string(text) +
                           "': port must be a number from 0 to 65535");
  }
  options->host = std::string(host);
  options->port = static_cast<uint16_t>(p);
  return Status::Ok();
}

MetricsServer::MetricsServer(ControlTarget& target, MetricsServerOptions options)
    : impl_(std::make_unique<Impl>(target, std::move(options))) {}

MetricsServer::~MetricsServer() { Stop(); }

Status MetricsServer::Start() {
  Impl& s = *impl_;
  if (s.started) return InvalidArgument("metrics server already started");
  const std::string where = s.options.host + ":" + std::to_string(s.options.port);
  std::vector<tcp::endpoint> eps;
  beast::error_code ec;
  net::ip::address addr = net::ip::make_address(s.options.host, ec);
  if (!ec) {
    eps.emplace_back(addr, s.options.port);
  } else {
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(s.options.host, std::to_string(s.options.port), ec);
    if (ec) return InvalidArgument("cannot resolve metrics address " + where + ": " + ec.message());
    for (const auto& r : results) eps.push_back(r.endpoint());
  }
  if (eps.empty()) return InvalidArgument("cannot resolve metrics address " + where);
  if (!s.options.allow_non_loopback && !AllLoopback(eps)) {
    return InvalidArgument("metrics address " + where +
                           " is not loopback; allow non-loopback metrics explicitly to serve it");
  }
  const tcp::endpoint& ep = eps.front();
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    StatusCode code =
        ec == net::error::address_in_use ? StatusCode::kUnavailable : StatusCode::kInvalidArgument;
    return Status(code, "cannot listen on " + where + " for metrics: " + ec.message());
  }
  s.bound_port = s.acceptor.local_endpoint(ec).port();
  s.started = true;
  s.Accept();
  s.thread = std::thread([&s] { s.ioc.run(); });
  return Status::Ok();
}

uint16_t MetricsServer::port() const { return impl_->bound_port.load(); }

void MetricsServer::Stop() {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  // Closing everything on the io thread lets each pending operation finish with an error, so
  // run() returns once the last session is gone.
  net::post(s.ioc, [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    for (MetricsSession* session : s.sessions) session->Close();
  });
  s.thread.join();
}

}  // namespace seqgate::control
