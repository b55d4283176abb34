#include "transfer/upload_state.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace seqgate::transfer {
namespace {

TEST_CASE("upload state round-trips through JSON and its file") {
  UploadState s;
  s.source_path = "/data/run/x.fastq";
  s.source = {1, 2, 3, 4, FileType::kRegular};
  s.endpoint = "https://c/files/";
  s.upload_url = "https://c/files/abc";
  s.frame_size = 1 << 20;
  s.encoding = pipeline::Encoding::kIdentity;
  pipeline::FrameRecord r{0, 0, 10, 0, 7, 0xdeadbeef, 0x1234567890abcdefULL};
  s.records = {r};
  s.packed = true;
  s.packed_size = 7;
  s.original_sha256 = std::string(64, 'a');
  s.acked_offset = 5;
  auto back = UploadStateFromJson(UploadStateToJson(s));
  REQUIRE(back.ok());
  CHECK(back->upload_url == s.upload_url);
  CHECK(back->records == s.records);
  CHECK(back->encoding == pipeline::Encoding::kIdentity);
  CHECK(back->acked_offset == 5u);
  CHECK(back->source == s.source);

  std::string path = std::string("/tmp/seqgate-state-test-") + std::to_string(::getpid()) + ".json";
  REQUIRE(SaveUploadState(path, s).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = LoadUploadState(path);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->records == s.records);
  ::unlink(path.c_str());
  auto missing = LoadUploadState(path);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("a damaged state file is reported, not trusted") {
  CHECK(UploadStateFromJson("{").status().code() == StatusCode::kCorruption);
  CHECK(UploadStateFromJson("{\"version\":1}").status().code() == StatusCode::kCorruption);
  CHECK(UploadStateFromJson("{\"version\":9}").status().code() == StatusCode::kUnsupported);
}

}  // namespace
}  // namespace seqgate::transfer
