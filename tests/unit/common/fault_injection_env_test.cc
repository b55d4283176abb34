// The power-cut model behind FaultInjectionEnv: what was fsynced survives PowerCut(), what was
// not is gone — data, creations, renames and removals alike.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/fault_injection_env.h"
#include "support/temp_dir.h"

using namespace seqgate;

namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

struct Fixture {
  testing::TempDir dir;
  std::string grave = dir.File("graveyard");
  std::string root = dir.File("root");
  PowerCutModel model{grave, 0};
  FaultInjectionEnv env{Env::Default(), &model};
  Fixture() {
    std::filesystem::create_directory(grave);
    std::filesystem::create_directory(root);
  }
  std::string P(const std::string& name) const { return root + "/" + name; }
  // A file created, written, fsynced and made durable in its directory.
  void Durable(const std::string& name, const std::string& content) {
    auto f = env.CreateWritable(P(name), 0644, CreateMode::kExclusive);
    REQUIRE(f.ok());
    REQUIRE((*f)->Append(AsBytes(content)).ok());
    REQUIRE((*f)->Sync().ok());
    REQUIRE((*f)->Close().ok());
    REQUIRE(env.SyncDir(root).ok());
  }
};

}  // namespace

TEST_CASE("a write not fsynced is dropped, a fsynced one survives") {
  Fixture fx;
  fx.Durable("a", "durable");
  auto f = fx.env.OpenReadWrite(fx.P("a"));
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(7, AsBytes("+synced")).ok());
  REQUIRE((*f)->Sync().ok());
  REQUIRE((*f)->WriteAt(14, AsBytes("+lost")).ok());
  CHECK(testing::ReadWhole(fx.P("a")) == "durable+synced+lost");  // the page cache sees everything
  fx.model.PowerCut();
  CHECK(testing::ReadWhole(fx.P("a")) == "durable+synced");
}

TEST_CASE("through a direct (uncached) file too: synced bytes survive, the rest is undone") {
  Fixture fx;
  fx.Durable("a", "durable");
  auto f = fx.env.OpenUncached(fx.P("a"));
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(7, AsBytes("+synced")).ok());
  REQUIRE((*f)->Sync().ok());
  REQUIRE((*f)->WriteAt(14, AsBytes("+lost")).ok());
  REQUIRE((*f)->Truncate(16).ok());  // writes out what was gathered, then cuts
  CHECK(testing::ReadWhole(fx.P("a")) == "durable+synced+l");
  fx.model.PowerCut();
  CHECK(testing::ReadWhole(fx.P("a")) == "durable+synced");
}

TEST_CASE("an unsynced overwrite and truncation of durable bytes are undone") {
  Fixture fx;
  fx.Durable("a", "0123456789");
  auto f = fx.env.OpenReadWrite(fx.P("a"));
  REQUIRE(f.ok());
  REQUIRE((*f)->WriteAt(2, AsBytes("xx")).ok());
  REQUIRE((*f)->Truncate(5).ok());
  REQUIRE((*f)->WriteAt(5, AsBytes("yyyyyyyyyyyy")).ok());
  CHECK(testing::ReadWhole(fx.P("a")) == "01xx4yyyyyyyyyyyy");
  fx.model.PowerCut();
  CHECK(testing::ReadWhole(fx.P("a")) == "0123456789");
}

TEST_CASE("a file whose directory was not fsynced disappears, even with its data synced") {
  Fixture fx;
  auto f = fx.env.CreateWritable(fx.P("new"), 0644, CreateMode::kExclusive);
  REQUIRE(f.ok());
  REQUIRE((*f)->Append(AsBytes("data")).ok());
  REQUIRE((*f)->Sync().ok());
  REQUIRE((*f)->Close().ok());
  REQUIRE(fx.env.CreateDir(fx.P("sub"), 0750).ok());
  fx.model.PowerCut();
  CHECK_FALSE(Exists(fx.P("new")));
  CHECK_FALSE(Exists(fx.P("sub")));
}

TEST_CASE("an unsynced rename over an existing file is undone; a synced one stays") {
  Fixture fx;
  fx.Durable("state", "old");
  fx.Durable("tmp1", "new");
  REQUIRE(fx.env.RenameFile(fx.P("tmp1"), fx.P("state"), /*replace=*/true).ok());
  CHECK(testing::ReadWhole(fx.P("state")) == "new");
  fx.model.PowerCut();
  CHECK(testing::ReadWhole(fx.P("state")) == "old");
  CHECK(testing::ReadWhole(fx.P("tmp1")) == "new");

  REQUIRE(fx.env.RenameFile(fx.P("tmp1"), fx.P("state"), /*replace=*/true).ok());
  REQUIRE(fx.env.SyncDir(fx.root).ok());
  fx.model.PowerCut();
  CHECK(testing::ReadWhole(fx.P("state")) == "new");
  CHECK_FALSE(Exists(fx.P("tmp1")));
}

TEST_CASE("a rename into another directory needs both directories fsynced") {
  Fixture fx;
  REQUIRE(fx.env.CreateDir(fx.P("d"), 0750).ok());
  REQUIRE(fx.env.SyncDir(fx.root).ok());
  fx.Durable("f", "x");
  REQUIRE(fx.env.RenameFile(fx.P("f"), fx.P("d/f"), /*replace=*/false).ok());
  REQUIRE(fx.env.SyncDir(fx.P("d")).ok());
  fx.model.PowerCut();
  CHECK(Exists(fx.P("f")));
  CHECK_FALSE(Exists(fx.P("d/f")));
}

TEST_CASE("an unsynced removal of a file or a tree is undone") {
  Fixture fx;
  fx.Durable("f", "keep me");
  REQUIRE(fx.env.CreateDir(fx.P("t"), 0750).ok());
  REQUIRE(fx.env.SyncDir(fx.root).ok());
  std::ofstream(fx.P("t/inner")) << "inner";
  REQUIRE(fx.env.RemoveFile(fx.P("f")).ok());
  REQUIRE(fx.env.RemoveTree(fx.P("t")).ok());
  CHECK_FALSE(Exists(fx.P("f")));
  CHECK_FALSE(Exists(fx.P("t")));
  fx.model.PowerCut();
  CHECK(testing::ReadWhole(fx.P("f")) == "keep me");
  CHECK(testing::ReadWhole(fx.P("t/inner")) == "inner");

  REQUIRE(fx.env.RemoveFile(fx.P("f")).ok());
  REQUIRE(fx.env.SyncDir(fx.root).ok());
  fx.model.PowerCut();
  CHECK_FALSE(Exists(fx.P("f")));
}

TEST_CASE("operations are counted for the armed cut") {
  Fixture fx;
  const uint64_t before = fx.model.ops();
  fx.Durable("a", "x");  // create, write, fsync, fsync-dir
  CHECK(fx.model.ops() - before == 4);
}
