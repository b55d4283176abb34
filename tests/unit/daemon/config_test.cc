#include <doctest/doctest.h>

#include <sys/stat.h>

#include "daemon/daemon_config.h"
#include "support/temp_dir.h"

using namespace seqgate;
using namespace seqgate::daemon;

TEST_CASE("daemon config: every key of the example is read") {
  auto c = ParseDaemonConfig(R"(
[gateway]
site = "lab-x"
state_dir = "/var/lib/x"
log_level = "debug"
delivered_dir = "/srv/lims"
ship_failed_runs = false
[centre]
endpoint = "https://c:8443/files/"
client_cert = "/e/c.crt"
client_key = "/e/c.key"
ca = "/e/ca.crt"
[transfer]
parallel = 3
patch_size = "32MiB"
max_patch_size = "512MiB"
bandwidth = "Mon-Fri 08:00-18:00 20MB/s; unlimited"
stall_seconds = 30
[watch]
interval_seconds = 5
settle_seconds = 2.5
[[watch.root]]
path = "/data/a"
include = ["*.bam"]
[[watch.root]]
path = "/data/b"
generic = true
expected = ["*.fq.gz"]
[pipeline]
level = 5
)",
                             "t.toml");
  REQUIRE(c.ok());
  CHECK(c->site == "lab-x");
  CHECK(c->delivered_dir == "/srv/lims");
  CHECK(!c->ship_failed_runs);
  CHECK(c->parallel == 3);
  CHECK(c->patch_size == (32ull << 20));
  CHECK(c->max_patch_size == (512ull << 20));
  CHECK(c->settle_seconds == doctest::Approx(2.5));
  REQUIRE(c->roots.size() == 2);
  CHECK(c->roots[0].include == std::vector<std::string>{"*.bam"});
  CHECK(c->roots[1].generic);
  CHECK(c->pipeline.pack.level == 5);
}

TEST_CASE("daemon config: every mistake is reported with file, line and key") {
  auto c = ParseDaemonConfig(R"([gateway]
log_level = "loud"
[transfer]
parallel = 0
patch_size = "huge"
bandwidth = "fast"
[watch]
settle = 3
[[watch.root]]
depth = 4
[pipeline]
level = 99
[nonsense]
)",
                             "t.toml");
  REQUIRE(!c.ok());
  const std::string m = c.status().message();
  CHECK(m.find("t.toml:2: gateway.log_level: must be one of") != std::string::npos);
  CHECK(m.find("t.toml:4: transfer.parallel: must be an integer 1..64") != std::string::npos);
  CHECK(m.find("t.toml:5: transfer.patch_size: must be a byte size") != std::string::npos);
  CHECK(m.find("t.toml:6: transfer.bandwidth:") != std::string::npos);
  CHECK(m.find("t.toml:8: watch.settle: unknown key") != std::string::npos);
  CHECK(m.find("watch.root.path: every [[watch.root]] needs a path") != std::string::npos);
  CHECK(m.find("t.toml:12: pipeline.level") != std::string::npos);
  CHECK(m.find("nonsense: unknown key") != std::string::npos);
}

TEST_CASE("daemon config: a TOML syntax error names the line") {
  auto c = ParseDaemonConfig("[gateway]\nsite = \n", "t.toml");
  REQUIRE(!c.ok());
  CHECK(c.status().message().rfind("t.toml:2:", 0) == 0);
}

TEST_CASE("daemon config: the command line wins and the whole picture is checked") {
  testing::TempDir dir;
  const std::string root = dir.File("inst");
  REQUIRE(::mkdir(root.c_str(), 0755) == 0);
  const std::string cert = dir.Write("c.crt", "x");
  const std::string key = dir.Write("c.key", "x");
  const std::string ca = dir.Write("ca.crt", "x");
  const std::string file = dir.Write("s.toml", "[gateway]\nsite = \"from-file\"\n"
                                               "[[watch.root]]\npath = \"/nowhere/at/all\"\n");
  ConfigOverrides o;
  o.config_path = file;
  o.watch = {root};
  o.endpoint = "https://c/files/";
  o.client_cert = cert;
  o.client_key = key;
  o.ca = ca;
  o.state_dir = dir.File("state");
  o.site = "from-cli";
  ::chmod(key.c_str(), 0644);
  auto loose = LoadDaemonConfig(o);
  REQUIRE(!loose.ok());
  CHECK(loose.status().message().find("c.key") != std::string::npos);
  ::chmod(key.c_str(), 0600);
  auto c = LoadDaemonConfig(o);
  REQUIRE(c.ok());
  CHECK(c->site == "from-cli");
  REQUIRE(c->roots.size() == 1);  // --watch replaces the file's roots
  CHECK(c->roots[0].path == root);

  o.endpoint = "http://plain/files/";
  o.watch = {dir.File("missing")};
  auto bad = LoadDaemonConfig(o);
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("must be an https:// URL") != std::string::npos);
  CHECK(bad.status().message().find("is not a directory") != std::string::npos);
}
