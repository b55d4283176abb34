#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/env.h"
#include "support/temp_dir.h"

using namespace seqgate;

TEST_CASE("OpenForRead reads what was written, positionally") {
  testing::TempDir dir;
  const std::string p = dir.Write("a.txt", "hello, world");
  auto f = Env::Default()->OpenForRead(p);
  REQUIRE(f.ok());
  uint8_t buf[5];
  auto n = (*f)->ReadAt(7, buf);
  REQUIRE(n.ok());
  CHECK(*n == 5);
  CHECK(AsChars({buf, 5}) == "world");
  auto tail = (*f)->ReadAt(10, buf);  // short read at end of file
  CHECK(*tail == 2);
  auto id = (*f)->Stat();
  CHECK(id->size == 12);
  CHECK(id->type == FileType::kRegular);
}

TEST_CASE("OpenForRead refuses what is not a regular file, without blocking") {
  testing::TempDir dir;
  auto d = Env::Default()->OpenForRead(dir.path());
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().message().find("directory") != std::string::npos);

  const std::string fifo = dir.File("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto p = Env::Default()->OpenForRead(fifo);  // must return, not wait for a writer
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message().find("FIFO") != std::string::npos);

  auto missing = Env::Default()->OpenForRead(dir.File("nope"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("nope") != std::string::npos);
}

TEST_CASE("Stat does not follow symlinks; identity change is described") {
  testing::TempDir dir;
  const std::string p = dir.Write("a", "x");
  REQUIRE(::symlink(p.c_str(), dir.File("link").c_str()) == 0);
  CHECK(Env::Default()->Stat(dir.File("link"))->type == FileType::kSymlink);
  FileIdentity a = *Env::Default()->Stat(p);
  FileIdentity b = a;
  b.size = 2;
  CHECK(a.DescribeChange(b).find("size 1 -> 2") != std::string::npos);
  CHECK(a.DescribeChange(a).empty());
}

TEST_CASE("CreateWritable appends, syncs and closes") {
  testing::TempDir dir;
  auto w = Env::Default()->CreateWritable(dir.File("out"), 0600);
  REQUIRE(w.ok());
  CHECK((*w)->Append(AsBytes("abc")).ok());
  CHECK((*w)->Append(AsBytes("def")).ok());
  CHECK((*w)->Sync().ok());
  CHECK((*w)->Close().ok());
  CHECK(Env::Default()->Stat(dir.File("out"))->size == 6);
  struct stat st {};
  REQUIRE(::stat(dir.File("out").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}
