#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "daemon/journal_upload_state.h"
#include "daemon/manifest.h"
#include "daemon/run_naming.h"

using namespace seqgate;
using namespace seqgate::daemon;

TEST_CASE("run naming: run id and flow cell, restricted to the centre's alphabet") {
  bridge::RunIdentity id;
  id.run_id = "20240202_LH00217_0001_A2241J2LT3";
  id.flow_cell = "2241J2LT3";
  CHECK(CentreRunName(id) == "20240202_LH00217_0001_A2241J2LT3");  // already contains it
  id.run_id = "1c9756ce";
  id.flow_cell = "PAK10002";
  CHECK(CentreRunName(id) == "1c9756ce_PAK10002");
  id.run_id = "../evil run/é";
  id.flow_cell = "";
  const std::string n = CentreRunName(id);
  CHECK(n.find('/') == std::string::npos);
  CHECK(n.find(' ') == std::string::npos);
  CHECK(n.find("..") != 0);
  id.run_id = std::string(300, 'a');
  CHECK(CentreRunName(id).size() == 128);
}

TEST_CASE("manifest: deterministic, sorted by path, with digests and outcome") {
  journal::RunRecord run;
  run.name = "RUN_A";
  run.run_id = "RUN_A";
  run.family = "illumina";
  run.state = "failed";
  run.outcome = "OutcomeFailed";
  run.metadata_json = R"({"model":"NovaSeq X"})";
  std::vector<journal::FileRecord> files(2);
  files[0].rel_path = "z.fastq";
  files[0].identity.size = 10;
  journal::PackedInfo z;
  z.encoding = "zstd";
  z.original_sha256 = std::string(64, 'a');
  z.original_md5 = std::string(32, 'b');
  z.packed_size = 5;
  files[0].packed = z;
  files[1].rel_path = "a.cram";
  files[1].identity.size = 20;
  journal::PackedInfo i;
  i.encoding = "identity";
  i.original_sha256 = std::string(64, 'c');
  i.packed_size = 20;
  files[1].packed = i;
  const std::string m1 = BuildManifest("lab-a", run, files);
  std::swap(files[0], files[1]);
  CHECK(BuildManifest("lab-a", run, files) == m1);  // same bytes whatever the order
  auto j = nlohmann::json::parse(m1);
  CHECK(j["run"] == "RUN_A");
  CHECK(j["outcome"] == "OutcomeFailed");
  CHECK(j["metadata"]["model"] == "NovaSeq X");
  REQUIRE(j["files"].size() == 2);
  CHECK(j["files"][0]["path"] == "a.cram");
  CHECK(j["files"][0]["encoding"] == "identity");
  CHECK(!j["files"][0].contains("md5"));
  CHECK(j["files"][1]["encoding"] == "zstd-seekable");
  CHECK(j["files"][1]["sha256"] == std::string(64, 'a'));
}

TEST_CASE("manifest: the run receipt is read from the centre's answer") {
  auto ok = ParseRunReceipt(
      R"({"receipt":{"status":"verified","run_receipt":{"status":"complete","reason":""}}})");
  REQUIRE(ok.ok());
  CHECK(ok->status == "complete");
  auto inc = ParseRunReceipt(
      R"({"receipt":{"run_receipt":{"status":"incomplete","reason":"not every file is verified"}}})");
  REQUIRE(inc.ok());
  CHECK(inc->reason == "not every file is verified");
  CHECK(!ParseRunReceipt("not json").ok());
  CHECK(!ParseRunReceipt(R"({"receipt":{"status":"verified"}})").ok());
}

TEST_CASE("journal ↔ upload state: a resumed upload sees what the uploader reported") {
  transfer::UploadState s;
  s.source_path = "/runs/a/x.fastq";
  s.endpoint = "https://c/files/";
  s.upload_url = "https://c/files/1";
  s.level = 5;
  s.frame_size = 1 << 20;
  s.md5 = false;
  s.encoding = pipeline::Encoding::kZstdSeekable;
  s.records.resize(3);
  s.packed = true;
  s.packed_size = 99;
  s.trailer_size = 33;
  s.original_size = 300;
  s.original_sha256 = std::string(64, 'e');
  s.acked_offset = 66;
  journal::UploadProgress p = ProgressOf(s);
  CHECK(p.frames == &s.records);
  REQUIRE(p.packed);
  CHECK(p.packed->trailer_size == 33);
  CHECK(!p.packed->original_md5);

  journal::FileRecord f;
  f.identity.size = 300;
  f.shape = p.shape;
  f.packed = p.packed;
  f.upload_url = p.upload_url;
  f.acked_offset = p.acked_offset;
  auto back = ResumeState(f, s.records, "/runs/moved/x.fastq", "https://c/files/");
  REQUIRE(back);
  CHECK(back->source_path == "/runs/moved/x.fastq");
  CHECK(back->level == 5);
  CHECK(!back->md5);
  CHECK(back->packed_size == 99);
  CHECK(back->acked_offset == 66);
  CHECK(back->records.size() == 3);
  // Another endpoint: that upload is abandoned, a new one starts.
  CHECK(!ResumeState(f, s.records, "/x", "https://other/files/"));
  f.shape.reset();
  CHECK(!ResumeState(f, {}, "/x", "https://c/files/"));
}
