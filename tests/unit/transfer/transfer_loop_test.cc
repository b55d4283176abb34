// TransferLoop against a real listener on loopback: a tiny HTTP/1.1 responder on a thread (the
// loop only drives curl handles, so plain http suffices here; TLS is the integration tests').
#include "transfer/transfer_loop.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace seqgate::transfer {
namespace {

// Accepts connections until stopped; answers each request with "ok" unless `silent`, in which
// case it reads and never answers (a stalled centre).
class Responder {
 public:
  explicit Responder(bool silent) : silent_(silent) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Responder() {
    stop_ = true;
    thread_.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  void Serve() {
    while (!stop_) {
      std::vector<pollfd> fds{{fd_, POLLIN, 0}};
      for (int c : clients_) fds.push_back({c, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) clients_.push_back(c);
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        char buf[4096];
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n <= 0 || silent_) continue;
        // One request per read is enough for these GETs (they fit one segment).
        static constexpr char kAnswer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        (void)!::write(fds[i].fd, kAnswer, sizeof kAnswer - 1);
      }
    }
  }

  bool silent_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> clients_;  // server thread only
  std::thread thread_;
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Easy {
  CURL* h = curl_easy_init();
  std::string body;
  explicit Easy(const std::string& url) {
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  }
  ~Easy() { curl_easy_cleanup(h); }
};

TEST_CASE("many threads run their transfers through one loop at once") {
  Responder server(/*silent=*/false);
  TransferLoop loop;
  constexpr int kThreads = 8, kEach = 5;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        Easy e(server.url());
        if (loop.Run(e.h) == CURLE_OK && e.body == "ok") ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == kThreads * kEach);
}

TEST_CASE("an abort flag ends a transfer the server never answers") {
  Responder server(/*silent=*/true);
  TransferLoop loop;
  std::atomic<bool> abort{false};
  Easy stalled(server.url());
  Easy other(server.url());
  std::atomic<bool> other_abort{false};
  CURLcode got = CURLE_OK, other_got = CURLE_OK;
  std::thread t([&] { got = loop.Run(stalled.h, &abort); });
  std::thread u([&] { other_got = loop.Run(other.h, &other_abort); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  abort = true;
  loop.Wakeup();
  t.join();  // returns although the server never answers
  CHECK(got == CURLE_ABORTED_BY_CALLBACK);
  // The other transfer is still waiting: only the flagged one was taken out.
  other_abort = true;
  loop.Wakeup();
  u.join();
  CHECK(other_got == CURLE_ABORTED_BY_CALLBACK);
}

TEST_CASE("destroying the loop finishes transfers still running and waits for their callers") {
  Responder server(/*silent=*/true);
  auto loop = std::make_unique<TransferLoop>();
  constexpr size_t kThreads = 4;
  // Every handle exists before any thread starts: the threads index this vector.
  std::vector<std::unique_ptr<Easy>> easies;
  for (size_t t = 0; t < kThreads; ++t) easies.push_back(std::make_unique<Easy>(server.url()));
  std::vector<CURLcode> got(kThreads, CURLE_OK);
  std::vector<std::thread> threads;
  TransferLoop* raw = loop.get();  // the threads must not read `loop` while reset() writes it
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, raw, t] { got[t] = raw->Run(easies[t]->h); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  loop.reset();  // must not return before every Run() above has
  for (auto& t : threads) t.join();
  for (CURLcode c : got) CHECK(c == CURLE_ABORTED_BY_CALLBACK);
}

}  // namespace
}  // namespace seqgate::transfer
