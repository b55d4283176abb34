// LiveUpload feeds a checksummed body's staged bytes to the verifier before their digest is
// known. When such a chunk is discarded, the verifier must forget it: the upload's digests are
// those of the acknowledged bytes only, however many chunks were thrown away.
#include "ingest/live_upload.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "ingest/upload_store.h"
#include "support/temp_dir.h"

namespace seqgate::ingest {
namespace {

std::string Sha256Hex(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  REQUIRE(EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr) == 1);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

struct World {
  testing::TempDir dir;
  std::unique_ptr<UploadStore> store;
  const std::string site = "lab-a";
  const std::string id = std::string(32, 'a');
  World() {
    store = std::make_unique<UploadStore>(dir.File("storage"));
    REQUIRE(store->Init().ok());
    UploadInfo info;
    info.site = site;
    info.id = id;
    REQUIRE(store->Create(info, UploadProgress{}).ok());
  }

  std::unique_ptr<LiveUpload> Open() {
    auto up = LiveUpload::Open(*store, site, id);
    REQUIRE(up.ok());
    return std::move(*up);
  }
};

// Stages `bytes` at the upload's offset as a checksummed body does: written and fed.
void Stage(LiveUpload& up, const std::string& bytes) {
  const uint64_t at = up.progress().offset;
  REQUIRE(up.WriteAt(at, AsBytes(bytes)).ok());
  up.FeedIfInOrder(at, AsBytes(bytes), /*staged=*/true);
}

void Accept(LiveUpload& up, const std::string& bytes) {
  Stage(up, bytes);
  REQUIRE(up.Commit(up.progress().offset + bytes.size(), 0).ok());
}

std::string Verified(LiveUpload& up) {
  REQUIRE(up.CatchUp().ok());
  auto s = up.verifier().Finish(std::nullopt, std::nullopt);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  CHECK(s->original_size == up.progress().offset);
  return s->sha256.hex();
}

TEST_CASE("staged bytes are verified from memory once accepted") {
  World w;
  auto up = w.Open();
  Accept(*up, "first chunk,");
  Accept(*up, "second chunk");
  CHECK(up->verifier().consumed() == 24);
  CHECK(Verified(*up) == Sha256Hex("first chunk,second chunk"));
}

TEST_CASE("a discarded chunk the verifier had seen is forgotten; later chunks still count") {
  World w;
  auto up = w.Open();
  Accept(*up, "good one,");
  Stage(*up, "corrupted chunk");
  REQUIRE(up->DiscardStaged().ok());  // 460: its digest did not match
  Stage(*up, "bad again");
  REQUIRE(up->DiscardStaged().ok());
  Accept(*up, "good two");
  // The file on disk and the verifier's digest both hold only the accepted chunks.
  CHECK(Verified(*up) == Sha256Hex("good one,good two"));
  CHECK(testing::ReadWhole(up->data_path()) == "good one,good two");
}

TEST_CASE("an upload reopened after a crash mid-chunk verifies only what was acknowledged") {
  World w;
  {
    auto up = w.Open();
    Accept(*up, "acknowledged|");
    Stage(*up, "staged but never acknowledged");
  }  // gone without a discard, as in a crash
  auto up = w.Open();
  CHECK(up->progress().offset == 13);
  Accept(*up, "after restart");
  CHECK(Verified(*up) == Sha256Hex("acknowledged|after restart"));
}

}  // namespace
}  // namespace seqgate::ingest
