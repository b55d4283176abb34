#include "ingest/config.h"

#include <doctest/doctest.h>

namespace seqgate::ingest {
namespace {

TEST_CASE("a full config parses") {
  auto c = ParseConfig(R"(
listen = "[::1]:8443"
storage = "/srv/seqgate"
receipt_key = "/etc/k.pem"
[tls]
cert = "c.pem"
key = "k.pem"
client_ca = "ca.pem"
tls13_only = true
[sites]
mapped_only = true
map = { "gw1.lab-a.example" = "lab-a" }
[limits]
max_upload_size = 1000
max_uploads_per_site = 3
)",
                       "test.toml");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->listen.host == "::1");
  CHECK(c->listen.port == 8443);
  CHECK(c->tls.tls13_only);
  CHECK(c->site_map.at("gw1.lab-a.example") == "lab-a");
  CHECK(c->limits.max_upload_size == 1000);
  CHECK(c->limits.max_uploads_per_site == 3);
  CHECK(ValidateConfig(*c).ok());
}

TEST_CASE("unknown keys are errors naming file, line and key") {
  auto c = ParseConfig("storage = \"/x\"\n[limits]\nmax_upload_sise = 5\n", "centre.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() == "centre.toml:3: unknown key 'limits.max_upload_sise'");
  auto top = ParseConfig("\n\nlissen = \"a:1\"\n", "c.toml");
  REQUIRE_FALSE(top.ok());
  CHECK(top.status().message() == "c.toml:3: unknown key 'lissen'");
}

TEST_CASE("wrong types, ranges and syntax are errors") {
  CHECK_FALSE(ParseConfig("threads = \"2\"\n", "t").ok());
  CHECK_FALSE(ParseConfig("threads = 0\n", "t").ok());
  CHECK_FALSE(ParseConfig("listen = \"nohost\"\n", "t").ok());
  CHECK_FALSE(ParseConfig("listen = \"h:70000\"\n", "t").ok());
  CHECK_FALSE(ParseConfig("[limits]\nmax_upload_size = -1\n", "t").ok());
  auto syntax = ParseConfig("storage = \n", "s.toml");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.status().message().rfind("s.toml:1:", 0) == 0);
}

TEST_CASE("validation requires the essential keys") {
  IngestConfig c;
  CHECK_FALSE(ValidateConfig(c).ok());
  c.storage = "/s";
  c.tls = {"c", "k", "ca", "", false};
  c.receipt_key = "r";
  CHECK(ValidateConfig(c).ok());
  c.base_path = "files";
  CHECK_FALSE(ValidateConfig(c).ok());
}

TEST_CASE("host:port parsing") {
  CHECK(ParseHostPort("127.0.0.1:0")->port == 0);
  CHECK(ParseHostPort("localhost:9464")->host == "localhost");
  CHECK_FALSE(ParseHostPort(":80").ok());
  CHECK_FALSE(ParseHostPort("[::1]80").ok());
  CHECK_FALSE(ParseHostPort("h:8x").ok());
}

}  // namespace
}  // namespace seqgate::ingest

namespace seqgate::ingest {
namespace {

TEST_CASE("the shipped example config parses and validates") {
  auto c = LoadConfigFile(std::string(SEQGATE_SOURCE_DIR) + "/config/seqgate-ingest.example.toml");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(ValidateConfig(*c).ok());
  CHECK(c->metrics.host == "127.0.0.1");  // observability stays local by default
  CHECK(c->limits.max_upload_size == (4ull << 40));
  CHECK(c->limits.max_handshakes_per_address == 16);
}

}  // namespace
}  // namespace seqgate::ingest
