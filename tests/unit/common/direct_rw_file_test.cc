// Direct (page-cache-bypassing) upload files: whatever the pattern of writes, syncs and cuts, the
// file ends up holding exactly what an ordinary file would — and its bytes are not cached.
#include "common/direct_rw_file.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "unit/common/digest_peers.h"

namespace seqgate {
namespace {


std::string AsString(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

// Pages of `path` in the page cache.
size_t CachedPages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  const size_t size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  REQUIRE(map != MAP_FAILED);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((size + page - 1) / page);
  REQUIRE(::mincore(map, size, in.data()) == 0);
  ::munmap(map, size);
  size_t n = 0;
  for (unsigned char c : in) n += c & 1;
  return n;
}

struct Fixture {
  testing::TempDir dir;
  std::string path = dir.Write("upload", "");
  std::unique_ptr<RandomRWFile> Open() {
    auto f = OpenDirectRW(path);
    REQUIRE_MESSAGE(f.ok(), f.status().ToString());
    return std::move(*f);
  }
};

TEST_CASE("the test directory's filesystem does direct I/O, so the direct path is what runs") {
  Fixture fx;
  CHECK(OpenDirectRW(fx.path).ok());
}

TEST_CASE("uneven pieces with syncs at odd offsets give the same bytes, and nothing cached") {
  Fixture fx;
  const std::vector<uint8_t> data = test::RandomBytes((9u << 20) + 1234, 7);
  std::mt19937 rng(11);
  {
    auto f = fx.Open();
    size_t at = 0;
    while (at < data.size()) {
      const size_t take = std::min<size_t>(data.size() - at, 1 + rng() % (400u << 10));
      REQUIRE(f->WriteAt(at, {data.data() + at, take}).ok());
      at += take;
      if (rng() % 4 == 0) {
        REQUIRE(f->Sync().ok());
        // What was written before a Sync is in the file, at its true size.
        struct stat st {};
        REQUIRE(::fstat(f->fd(), &st) == 0);
        CHECK(static_cast<size_t>(st.st_size) == at);
      }
    }
    REQUIRE(f->Sync().ok());
  }
  const std::string got = testing::ReadWhole(fx.path);
  CHECK(got.size() == data.size());
  CHECK(got == AsString(data));
  // Reading it above cached what was read; a fresh file written the same way is not cached.
  Fixture fy;
  {
    auto f = fy.Open();
    REQUIRE(f->WriteAt(0, {data.data(), data.size()}).ok());
    REQUIRE(f->Sync().ok());
  }
  CHECK(CachedPages(fy.path) <= 2);  // at most the partial last block, read back to pad it
}

TEST_CASE("a sync at an aligned size, then more bytes: nothing to keep, nothing lost") {
  Fixture fx;
  const std::vector<uint8_t> a = test::RandomBytes((1u << 20) + 8192, 6);
  auto f = fx.Open();
  REQUIRE(f->WriteAt(0, {a.data(), 1u << 20}).ok());
  REQUIRE(f->Sync().ok());  // exactly one buffer: no partial block to keep
  REQUIRE(f->WriteAt(1u << 20, {a.data() + (1u << 20), 8192}).ok());
  REQUIRE(f->Sync().ok());
  REQUIRE(f->WriteAt(a.size(), AsBytes("tail")).ok());
  REQUIRE(f->Sync().ok());
  CHECK(testing::ReadWhole(fx.path) == AsString(a) + "tail");
}

TEST_CASE("a cut below unsynced bytes drops them; writing on from the cut continues the file") {
  Fixture fx;
  const std::vector<uint8_t> a = test::RandomBytes(5000, 1), b = test::RandomBytes(3000, 2);
  auto f = fx.Open();
  REQUIRE(f->WriteAt(0, {a.data(), a.size()}).ok());
  REQUIRE(f->Sync().ok());
  REQUIRE(f->WriteAt(a.size(), {b.data(), b.size()}).ok());  // staged, then discarded
  REQUIRE(f->Truncate(a.size()).ok());
  CHECK(testing::ReadWhole(fx.path) == AsString(a));
  REQUIRE(f->WriteAt(a.size(), {b.data(), 1000}).ok());
  REQUIRE(f->Sync().ok());
  CHECK(testing::ReadWhole(fx.path) == AsString(a) + AsString(b).substr(0, 1000));
  REQUIRE(f->Truncate(777).ok());
  CHECK(testing::ReadWhole(fx.path) == AsString(a).substr(0, 777));
}

TEST_CASE("a write inside the file keeps the bytes around it; one past its end leaves zeros") {
  Fixture fx;
  const std::vector<uint8_t> a = test::RandomBytes(10000, 3);
  {
    auto f = fx.Open();
    REQUIRE(f->WriteAt(0, {a.data(), a.size()}).ok());
    REQUIRE(f->Sync().ok());
    REQUIRE(f->WriteAt(3001, AsBytes("0123456789")).ok());
    REQUIRE(f->Sync().ok());
  }
  std::string want = AsString(a);
  want.replace(3001, 10, "0123456789");
  CHECK(testing::ReadWhole(fx.path) == want);
  {
    auto f = fx.Open();  // a new handle starts from what the file holds
    REQUIRE(f->WriteAt(12345, AsBytes("end")).ok());
    REQUIRE(f->Sync().ok());
  }
  want += std::string(12345 - want.size(), '\0') + "end";
  CHECK(testing::ReadWhole(fx.path) == want);
}

TEST_CASE("closing without a Sync still leaves what was written in the file") {
  Fixture fx;
  const std::vector<uint8_t> a = test::RandomBytes(70000, 4);
  {
    auto f = fx.Open();
    REQUIRE(f->WriteAt(0, {a.data(), a.size()}).ok());
  }
  CHECK(testing::ReadWhole(fx.path) == AsString(a));
}

// Descriptors of this process open on the file at `path`.
int OpenDescriptors(const std::string& path) {
  struct stat want {};
  REQUIRE(::stat(path.c_str(), &want) == 0);
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    struct stat st {};
    if (::stat(e.path().c_str(), &st) == 0 && st.st_ino == want.st_ino &&
        st.st_dev == want.st_dev) {
      ++n;
    }
  }
  return n;
}

TEST_CASE("between bodies a direct file holds one descriptor; a renamed file is written on") {
  Fixture fx;
  const std::vector<uint8_t> a = test::RandomBytes(5u << 20, 6);
  auto f = fx.Open();
  CHECK(OpenDescriptors(fx.path) == 1);
  REQUIRE(f->WriteAt(0, {a.data(), 3u << 20}).ok());  // whole buffers went out directly
  CHECK(OpenDescriptors(fx.path) == 2);
  REQUIRE(f->Sync().ok());
  CHECK(OpenDescriptors(fx.path) == 1);
  // The next body's descriptor is the same file even when its path now names another.
  const std::string moved = fx.path + ".moved";
  REQUIRE(::rename(fx.path.c_str(), moved.c_str()) == 0);
  fx.dir.Write("upload", "a stranger");
  REQUIRE(f->WriteAt(3u << 20, {a.data() + (3u << 20), 2u << 20}).ok());
  REQUIRE(f->Sync().ok());
  CHECK(OpenDescriptors(moved) == 1);
  CHECK(CachedPages(moved) <= 2);  // (before reading it back fills the cache)
  CHECK(testing::ReadWhole(moved) == AsString(a));
  CHECK(testing::ReadWhole(fx.path) == "a stranger");
}

TEST_CASE("the POSIX Env's OpenUncached gives a direct file where the filesystem allows") {
  Fixture fx;
  const std::vector<uint8_t> a = test::RandomBytes(3u << 20, 5);
  {
    auto f = Env::Default()->OpenUncached(fx.path);
    REQUIRE(f.ok());
    REQUIRE((*f)->WriteAt(0, {a.data(), a.size()}).ok());
    REQUIRE((*f)->Sync().ok());
  }
  CHECK(CachedPages(fx.path) <= 2);
  CHECK(testing::ReadWhole(fx.path) == AsString(a));
}

}  // namespace
}  // namespace seqgate
