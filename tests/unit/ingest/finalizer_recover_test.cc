// Finalizer::Recover reads a receipt back from the upload's own folder. A damaged disk can hand
// back anything there: Recover must say "corruption" and move nothing, never throw and never
// follow a stored path out of the storage tree.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "ingest/finalizer.h"
#include "temp_key.h"

namespace seqgate::ingest {
namespace {

namespace fs = std::filesystem;

// A storage root in a private temp folder, with a Finalizer over it.
struct World {
  std::string root;
  TempKey key{EVP_PKEY_ED25519};
  std::unique_ptr<UploadStore> store;
  std::optional<ReceiptSigner> signer;
  std::unique_ptr<Finalizer> finalizer;
  World() {
    char tmpl[] = "/tmp/seqgate-recover-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    root = std::string(tmpl) + "/storage";
    store = std::make_unique<UploadStore>(root);
    REQUIRE(store->Init().ok());
    auto s = ReceiptSigner::LoadPrivateKey(key.path);
    REQUIRE(s.ok());
    signer.emplace(std::move(*s));
    finalizer = std::make_unique<Finalizer>(*store, *signer, "centre");
  }
  ~World() { fs::remove_all(fs::path(root).parent_path()); }
};

void Put(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST_CASE("Recover refuses a damaged receipt and moves nothing") {
  World w;
  const UploadStore& store = *w.store;
  const Finalizer& finalizer = *w.finalizer;
  const std::string id(32, 'c');
  const std::string data = store.DataPath("lab-a", id);
  const std::string escape = fs::path(w.root).parent_path().string() + "/escaped";

  const char* damaged[] = {
      "[1, 2, 3]",
      R"({"receipt": "verified"})",
      R"({"receipt": {"status": 7, "stored_as": ["x"]}})",
      R"({"receipt": {"status": "verified", "stored_as": "../escaped"}})",
      R"({"receipt": {"status": "verified", "stored_as": "lab-a/../../escaped"}})",
      R"({"receipt": {"status": "verified", "stored_as": "/tmp/escaped"}})",
      R"({"receipt": {"status": "verified", "stored_as": ""}})",
  };
  for (const char* doc : damaged) {
    CAPTURE(doc);
    Put(data, "payload");
    Put(store.ReceiptPath("lab-a", id), doc);
    Status st = finalizer.Recover("lab-a", id);
    CHECK(st.code() == StatusCode::kCorruption);
    CHECK(fs::exists(data));
    CHECK_FALSE(fs::exists(escape));
  }
}

TEST_CASE("Recover finishes the move a clean receipt describes") {
  World w;
  const UploadStore& store = *w.store;
  const Finalizer& finalizer = *w.finalizer;
  const std::string id(32, 'd');
  Put(store.DataPath("lab-a", id), "payload");
  Put(store.ReceiptPath("lab-a", id),
      R"({"receipt": {"status": "verified", "stored_as": "lab-a/RUN1/a/b.txt", "run": "RUN1",
          "path": "a/b.txt"}})");
  REQUIRE(finalizer.Recover("lab-a", id).ok());
  CHECK_FALSE(fs::exists(store.DataPath("lab-a", id)));
  CHECK(fs::exists(w.root + "/lab-a/RUN1/a/b.txt"));
  CHECK(fs::exists(store.IndexPath("lab-a", "RUN1", "a/b.txt")));
}

}  // namespace
}  // namespace seqgate::ingest
