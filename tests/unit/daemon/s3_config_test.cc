#include <doctest/doctest.h>

#include <sys/stat.h>

#include "crypt4gh/keys.h"
#include "daemon/daemon_config.h"
#include "support/temp_dir.h"

using namespace seqgate;
using namespace seqgate::daemon;

namespace {

bool Has(const Status& s, const std::string& what) {
  return s.message().find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("s3 config: tus stays the default and ignores [s3]") {
  auto c = ParseDaemonConfig("[centre]\nendpoint = \"https://c/files/\"\n", "t.toml");
  REQUIRE(c.ok());
  CHECK(c->protocol == "tus");
}

TEST_CASE("s3 config: every key is read") {
  auto c = ParseDaemonConfig(R"([centre]
protocol = "s3"
[s3]
endpoint = "https://inbox.example:8443"
bucket = "user_example.org"
region = "eu-north-1"
access_key_file = "/e/a"
secret_key_file = "/e/s"
token_file = "/e/t"
token_mode = "bearer"
part_size = "64MiB"
parallel_parts = 8
key_prefix = "lab-a/"
ca = "/e/ca.crt"
[crypt4gh]
recipients = ["/e/node.pub", "/e/dac.pub"]
)",
                             "t.toml");
  REQUIRE(c.ok());
  CHECK(c->protocol == "s3");
  CHECK(c->s3.endpoint == "https://inbox.example:8443");
  CHECK(c->s3.bucket == "user_example.org");
  CHECK(c->s3.region == "eu-north-1");
  CHECK(c->s3.token_mode == "bearer");
  CHECK(c->s3.part_size == 64ull << 20);
  CHECK(c->s3.parallel_parts == 8);
  CHECK(c->s3.key_prefix == "lab-a");  // trailing '/' dropped
  CHECK(c->s3.recipients.size() == 2);
}

TEST_CASE("s3 config: wrong values name file, line and key; inline secrets are refused") {
  auto c = ParseDaemonConfig(R"([centre]
protocol = "ftp"
[s3]
token_mode = "oauth"
part_size = "1MiB"
parallel_parts = 0
key_prefix = "a:b"
secret_key = "AKIASECRETVALUE"
bukcet = "x"
)",
                             "t.toml");
  REQUIRE(!c.ok());
  const Status& s = c.status();
  CHECK(Has(s, "t.toml:2: centre.protocol: must be tus or s3"));
  CHECK(Has(s, "t.toml:4: s3.token_mode: must be"));
  CHECK(Has(s, "t.toml:5: s3.part_size"));
  CHECK(Has(s, "t.toml:6: s3.parallel_parts"));
  CHECK(Has(s, "t.toml:7: s3.key_prefix"));
  CHECK(Has(s, "t.toml:8: s3.secret_key: secrets are not accepted inline"));
  CHECK(Has(s, "t.toml:9: s3.bukcet: unknown key"));
  CHECK(!Has(s, "AKIASECRETVALUE"));  // the secret is never echoed
}

TEST_CASE("s3 config: the final checks need credentials, owner-only secrets and recipients") {
  testing::TempDir dir;
  const std::string root = dir.File("inst");
  REQUIRE(::mkdir(root.c_str(), 0755) == 0);
  const std::string secret = dir.Write("s.key", "secret\n");
  const std::string access = dir.Write("a.key", "access\n");
  const std::string token = dir.Write("t.jwt", "x.y.z\n");
  ::chmod(access.c_str(), 0600);
  ::chmod(token.c_str(), 0600);
  ::chmod(secret.c_str(), 0644);  // readable by others: refused
  auto keys = crypt4gh::ParsePublicKeys(
      "-----BEGIN CRYPT4GH PUBLIC KEY-----\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
      "-----END CRYPT4GH PUBLIC KEY-----\n",
      "inline");
  REQUIRE(keys.ok());
  const std::string pub = dir.Write("node.pub", crypt4gh::FormatPublicKey((*keys)[0]));
  const std::string toml = "[gateway]\nstate_dir = \"" + dir.File("state") +
                           "\"\n[centre]\nprotocol = \"s3\"\n[s3]\n"
                           "endpoint = \"https://inbox.example/path\"\n"
                           "bucket = \"user\"\naccess_key_file = \"" +
                           access + "\"\nsecret_key_file = \"" + secret + "\"\ntoken_file = \"" +
                           token + "\"\n[crypt4gh]\nrecipients = [\"" + pub + "\", \"" +
                           dir.File("missing.pub") + "\"]\n[[watch.root]]\npath = \"" + root +
                           "\"\n";
  ConfigOverrides o;
  o.config_path = dir.Write("s.toml", toml);
  auto bad = LoadDaemonConfig(o);
  REQUIRE(!bad.ok());
  CHECK(Has(bad.status(), "s.toml:6: s3.endpoint:"));  // a path is not allowed
  CHECK(Has(bad.status(), "s.toml:9: s3.secret_key_file:"));
  CHECK(Has(bad.status(), "readable by its owner only"));
  CHECK(Has(bad.status(), "crypt4gh.recipients:"));
  CHECK(Has(bad.status(), "missing.pub"));
  CHECK(!Has(bad.status(), "centre.client_cert"));  // the inbox needs no [centre] certificate

  ::chmod(secret.c_str(), 0600);
  std::string fixed = toml;
  fixed.replace(fixed.find("/path"), 5, "");
  fixed.replace(fixed.find(", \"" + dir.File("missing.pub") + "\""),
                4 + dir.File("missing.pub").size(), "");
  o.config_path = dir.Write("ok.toml", fixed);
  auto ok = LoadDaemonConfig(o);
  CHECK_MESSAGE(ok.ok(), ok.status().ToString());
}
