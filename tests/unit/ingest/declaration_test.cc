#include "ingest/declaration.h"

#include <doctest/doctest.h>

namespace seqgate::ingest {
namespace {

const std::string kSha(64, 'a');
const std::string kMd5(32, 'b');

TEST_CASE("a full seqgate declaration parses and normalises the path") {
  Metadata m{{"seqgate-encoding", "zstd-seekable"},
             {"seqgate-run", "RUN_01"},
             {"seqgate-path", "Data//Intensities/./x.fastq"},
             {"seqgate-sha256", kSha},
             {"seqgate-md5", kMd5},
             {"filename", "ignored"}};
  auto d = ParseDeclaration(m);
  REQUIRE(d.ok());
  CHECK(d->encoding == ContentEncoding::kZstdSeekable);
  CHECK(d->path == "Data/Intensities/x.fastq");
  CHECK(d->placed());
  CHECK(d->sha256->hex() == kSha);
  CHECK(d->md5->hex() == kMd5);
}

TEST_CASE("plain tus metadata yields an unplaced identity declaration") {
  auto d = ParseDeclaration({{"filename", "a.txt"}});
  REQUIRE(d.ok());
  CHECK_FALSE(d->placed());
  CHECK(d->encoding == ContentEncoding::kIdentity);
}

TEST_CASE("a file upload may not take the run manifest's name") {
  auto file = ParseDeclaration({{"seqgate-run", "R"}, {"seqgate-path", "./seqgate-manifest.json"}});
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message().find("reserved for the run manifest") != std::string::npos);
  CHECK(
      ParseDeclaration({{"seqgate-run", "R"}, {"seqgate-path", "sub/seqgate-manifest.json"}}).ok());
  CHECK(ParseDeclaration({{"seqgate-kind", "manifest"},
                          {"seqgate-run", "R"},
                          {"seqgate-path", "seqgate-manifest.json"}})
            .ok());
}

TEST_CASE("bad declarations are refused") {
  CHECK_FALSE(ParseDeclaration({{"seqgate-encoding", "gzip"}}).ok());
  CHECK_FALSE(ParseDeclaration({{"seqgate-run", "R"}}).ok());   // run without path
  CHECK_FALSE(ParseDeclaration({{"seqgate-path", "a"}}).ok());  // path without run
  CHECK_FALSE(ParseDeclaration({{"seqgate-run", "../R"}, {"seqgate-path", "a"}}).ok());
  CHECK_FALSE(ParseDeclaration({{"seqgate-run", "R"}, {"seqgate-path", "../a"}}).ok());
  CHECK_FALSE(ParseDeclaration({{"seqgate-sha256", "xyz"}}).ok());
  CHECK_FALSE(ParseDeclaration({{"seqgate-sha256", std::string(63, 'a')}}).ok());
  CHECK_FALSE(ParseDeclaration({{"seqgate-shaa256", kSha}}).ok());     // typo must not pass
  CHECK_FALSE(ParseDeclaration({{"seqgate-kind", "manifest"}}).ok());  // needs a run
  CHECK_FALSE(ParseDeclaration({{"seqgate-kind", "manifest"},
                                {"seqgate-run", "R"},
                                {"seqgate-encoding", "zstd-seekable"}})
                  .ok());
}

TEST_CASE("late digests merge but may not contradict") {
  Declaration d;
  REQUIRE(MergeLateDigests({{"seqgate-sha256", kSha}}, &d).ok());
  CHECK(d.sha256->hex() == kSha);
  CHECK(MergeLateDigests({{"seqgate-sha256", kSha}}, &d).ok());
  CHECK_FALSE(MergeLateDigests({{"seqgate-sha256", std::string(64, 'c')}}, &d).ok());
  CHECK_FALSE(MergeLateDigests({{"seqgate-run", "R"}}, &d).ok());
}

}  // namespace
}  // namespace seqgate::ingest
