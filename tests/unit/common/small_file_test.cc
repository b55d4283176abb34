#include "common/small_file.h"

#include <sys/stat.h>

#include <doctest/doctest.h>

#include "support/temp_dir.h"

namespace seqgate {
namespace {

TEST_CASE("small files: absent is nullopt, a replacement is whole and private") {
  testing::TempDir dir;
  const std::string path = dir.File("state.json");
  auto none = ReadSmallFileIfExists(path);
  REQUIRE(none.ok());
  CHECK(!none->has_value());

  REQUIRE(ReplaceFileDurably(path, "first").ok());
  REQUIRE(ReplaceFileDurably(path, "second, longer").ok());
  auto back = ReadSmallFileIfExists(path);
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK(**back == "second, longer");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(::stat((path + ".tmp").c_str(), &st) != 0);  // nothing left behind
}

TEST_CASE("small files: an oversized file and an unwritable place fail naming the path") {
  testing::TempDir dir;
  const std::string path = dir.File("big");
  REQUIRE(ReplaceFileDurably(path, std::string(5000, 'x')).ok());
  auto big = ReadSmallFileIfExists(path, 4096);
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message().find(path) != std::string::npos);
  Status st = ReplaceFileDurably(dir.File("missing/dir/state"), "x");
  REQUIRE_FALSE(st.ok());
  CHECK(st.message().find("missing/dir/state") != std::string::npos);
}

}  // namespace
}  // namespace seqgate
