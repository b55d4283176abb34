// The plain-HTTP observability listener: GET /metrics (Prometheus text) and GET /healthz.
// It defaults to localhost and serves nothing else, so it needs no client certificates.
#include <boost/asio/dispatch.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "ingest/net_parts.h"

namespace seqgate::ingest {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class MetricsSession : public std::enable_shared_from_this<MetricsSession> {
 public:
  MetricsSession(tcp::socket&& socket, ServerShared& shared)
      : stream_(std::move(socket)), shared_(shared) {}

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(0);
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->stream_.close();
                       self->Respond();
                     });
  }

  void Respond() {
    const auto& req = parser_->get();
    res_.version(11);
    res_.keep_alive(false);
    if (req.method() != http::verb::get) {
      res_.result(http::status::method_not_allowed);
      res_.body() = "GET only\n";
    } else if (req.target() == "/metrics") {
      res_.result(http::status::ok);
      res_.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res_.body() = shared_.metrics.Render();
    } else if (req.target() == "/healthz") {
      bool ok = !shared_.stopping;
      res_.result(ok ? http::status::ok : http::status::service_unavailable);
      res_.body() = ok ? "ok\n" : "stopping\n";
    } else {
      res_.result(http::status::not_found);
      res_.body() = "not found\n";
    }
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.close();
    });
  }

  beast::tcp_stream stream_;
  ServerShared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> res_;
};

}  // namespace

void StartMetricsSession(tcp::socket socket, ServerShared& shared) {
  std::make_shared<MetricsSession>(std::move(socket), shared)->Run();
}

}  // namespace seqgate::ingest
