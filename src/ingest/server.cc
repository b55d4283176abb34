#include "ingest/server.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "common/log.h"
#include "ingest/net_parts.h"
#include "ingest/service_status.h"

namespace seqgate::ingest {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

uint64_t ConnectionSet::Add(std::function<void()> stop) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t h = next_++;
  stops_.emplace(h, std::move(stop));
  return h;
}

void ConnectionSet::Remove(uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  stops_.erase(handle);
}

size_t ConnectionSet::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return stops_.size();
}

void ConnectionSet::StopAll() {
  std::vector<std::function<void()>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [h, f] : stops_) all.push_back(f);
  }
  for (auto& f : all) f();
}

bool HandshakeCounter::TryEnter(const std::string& address, uint32_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t& n = open_[address];
  if (n >= max) return false;
  ++n;
  return true;
}

void HandshakeCounter::Leave(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(address);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

Result<tcp::endpoint> ResolveListen(net::io_context& ioc, const HostPort& hp) {
  error_code ec;
  auto addr = net::ip::make_address(hp.host, ec);
  if (!ec) return tcp::endpoint(addr, hp.port);
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(hp.host, std::to_string(hp.port), ec);
  if (ec || results.empty()) {
    return InvalidArgument("cannot resolve listen address '" + hp.ToString() + "'");
  }
  return results.begin()->endpoint();
}

namespace {

// Accepts connections until closed; `start` takes each socket. A `limited` listener refuses
// sockets while max_connections tus sessions are open; the metrics listener is not limited, so
// a flood of the tus port cannot also take /healthz and /metrics away from the monitoring.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using Start = std::function<void(tcp::socket)>;
  Listener(net::io_context& ioc, Start start, ServerShared& shared, bool limited)
      : ioc_(ioc), acceptor_(ioc), start_(std::move(start)), shared_(shared), limited_(limited) {}

  Status Bind(const tcp::endpoint& ep, const std::string& what) {
    error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return InvalidArgument("cannot listen on " + what + ": " + ec.message());
    return Status::Ok();
  }

  uint16_t port() const {
    error_code ec;
    return acceptor_.local_endpoint(ec).port();
  }

  void Accept() {
    acceptor_.async_accept(
        net::make_strand(ioc_), [self = shared_from_this()](error_code ec, tcp::socket socket) {
          if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) {
            return;
          }
          if (!ec) {
            if (self->limited_ &&
                self->shared_.connections.size() >= self->shared_.config.limits.max_connections) {
              error_code ignored;
              socket.close(ignored);  // over the limit: refuse early
            } else {
              self->start_(std::move(socket));
            }
          }
          self->Accept();
        });
  }

  void Close() {
    error_code ec;
    acceptor_.close(ec);
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  Start start_;
  ServerShared& shared_;
  bool limited_;
};

}  // namespace

Status RunServer(const IngestConfig& config, TusService& tus, Metrics& metrics,
                 Notifier& notifier) {
  SEQGATE_ASSIGN_OR_RETURN(std::unique_ptr<net::ssl::context> first_tls,
                           MakeServerTlsContext(config.tls));
  // New connections take the context current when they are accepted; SIGHUP replaces it
  // (renewed certificate, new CRL) and sessions already running keep theirs alive.
  std::mutex tls_mu;
  std::shared_ptr<net::ssl::context> tls = std::move(first_tls);
  auto current_tls = [&] {
    std::lock_guard lock(tls_mu);
    return tls;
  };
  net::io_context ioc(static_cast<int>(config.threads));
  ServerShared shared(config, tus, metrics);

  SEQGATE_ASSIGN_OR_RETURN(tcp::endpoint tus_ep, ResolveListen(ioc, config.listen));
  SEQGATE_ASSIGN_OR_RETURN(tcp::endpoint metrics_ep, ResolveListen(ioc, config.metrics));
  auto tus_listener = std::make_shared<Listener>(
      ioc, [&](tcp::socket s) { StartHttpsSession(std::move(s), current_tls(), shared); }, shared,
      /*limited=*/true);
  auto metrics_listener = std::make_shared<Listener>(
      ioc, [&](tcp::socket s) { StartMetricsSession(std::move(s), shared); }, shared,
      /*limited=*/false);
  SEQGATE_RETURN_IF_ERROR(tus_listener->Bind(tus_ep, "listen " + config.listen.ToString()));
  SEQGATE_RETURN_IF_ERROR(
      metrics_listener->Bind(metrics_ep, "metrics " + config.metrics.ToString()));
  tus_listener->Accept();
  metrics_listener->Accept();

  net::steady_timer sweep(ioc);
  std::function<void()> arm_sweep = [&] {
    sweep.expires_after(std::chrono::seconds(config.limits.cleanup_interval_s));
    sweep.async_wait([&](error_code ec) {
      if (ec || shared.stopping) return;
      tus.SweepExpired(shared.locks);
      arm_sweep();
    });
  };
  tus.SweepExpired(shared.locks);
  arm_sweep();

  // The service manager: a failed notification is logged once, since it repeats every tick.
  std::atomic<bool> notify_failed{false};
  auto check_notify = [&](const Status& st, std::string_view what) {
    if (st.ok() || notify_failed.exchange(true)) return;
    Log(LogLevel::kWarning, "ingest.notify_failed",
        {{"message", std::string(what)}, {"error", st.ToString()}});
  };
  // STATUS= every few seconds, only when it changed. One chain of waits, so one thread at a
  // time touches last_status.
  net::steady_timer status_timer(ioc);
  std::string last_status;
  std::function<void()> report_status = [&] {
    std::string line = ServiceStatusLine(metrics, LastProblem());
    if (line != last_status) {
      check_notify(notifier.SetStatus(line), "STATUS");
      last_status = std::move(line);
    }
    status_timer.expires_after(std::chrono::seconds(5));
    status_timer.async_wait([&](error_code ec) {
      if (ec || shared.stopping) return;
      report_status();
    });
  };
  // WATCHDOG=1 from a timer on the same io_context as the requests: if every worker thread
  // is wedged, the pings stop and systemd restarts us (sd_watchdog_enabled(3): ping at half).
  net::steady_timer watchdog_timer(ioc);
  std::function<void()> ping_watchdog = [&] {
    check_notify(notifier.Watchdog(), "WATCHDOG");
    watchdog_timer.expires_after(*notifier.watchdog_interval() / 2);
    watchdog_timer.async_wait([&](error_code ec) {
      if (ec || shared.stopping) return;
      ping_watchdog();
    });
  };

  // SIGHUP: the TLS files named in the config are read again — a renewed server certificate,
  // a new client CA bundle, and above all a new CRL, so a revoked lab is refused without a
  // restart that would cut every upload in flight. A set that does not load is logged and the
  // current one stays.
  net::signal_set reload(ioc, SIGHUP);
  std::function<void()> arm_reload = [&] {
    reload.async_wait([&](error_code ec, int) {
      if (ec || shared.stopping) return;
      check_notify(notifier.Reloading(), "RELOADING");
      auto next = MakeServerTlsContext(config.tls);
      if (next.ok()) {
        {
          std::lock_guard lock(tls_mu);
          tls = std::move(*next);
        }
        Log(LogLevel::kInfo, "ingest.tls_reloaded",
            {{"cert", config.tls.cert},
             {"client_ca", config.tls.client_ca},
             {"crl", config.tls.crl}});
      } else {
        Log(LogLevel::kError, "ingest.tls_reload_failed",
            {{"error", next.status().ToString()}, {"kept", "the TLS files loaded before"}});
      }
      check_notify(notifier.Ready(), "READY");
      arm_reload();
    });
  };
  arm_reload();

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](error_code ec, int signo) {
    if (ec) return;
    Log(LogLevel::kInfo, "ingest.stopping", {{"signal", std::to_string(signo)}});
    check_notify(notifier.Stopping(), "STOPPING");
    shared.stopping = true;
    status_timer.cancel();
    watchdog_timer.cancel();
    reload.cancel();
    tus_listener->Close();
    metrics_listener->Close();
    sweep.cancel();
    // Stale PATCHes end and commit what they received; idle connections close; requests in
    // the middle of being answered finish and then close.
    shared.locks.CancelAll();
    shared.connections.StopAll();
  });

  Log(LogLevel::kInfo, "ingest.listening",
      {{"tus", tus_ep.address().to_string() + ":" + std::to_string(tus_listener->port())},
       {"metrics",
        metrics_ep.address().to_string() + ":" + std::to_string(metrics_listener->port())},
       {"storage", config.storage},
       {"threads", std::to_string(config.threads)}});
  check_notify(notifier.Ready(), "READY");
  report_status();
  if (notifier.watchdog_interval()) ping_watchdog();

  std::vector<std::thread> workers;
  for (uint32_t i = 1; i < config.threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : workers) t.join();
  Log(LogLevel::kInfo, "ingest.stopped", {});
  return Status::Ok();
}

}  // namespace seqgate::ingest
