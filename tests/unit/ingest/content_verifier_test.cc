#include "ingest/content_verifier.h"

#include <doctest/doctest.h>

#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace seqgate::ingest {
namespace {

TEST_CASE("identity content is hashed across pieces and compared") {
  std::string data(3'000'000, 'x');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>(i);
  Digest sha = ComputeDigest(DigestAlgorithm::kSha256, AsBytes(data));
  Digest md5 = ComputeDigest(DigestAlgorithm::kMd5, AsBytes(data));
  auto v = ContentVerifier::Create(ContentEncoding::kIdentity);
  for (size_t at = 0; at < data.size(); at += 65536) {
    REQUIRE(v->Consume(AsBytes(std::string_view(data).substr(at, 65536))).ok());
  }
  CHECK(v->consumed() == data.size());
  auto r = v->Finish(sha, md5);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->sha256 == sha);
  CHECK(r->md5 == md5);
  CHECK(r->original_size == data.size());
}

TEST_CASE("a digest mismatch is corruption naming the digest") {
  auto v = ContentVerifier::Create(ContentEncoding::kIdentity);
  REQUIRE(v->Consume(AsBytes("hello")).ok());
  auto r = v->Finish(ComputeDigest(DigestAlgorithm::kSha256, AsBytes("hellO")), std::nullopt);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kCorruption);
  CHECK(r.status().message().find("sha256") != std::string::npos);
}

TEST_CASE("an MD5 declared only at the end is checked from the same single pass") {
  std::string data(2'500'000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 40503u) >> 7);
  const Digest sha = ComputeDigest(DigestAlgorithm::kSha256, AsBytes(data));
  const Digest md5 = ComputeDigest(DigestAlgorithm::kMd5, AsBytes(data));
  for (bool right : {true, false}) {
    CAPTURE(right);
    // Created before anyone said MD5 would be wanted, as for a PATCH without seqgate-md5.
    auto v = ContentVerifier::Create(ContentEncoding::kIdentity);
    REQUIRE(v->Consume(AsBytes(data)).ok());
    Digest declared = md5;
    if (!right) declared.bytes[15] ^= 1;
    auto r = v->Finish(sha, declared);
    if (right) {
      REQUIRE_MESSAGE(r.ok(), r.status().ToString());
      CHECK(r->md5 == md5);
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message().find("md5 mismatch: expected " + declared.hex() + ", got " +
                                      md5.hex()) != std::string::npos);
    }
  }
}

TEST_CASE("bytes that are no zstd stream fail zstd-seekable verification") {
  auto v = ContentVerifier::Create(ContentEncoding::kZstdSeekable);
  std::string junk(200000, 'j');
  Status st = v->Consume(AsBytes(junk));  // may fail now or at Finish: both are fine
  auto r = v->Finish(std::nullopt, std::nullopt);
  CHECK_FALSE(r.ok());
  if (!st.ok()) CHECK(st.code() != StatusCode::kOk);
}

}  // namespace
}  // namespace seqgate::ingest

#include <fcntl.h>
#include <unistd.h>

namespace seqgate::ingest {
namespace {

TEST_CASE("a file range is verified in order before bytes consumed after it") {
  std::string data(5'000'000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
  char path[] = "/tmp/seqgate-verifier-range-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, data.data(), 3'000'000) == 3'000'000);
  auto v = ContentVerifier::Create(ContentEncoding::kIdentity);
  REQUIRE(v->ConsumeFileRange(fd, 0, 3'000'000).ok());
  close(fd);  // the verifier keeps its own descriptor
  unlink(path);
  CHECK(v->consumed() == 3'000'000);
  REQUIRE(v->Consume(AsBytes(std::string_view(data).substr(3'000'000))).ok());
  auto r = v->Finish(ComputeDigest(DigestAlgorithm::kSha256, AsBytes(data)), std::nullopt);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->original_size == data.size());
}

// What EndChunkDigest hands out, waited for from the test's thread.
struct ChunkResult {
  std::mutex mu;
  std::condition_variable cv;
  int calls = 0;
  std::optional<Digest> digest;
  ContentVerifier::ChunkDone Callback() {
    return [this](std::optional<Digest> d) {
      std::lock_guard lk(mu);
      ++calls;
      digest = d;
      cv.notify_all();
    };
  }
  std::optional<Digest> Wait() {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return calls > 0; });
    return digest;
  }
};

TEST_CASE("chunk digests travel through the verifier's queue in order with the bytes") {
  std::string data(6'000'000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 11);
  char path[] = "/tmp/seqgate-verifier-chunk-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, data.data(), 1'000'010) == 1'000'010);
  auto v = ContentVerifier::Create(ContentEncoding::kIdentity);
  CHECK(v->CanChunkDigest());
  // A file range first (a catch-up), then a chunk fed from memory, then a second one.
  REQUIRE(v->ConsumeFileRange(fd, 0, 1'000'010).ok());
  close(fd);
  unlink(path);
  CHECK_FALSE(v->BeginChunkDigest());  // 1'000'010 is no multiple of 64
  REQUIRE(v->Consume(AsBytes(std::string_view(data).substr(1'000'010, 54))).ok());
  REQUIRE(v->BeginChunkDigest());  // 1'000'064 is
  const std::string_view one = std::string_view(data).substr(1'000'064, 2'999'936);
  for (size_t at = 0; at < one.size(); at += 1 << 20) {
    REQUIRE(v->Consume(AsBytes(one.substr(at, 1 << 20))).ok());
  }
  ChunkResult first;
  v->EndChunkDigest(first.Callback());
  REQUIRE(v->BeginChunkDigest());
  const std::string_view two = std::string_view(data).substr(4'000'000);
  REQUIRE(v->Consume(AsBytes(two)).ok());
  ChunkResult second;
  v->EndChunkDigest(second.Callback());
  auto a = first.Wait(), b = second.Wait();
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->hex() == ComputeDigest(DigestAlgorithm::kSha256, AsBytes(one)).hex());
  CHECK(b->hex() == ComputeDigest(DigestAlgorithm::kSha256, AsBytes(two)).hex());
  auto r = v->Finish(ComputeDigest(DigestAlgorithm::kSha256, AsBytes(data)), std::nullopt);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(first.calls == 1);
  CHECK(second.calls == 1);
}

TEST_CASE("zstd uploads and failed verifiers give no chunk digests") {
  auto zstd = ContentVerifier::Create(ContentEncoding::kZstdSeekable);
  CHECK_FALSE(zstd->CanChunkDigest());
  CHECK_FALSE(zstd->BeginChunkDigest());

  // A file range that cannot be read fails the verifier on its own thread: a chunk begun
  // before that is answered with no digest rather than a digest of fewer bytes.
  auto v = ContentVerifier::Create(ContentEncoding::kIdentity);
  REQUIRE(v->BeginChunkDigest());
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  close(pipefd[1]);
  REQUIRE(v->ConsumeFileRange(pipefd[0], 0, 4096).ok());  // reads 0 bytes: "shorter than"
  close(pipefd[0]);
  ChunkResult owed;
  v->EndChunkDigest(owed.Callback());
  CHECK_FALSE(owed.Wait().has_value());
  CHECK_FALSE(v->Finish(std::nullopt, std::nullopt).ok());
  CHECK(owed.calls == 1);
}

// Pages of `fd`'s first `size` bytes that are in the page cache.
size_t ResidentPages(int fd, size_t size) {
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  REQUIRE(map != MAP_FAILED);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((size + page - 1) / page);
  REQUIRE(mincore(map, size, in.data()) == 0);
  munmap(map, size);
  size_t n = 0;
  for (unsigned char c : in) n += c & 1;
  return n;
}

TEST_CASE("a durable file range, once verified, leaves the page cache") {
  // The centre never reads upload data again; keeping it cached would only evict other
  // files, and recycled pages are far cheaper than fresh ones.
  std::string data(8u << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 40503u) >> 9);
  const std::string dir = std::filesystem::temp_directory_path().string();
  struct statfs fs {};
  REQUIRE(statfs(dir.c_str(), &fs) == 0);
  if (fs.f_type == TMPFS_MAGIC) {
    MESSAGE("skipped: " << dir << " is tmpfs, whose pages are the file itself");
    return;
  }
  std::string path = dir + "/seqgate-verifier-cache-XXXXXX";
  int fd = mkstemp(path.data());
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  REQUIRE(fdatasync(fd) == 0);  // acknowledged bytes are durable before they are read back
  const size_t pages = data.size() / static_cast<size_t>(sysconf(_SC_PAGESIZE));
  CHECK(ResidentPages(fd, data.size()) > pages / 2);  // just written: cached
  auto v = ContentVerifier::Create(ContentEncoding::kIdentity);
  REQUIRE(v->ConsumeFileRange(fd, 0, data.size()).ok());
  auto r = v->Finish(ComputeDigest(DigestAlgorithm::kSha256, AsBytes(data)), std::nullopt);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(ResidentPages(fd, data.size()) == 0);
  close(fd);
  unlink(path.c_str());
}

}  // namespace
}  // namespace seqgate::ingest
