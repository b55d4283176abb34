#include "control/metrics_http.h"

#include <cstdio>
#include <string>

#include <doctest/doctest.h>

#include "unit/control/fake_target.h"
#include "unit/control/raw_socket.h"

namespace seqgate::control {
namespace {

using testing::FakeTarget;
using testing::RawSocket;

struct Served {
  FakeTarget target;
  MetricsServer server;
  explicit Served(MetricsServerOptions o = Loopback0()) : server(target, o) {
    REQUIRE(server.Start().ok());
    REQUIRE(server.port() != 0);
  }
  static MetricsServerOptions Loopback0() {
    MetricsServerOptions o;
    o.port = 0;
    return o;
  }
  std::string Request(const std::string& raw) {
    RawSocket s = RawSocket::Loopback(server.port());
    REQUIRE(s.Send(raw));
    return s.ReadAll();
  }
  std::string Get(const std::string& target_path) {
    return Request("GET " + target_path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  }
};

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST_CASE("metrics http: GET /metrics serves the target's exposition") {
  Served s;
  std::string res = s.Get("/metrics");
  CHECK(res.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(res.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  CHECK(res.find("\r\n\r\n# HELP seqgate_files Files by state.\n") != std::string::npos);
  CHECK(res.find("seqgate_files{state=\"uploading\"} 2\n") != std::string::npos);
  CHECK(res.find("seqgate_retries_total 7\n") != std::string::npos);
  CHECK(s.target.metrics_calls() == 1);
}

TEST_CASE("metrics http: curl sees /metrics, /healthz and 404s") {
  Served s;
  const std::string base =
      "curl -s --max-time 20 http://127.0.0.1:" + std::to_string(s.server.port());
  std::string metrics = Run(base + "/metrics -w '%{http_code} %{content_type}'");
  CHECK(metrics.find("seqgate_retries_total 7\n") != std::string::npos);
  CHECK(metrics.find("200 text/plain; version=0.0.4") != std::string::npos);
  CHECK(Run(base + "/healthz -w ' %{http_code}'") == "ok\n 200");
  CHECK(Run(base + "/nothing -w ' %{http_code}'") == "not found\n 404");
  CHECK(Run(base + "/metrics -X POST -o /dev/null -w '%{http_code}'") == "405");
}

TEST_CASE("metrics http: bad and oversized requests get an error status") {
  MetricsServerOptions o = Served::Loopback0();
  o.max_request_bytes = 1024;
  Served s(o);
  std::string big =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(4096, 'a') + "\r\n\r\n";
  CHECK(s.Request(big).rfind("HTTP/1.1 431 ", 0) == 0);
  CHECK(s.Request("NONSENSE\r\n\r\n").rfind("HTTP/1.1 400 ", 0) == 0);
  CHECK(s.Request("GET /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
            .rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(s.Get("/healthz").rfind("HTTP/1.1 200 OK", 0) == 0);  // still serving
  CHECK(s.target.metrics_calls() == 0);
}

TEST_CASE("metrics http: non-loopback addresses need the explicit flag") {
  FakeTarget target;
  MetricsServerOptions o;
  o.host = "0.0.0.0";
  o.port = 0;
  MetricsServer refused(target, o);
  Status st = refused.Start();
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message().find("is not loopback") != std::string::npos);
  o.allow_non_loopback = true;
  MetricsServer allowed(target, o);
  REQUIRE(allowed.Start().ok());
  CHECK(RawSocket::Loopback(allowed.port()).Send("GET /healthz HTTP/1.1\r\n\r\n"));

  MetricsServerOptions name;
  name.host = "localhost";
  name.port = 0;
  MetricsServer by_name(target, name);
  CHECK(by_name.Start().ok());
}

TEST_CASE("metrics http: a port in use is reported, not fatal") {
  Served s;
  FakeTarget target;
  MetricsServerOptions o;
  o.port = s.server.port();
  MetricsServer second(target, o);
  CHECK(second.Start().code() == StatusCode::kUnavailable);
}

TEST_CASE("metrics http: Stop ends idle connections and the listener") {
  FakeTarget target;
  MetricsServer server(target, Served::Loopback0());
  REQUIRE(server.Start().ok());
  RawSocket idle = RawSocket::Loopback(server.port());
  REQUIRE(idle.Send("GET /metr"));  // an unfinished request
  server.Stop();
  CHECK(idle.ReadAll().empty());
  server.Stop();
  CHECK_THROWS(RawSocket::Loopback(server.port()));
}

TEST_CASE("metrics http: listen addresses parse as HOST:PORT") {
  MetricsServerOptions o;
  REQUIRE(ParseMetricsListen("127.0.0.1:9100", &o).ok());
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == 9100);
  REQUIRE(ParseMetricsListen("[::1]:0", &o).ok());
  CHECK(o.host == "::1");
  CHECK(o.port == 0);
  REQUIRE(ParseMetricsListen("localhost:9464", &o).ok());
  CHECK(o.host == "localhost");
  CHECK_FALSE(ParseMetricsListen("9464", &o).ok());
  CHECK_FALSE(ParseMetricsListen("::1:9464", &o).ok());
  CHECK_FALSE(ParseMetricsListen("host:65536", &o).ok());
  CHECK_FALSE(ParseMetricsListen("host:99999999999999999999", &o).ok());
  CHECK_FALSE(ParseMetricsListen("host:-1", &o).ok());
  CHECK_FALSE(ParseMetricsListen("[::1:1", &o).ok());
  CHECK_FALSE(ParseMetricsListen(":9464", &o).ok());
}

}  // namespace
}  // namespace seqgate::control
