// StagingSpace: reservations against the free space an Env reports, with the journal's floor.
#include "daemon/staging_space.h"

#include <doctest/doctest.h>

#include "common/error_class.h"

namespace seqgate::daemon {
namespace {

// The real filesystem, except that the free space is whatever the test says.
class SpaceEnv final : public Env {
 public:
  uint64_t free = 0;
  Status fail;  // returned by AvailableBytes when not OK

  Result<uint64_t> AvailableBytes(const std::string&) override {
    if (!fail.ok()) return fail;
    return free;
  }
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& p) override {
    return Env::Default()->OpenForRead(p);
  }
  Result<std::unique_ptr<WritableFile>> CreateWritable(const std::string& p, uint32_t m,
                                                       CreateMode how) override {
    return Env::Default()->CreateWritable(p, m, how);
  }
  Result<std::unique_ptr<RandomRWFile>> OpenReadWrite(const std::string& p) override {
    return Env::Default()->OpenReadWrite(p);
  }
  Status CreateDir(const std::string& p, uint32_t m) override { return Env::Default()->CreateDir(p, m); }
  Status SyncDir(const std::string& p) override { return Env::Default()->SyncDir(p); }
  Status RenameFile(const std::string& a, const std::string& b, bool r) override {
    return Env::Default()->RenameFile(a, b, r);
  }
  Status RemoveFile(const std::string& p) override { return Env::Default()->RemoveFile(p); }
  Status RemoveTree(const std::string& p) override { return Env::Default()->RemoveTree(p); }
  Result<FileIdentity> Stat(const std::string& p) override { return Env::Default()->Stat(p); }
};

constexpr uint64_t kMiB = 1ull << 20;

TEST_CASE("staging space: reservations count against the free space, less the journal's floor") {
  SpaceEnv env;
  env.free = StagingSpace::kFloorBytes + 100 * kMiB;
  StagingSpace space(env, "/state/s3-staging");

  auto a = space.Reserve("run/a.fastq", 60 * kMiB);
  REQUIRE(a.ok());
  CHECK(space.reserved() == 60 * kMiB);

  // 40 MiB are left for others: 50 do not fit while `a` stages, and the refusal says why.
  auto b = space.Reserve("run/b.fastq", 50 * kMiB);
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().code() == StatusCode::kResourceExhausted);
  CHECK(IsTransient(b.status()));
  const std::string m = b.status().message();
  CHECK(m.find("run/b.fastq") != std::string::npos);
  CHECK(m.find("/state/s3-staging") != std::string::npos);
  CHECK(m.find(std::to_string(50 * kMiB)) != std::string::npos);
  CHECK(m.find(std::to_string(60 * kMiB) + " reserved") != std::string::npos);

  CHECK(space.Reserve("run/c.fastq", 40 * kMiB).ok());  // exactly what is left (released at once)
  CHECK(space.reserved() == 60 * kMiB);
}

TEST_CASE("staging space: a reservation is released when its staging ends") {
  SpaceEnv env;
  env.free = StagingSpace::kFloorBytes + 10 * kMiB;
  StagingSpace space(env, "/s");
  {
    auto a = space.Reserve("a", 10 * kMiB);
    REQUIRE(a.ok());
    CHECK_FALSE(space.Reserve("b", 1).ok());
    StagingSpace::Reservation moved = std::move(*a);  // a moved-from reservation releases nothing
    CHECK(space.reserved() == 10 * kMiB);
  }
  CHECK(space.reserved() == 0);
  CHECK(space.Reserve("b", 10 * kMiB).ok());
}

TEST_CASE("staging space: below the floor nothing is staged, not even an empty file") {
  SpaceEnv env;
  env.free = StagingSpace::kFloorBytes - 1;
  StagingSpace space(env, "/s");
  CHECK_FALSE(space.Reserve("one byte", 1).ok());
  CHECK_FALSE(space.Reserve("an empty file", StagingSpace::UpperBound(0)).ok());
}

TEST_CASE("staging space: a failing free-space query is passed on") {
  SpaceEnv env;
  env.fail = IoError("statvfs /s: Input/output error");
  StagingSpace space(env, "/s");
  auto r = space.Reserve("a", 1);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kIoError);
  CHECK(space.reserved() == 0);
}

TEST_CASE("staging space: the upper bound covers zstd's worst case and Crypt4GH's overhead") {
  for (uint64_t n : {0ull, 1ull, 65536ull, 1ull << 30, 100ull << 30}) {
    const uint64_t bound = StagingSpace::UpperBound(n);
    const uint64_t zstd_worst = n + (n >> 8) + (n < (128u << 10) ? ((128u << 10) - n) >> 11 : 0);
    const uint64_t c4gh = (zstd_worst / 65536 + 1) * 28 + 1024;
    CHECK(bound >= zstd_worst + c4gh);
    CHECK(bound <= n + n / 64 + (2u << 20));  // and stays a bound, not a blanket refusal
  }
}

}  // namespace
}  // namespace seqgate::daemon
