#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "crypt4gh/resume_state.h"
#include "support/temp_dir.h"
#include "unit/crypt4gh/c4gh_test_util.h"

using namespace seqgate;
using namespace seqgate::crypt4gh;
using seqgate::testing::Encrypt;
using seqgate::testing::TempDir;

namespace {

PublicKey NewPk() { return *PublicKeyOf(*GenerateSecretKey()); }

std::filesystem::path OnlyStateFile(const TempDir& dir) {
  std::filesystem::path found;
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    found = e.path();
    ++n;
  }
  REQUIRE(n == 1);
  return found;
}

}  // namespace

TEST_CASE("c4gh: stored parameters come back for the same source and recipients") {
  TempDir dir;
  const std::vector<PublicKey> rec = {NewPk()};
  auto first = LoadOrCreateParams(dir.path(), "run1/r1.fq.c4gh", "source-a", rec);
  REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  CHECK(first->fresh);
  struct stat st {};
  REQUIRE(::stat(OnlyStateFile(dir).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto again = LoadOrCreateParams(dir.path(), "run1/r1.fq.c4gh", "source-a", rec);
  REQUIRE(again.ok());
  CHECK_FALSE(again->fresh);
  const std::string plain = seqgate::testing::FastqLike(150000, 9);
  CHECK(*Encrypt(again->params, plain) == *Encrypt(first->params, plain));

  // A changed source or other recipients: new key, so no nonce meets different plaintext.
  auto changed = LoadOrCreateParams(dir.path(), "run1/r1.fq.c4gh", "source-b", rec);
  REQUIRE(changed.ok());
  CHECK(changed->fresh);
  CHECK_FALSE(changed->params.header.data_key == first->params.header.data_key);
  CHECK_FALSE(changed->params.segment_nonce_base == first->params.segment_nonce_base);
  auto other_rec = LoadOrCreateParams(dir.path(), "run1/r1.fq.c4gh", "source-b", {NewPk()});
  REQUIRE(other_rec.ok());
  CHECK(other_rec->fresh);

  // Another object gets its own file.
  REQUIRE(LoadOrCreateParams(dir.path(), "run1/r2.fq.c4gh", "source-b", rec).ok());
  REQUIRE(RemoveParams(dir.path(), "run1/r2.fq.c4gh").ok());
  REQUIRE(RemoveParams(dir.path(), "run1/r2.fq.c4gh").ok());
  OnlyStateFile(dir);
}

TEST_CASE("c4gh: a state file readable by others is refused, a damaged one reported") {
  TempDir dir;
  const std::vector<PublicKey> rec = {NewPk()};
  REQUIRE(LoadOrCreateParams(dir.path(), "obj", "src", rec).ok());
  const auto path = OnlyStateFile(dir);
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  auto r = LoadOrCreateParams(dir.path(), "obj", "src", rec);
  CHECK(r.status().code() == StatusCode::kPermissionDenied);
  CHECK(r.status().message().find("0600") != std::string::npos);

  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x7f');
  }
  r = LoadOrCreateParams(dir.path(), "obj", "src", rec);
  CHECK(r.status().code() == StatusCode::kCorruption);
  CHECK(r.status().message().find("damaged") != std::string::npos);
  REQUIRE(RemoveParams(dir.path(), "obj").ok());
  r = LoadOrCreateParams(dir.path(), "obj", "src", rec);
  REQUIRE(r.ok());
  CHECK(r->fresh);
}
