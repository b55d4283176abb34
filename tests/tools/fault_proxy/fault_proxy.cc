// seqgate-fault-proxy: a TCP proxy between the uploader and a server that cuts, stalls, delays,
// throttles and corrupts the stream on demand (fault_spec.h has the script format), and counts
// the bytes it forwarded so a test can tell how much the client re-sent.
//
// usage: seqgate-fault-proxy --listen HOST:PORT --upstream HOST:PORT
//                            [--faults FILE] [--stats FILE] [--port-file FILE]
// One thread, one io_context; every error ends the connection it happened on, never the proxy.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>  // NOLINT(build/include_order)

#include <boost/asio.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fault_spec.h"

namespace fault_proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// A stall "forever" still needs a representable deadline for the timer.
constexpr auto kForever = std::chrono::hours(24 * 365);
// Bytes a direction may hold before it stops reading: bounds memory under latency and stalls.
constexpr size_t kQueueCap = 32u << 20;

// What a throttled direction holds: a quarter second of its rate plus the bytes its latency
// keeps in flight, as a real bottleneck's buffer would. The sender then feels the link's pace
// (a PATCH body is read as the link takes it) instead of handing 32 MiB over at once.
size_t QueueCapFor(const ConnFaults& f) {
  if (f.throttle_bps == 0) return kQueueCap;
  const uint64_t held = f.throttle_bps / 4 + f.throttle_bps * f.latency_ms / 1000;
  return static_cast<size_t>(std::clamp<uint64_t>(held, 64 * 1024, kQueueCap));
}

struct Totals {
  uint64_t connections = 0, up = 0, down = 0;
  uint64_t active = 0, max_active = 0;  // sessions open now / at most at once
  std::string path;
  bool dirty = false;

  void Write() {
    if (path.empty() || !dirty) return;
    dirty = false;
    std::string tmp = path + ".tmp";
    {
      std::ofstream f(tmp, std::ios::trunc);
      f << "connections " << connections << "\nup_bytes " << up << "\ndown_bytes " << down
        << "\nmax_concurrent " << max_active << "\n";
    }
    std::rename(tmp.c_str(), path.c_str());
  }
};

class Session;

// One direction of a connection: reads from `from`, queues with due times, writes to `to`.
struct Pipe {
  struct Chunk {
    Clock::time_point due;
    std::vector<uint8_t> data;
    bool close_after = false;
  };
  Dir dir = Dir::kUp;
  DirFaults faults;
  uint64_t count = 0;  // bytes read from `from`
  size_t queued = 0;
  std::deque<Chunk> queue;
  bool reading = false, writing = false, eof = false, stopped_reading = false;
  bool stall_applied = false;
  Clock::time_point stall_until{};
  Clock::time_point throttle_next{};
  std::vector<uint8_t> buf;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, tcp::socket client, ConnFaults faults, Totals& totals)
      : sock_{std::move(client), tcp::socket(io)},
        timers_{asio::steady_timer(io), asio::steady_timer(io)},
        faults_(faults),
        queue_cap_(QueueCapFor(faults)),
        totals_(totals) {
    size_t chunk = 64 * 1024;
    if (faults_.throttle_bps > 0) {
      chunk = std::max<size_t>(512, std::min<size_t>(chunk, faults_.throttle_bps / 20));
    }
    for (int d = 0; d < 2; ++d) {
      pipes_[d].dir = static_cast<Dir>(d);
      pipes_[d].faults = faults_.dir[d];
      pipes_[d].buf.resize(chunk);
    }
  }

  void Start(const tcp::endpoint& upstream) {
    auto self = shared_from_this();
    sock_[1].async_connect(upstream, [self](const error_code& ec) {
      if (ec) {
        std::fprintf(stderr, "fault-proxy: upstream connect failed: %s\n", ec.message().c_str());
        self->Close();
        return;
      }
      error_code ignored;
      self->sock_[0].set_option(tcp::no_delay(true), ignored);
      self->sock_[1].set_option(tcp::no_delay(true), ignored);
      self->Read(0);
      self->Read(1);
    });
  }

 private:
  // Pipe d reads from sock_[d] and writes to sock_[1 - d]: pipe 0 is up, pipe 1 is down.
  void Read(int d) {
    Pipe& p = pipes_[d];
    if (closed_ || p.reading || p.eof || p.stopped_reading || p.queued >= queue_cap_) return;
    p.reading = true;
    auto self = shared_from_this();
    sock_[d].async_read_some(asio::buffer(p.buf), [self, d](const error_code& ec, size_t n) {
      Pipe& pp = self->pipes_[d];
      pp.reading = false;
      if (self->closed_) return;
      if (ec) {
        if (ec != asio::error::eof) {
          self->Close();
          return;
        }
        pp.eof = true;
        self->Pump(d);
        return;
      }
      self->Enqueue(d, n);
      self->Pump(d);
      self->Read(d);
    });
  }

  // Applies flip, cut, stall and latency to `n` fresh bytes and queues them.
  void Enqueue(int d, size_t n) {
    Pipe& p = pipes_[d];
    const auto now = Clock::now();
    const uint64_t start = p.count;
    p.count += n;
    std::vector<uint8_t> data(p.buf.begin(), p.buf.begin() + static_cast<std::ptrdiff_t>(n));
    if (p.faults.flip_offset && *p.faults.flip_offset >= start && *p.faults.flip_offset < p.count) {
      data[*p.faults.flip_offset - start] ^= 0xFF;
      std::fprintf(stderr, "fault-proxy: flipped byte %llu (%s)\n",
                   static_cast<unsigned long long>(*p.faults.flip_offset), d == 0 ? "up" : "down");
    }
    bool close_after = false;
    if (p.faults.cut_after && p.count >= *p.faults.cut_after) {
      data.resize(*p.faults.cut_after - std::min(start, *p.faults.cut_after));
      close_after = true;
      p.stopped_reading = true;
    }
    auto due = now + std::chrono::milliseconds(faults_.latency_ms);
    size_t split = data.size();
    const bool by_peer =
        p.faults.stall_after_peer && pipes_[1 - d].count >= *p.faults.stall_after_peer;
    if (!p.stall_applied &&
        (by_peer || (p.faults.stall_after && start + data.size() > *p.faults.stall_after))) {
      p.stall_applied = true;
      split =
          by_peer
              ? 0
              : static_cast<size_t>(*p.faults.stall_after - std::min(start, *p.faults.stall_after));
      p.stall_until = p.faults.stall_secs > 0
                          ? now + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(p.faults.stall_secs))
                          : now + kForever;
      std::fprintf(stderr, "fault-proxy: stalling %s after %llu bytes\n", d == 0 ? "up" : "down",
                   static_cast<unsigned long long>(start + split));
    }
    auto push = [&](std::vector<uint8_t> bytes, Clock::time_point when, bool last) {
      p.queued += bytes.size();
      p.queue.push_back({std::max(when, p.stall_until), std::move(bytes), last});
    };
    if (split < data.size()) {
      std::vector<uint8_t> rest(data.begin() + static_cast<std::ptrdiff_t>(split), data.end());
      data.resize(split);
      if (!data.empty()) p.queue.push_back({due, std::move(data), false}), p.queued += split;
      push(std::move(rest), due, close_after);
    } else {
      push(std::move(data), due, close_after);
    }
  }

  // Writes the head of pipe d's queue once it is due and the throttle allows.
  void Pump(int d) {
    Pipe& p = pipes_[d];
    if (closed_ || p.writing) return;
    if (p.queue.empty()) {
      if (p.eof) {
        error_code ignored;
        sock_[1 - d].shutdown(tcp::socket::shutdown_send, ignored);
        if (pipes_[1 - d].eof && pipes_[1 - d].queue.empty()) Close();
      }
      return;
    }
    auto self = shared_from_this();
    const auto now = Clock::now();
    auto when = std::max(p.queue.front().due, p.throttle_next);
    p.writing = true;
    if (when > now) {
      timers_[d].expires_at(when);
      timers_[d].async_wait([self, d](const error_code& ec) {
        self->pipes_[d].writing = false;
        if (!ec) self->Pump(d);
      });
      return;
    }
    asio::async_write(
        sock_[1 - d], asio::buffer(p.queue.front().data),
        [self, d](const error_code& ec, size_t n) {
          Pipe& pp = self->pipes_[d];
          pp.writing = false;
          if (self->closed_) return;
          if (ec) {
            self->Close();
            return;
          }
          (d == 0 ? self->totals_.up : self->totals_.down) += n;
          self->totals_.dirty = true;
          if (self->faults_.throttle_bps > 0) {
            auto base = std::max(pp.throttle_next, Clock::now());
            pp.throttle_next =
                base +
                std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                    static_cast<double>(n) / static_cast<double>(self->faults_.throttle_bps)));
          }
          bool close_after = pp.queue.front().close_after;
          pp.queued -= pp.queue.front().data.size();
          pp.queue.pop_front();
          if (close_after) {
            std::fprintf(stderr, "fault-proxy: cut %s after %llu bytes\n", d == 0 ? "up" : "down",
                         static_cast<unsigned long long>(*pp.faults.cut_after));
            self->Close();
            return;
          }
          self->Pump(d);
          self->Read(d);
        });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    for (auto& s : sock_) s.close(ignored);
    for (auto& t : timers_) t.cancel();
    --totals_.active;
    totals_.dirty = true;
    totals_.Write();
  }

  tcp::socket sock_[2];
  asio::steady_timer timers_[2];
  Pipe pipes_[2];
  ConnFaults faults_;
  const size_t queue_cap_;
  Totals& totals_;
  bool closed_ = false;
};

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class Proxy {
 public:
  Proxy(asio::io_context& io, tcp::endpoint listen, tcp::endpoint upstream, std::string faults,
        Totals& totals)
      : io_(io),
        acceptor_(io, listen),
        upstream_(upstream),
        faults_path_(std::move(faults)),
        totals_(totals),
        flush_(io) {}

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Start() {
    Accept();
    Flush();
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](const error_code& ec, tcp::socket s) {
      if (ec) {
        if (ec != asio::error::operation_aborted) Accept();
        return;
      }
      uint64_t conn = ++totals_.connections;
      totals_.dirty = true;
      std::string error;
      auto faults = FaultsFor(faults_path_.empty() ? "" : ReadFile(faults_path_), conn, &error);
      if (!faults) {
        std::fprintf(stderr, "fault-proxy: %s: %s (connection refused)\n", faults_path_.c_str(),
                     error.c_str());
        faults = ConnFaults{};
        faults->refuse = true;
      }
      if (faults->refuse) {
        std::fprintf(stderr, "fault-proxy: refusing connection %llu\n",
                     static_cast<unsigned long long>(conn));
        error_code ignored;
        s.close(ignored);
      } else {
        totals_.max_active = std::max(totals_.max_active, ++totals_.active);
        std::make_shared<Session>(io_, std::move(s), *faults, totals_)->Start(upstream_);
      }
      Accept();
    });
  }

  // Keeps the stats file fresh while long connections run.
  void Flush() {
    flush_.expires_after(std::chrono::milliseconds(200));
    flush_.async_wait([this](const error_code& ec) {
      if (ec) return;
      totals_.Write();
      Flush();
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  tcp::endpoint upstream_;
  std::string faults_path_;
  Totals& totals_;
  asio::steady_timer flush_;
};

bool ParseEndpoint(const std::string& s, tcp::endpoint* out) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  error_code ec;
  auto addr = asio::ip::make_address(s.substr(0, colon), ec);
  if (ec) return false;
  unsigned long port = 0;
  try {
    port = std::stoul(s.substr(colon + 1));
  } catch (const std::exception&) {
    return false;
  }
  if (port > 65535) return false;
  *out = tcp::endpoint(addr, static_cast<uint16_t>(port));
  return true;
}

int Main(int argc, char** argv) {
  std::string listen, upstream, faults, port_file;
  Totals totals;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--listen") {
      listen = v;
    } else if (k == "--upstream") {
      upstream = v;
    } else if (k == "--faults") {
      faults = v;
    } else if (k == "--stats") {
      totals.path = v;
    } else if (k == "--port-file") {
      port_file = v;
    } else {
      std::fprintf(stderr, "fault-proxy: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  tcp::endpoint le, ue;
  if (!ParseEndpoint(listen, &le) || !ParseEndpoint(upstream, &ue)) {
    std::fprintf(stderr,
                 "usage: seqgate-fault-proxy --listen HOST:PORT --upstream HOST:PORT "
                 "[--faults FILE] [--stats FILE] [--port-file FILE]\n");
    return 2;
  }
  asio::io_context io;
  Proxy proxy(io, le, ue, faults, totals);
  proxy.Start();
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << proxy.port() << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::fprintf(stderr, "fault-proxy: listening on %u → %s\n", proxy.port(), upstream.c_str());
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code&, int) {
    totals.dirty = true;
    totals.Write();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace
}  // namespace fault_proxy

int main(int argc, char** argv) {
  try {
    return fault_proxy::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fault-proxy: %s\n", e.what());
    return 1;
  }
}
