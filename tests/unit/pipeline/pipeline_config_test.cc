#include <doctest/doctest.h>

#include <toml++/toml.h>

#include "pipeline/pipeline_config.h"
#include "support/temp_dir.h"

using namespace seqgate;
using namespace seqgate::pipeline;

TEST_CASE("a full [pipeline] section is read") {
  testing::TempDir dir;
  const std::string path = dir.Write("c.toml", R"(
[pipeline]
level = 5
frame_size = "16MiB"
threads = 3
md5 = false

[[pipeline.encoding]]
glob = "*.ora"
encoding = "identity"

[[pipeline.encoding]]
glob = "**/*.fastq"
encoding = "zstd"
)");
  auto c = LoadPipelineConfig(path);
  REQUIRE(c.ok());
  CHECK(c->pack.level == 5);
  CHECK(c->pack.frame_size == 16u << 20);
  CHECK(c->threads == 3);
  CHECK_FALSE(c->pack.md5);
  CHECK(c->encoding.rules().size() == 2);
  CHECK(c->encoding.Override("run/s.ora") == Encoding::kIdentity);
}

TEST_CASE("every bad key is reported with file, line and key") {
  testing::TempDir dir;
  const std::string path = dir.Write("bad.toml", R"([pipeline]
level = 40
frame_sise = "8MiB"
md5 = "yes"
[[pipeline.encoding]]
glob = "*.x"
encoding = "gzip"
)");
  auto c = LoadPipelineConfig(path);
  REQUIRE_FALSE(c.ok());
  const std::string& m = c.status().message();
  CHECK(m.find(path + ":2: pipeline.level") != std::string::npos);
  CHECK(m.find(path + ":3: pipeline.frame_sise: unknown key") != std::string::npos);
  CHECK(m.find(path + ":4: pipeline.md5") != std::string::npos);
  CHECK(m.find(path + ":7: pipeline.encoding.encoding") != std::string::npos);
}

TEST_CASE("TOML syntax errors and missing files name the file") {
  testing::TempDir dir;
  const std::string path = dir.Write("syntax.toml", "[pipeline]\nlevel = = 3\n");
  auto c = LoadPipelineConfig(path);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find(path + ":2:") != std::string::npos);
  auto missing = LoadPipelineConfig(dir.File("none.toml"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("none.toml") != std::string::npos);
}

TEST_CASE("no [pipeline] section means defaults") {
  auto c = ParsePipelineConfig(toml::parse("[other]\nx = 1\n"), "mem");
  REQUIRE(c.ok());
  CHECK(c->pack.level == 3);
  CHECK(c->pack.frame_size == 8u << 20);
  CHECK(c->pack.md5);
}
