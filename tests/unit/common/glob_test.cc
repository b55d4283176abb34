#include <doctest/doctest.h>

#include "common/glob.h"

namespace seqgate {

TEST_CASE("glob: basename patterns match anywhere, anchored patterns from the root") {
  CHECK(GlobMatch("*.fastq.gz", "Analysis/1/Data/fastq/S1_L001_R1_001.fastq.gz"));
  CHECK(GlobMatch("*.fastq.gz", "x.fastq.gz"));
  CHECK_FALSE(GlobMatch("*.fastq.gz", "x.fastq.gz.tmp"));
  CHECK(GlobMatch("/RunInfo.xml", "RunInfo.xml"));
  CHECK_FALSE(GlobMatch("/RunInfo.xml", "Analysis/1/RunInfo.xml"));
  CHECK(GlobMatch("Analysis/*/Manifest.tsv", "Analysis/2/Manifest.tsv"));
  CHECK_FALSE(GlobMatch("Analysis/*/Manifest.tsv", "Analysis/2/x/Manifest.tsv"));
}

TEST_CASE("glob: ** crosses directories, also zero of them - * and ? never cross '/'") {
  CHECK(GlobMatch("Analysis/*/Data/Reports/**", "Analysis/1/Data/Reports/a/b.csv"));
  CHECK(GlobMatch("a/**/b*.txt", "a/c/d/b1.txt"));
  CHECK(GlobMatch("a/**/b*.txt", "a/b1.txt"));
  CHECK(GlobMatch("**/x*y", "a/xq/b/xzy"));
  CHECK_FALSE(GlobMatch("a/*.txt", "a/b/c.txt"));
  CHECK_FALSE(GlobMatch("a?b", "a/b"));
  CHECK(GlobMatch("L0[1-8]", "L03"));
  CHECK_FALSE(GlobMatch("L0[1-8]", "L09"));
  CHECK(GlobMatch("[!a]bc", "xbc"));
  CHECK_FALSE(GlobMatch("[!a]bc", "abc"));
  CHECK(GlobMatch("[Rr]unParameters.xml", "runParameters.xml"));
  CHECK(GlobMatch("a[b", "a[b"));  // unterminated class is literal
}

TEST_CASE("glob: more edge cases") {
  CHECK(GlobMatch("*.fastq", "dir/sub/x.fastq"));            // no '/': basename match
  CHECK_FALSE(GlobMatch("dir/*.fastq", "dir/sub/x.fastq"));  // '*' does not cross '/'
  CHECK(GlobMatch("dir/*/x.fastq", "dir/sub/x.fastq"));
  CHECK(GlobMatch("**/x.fastq", "x.fastq"));  // "**/" may match no directory
  CHECK(GlobMatch("**/x.fastq", "a/b/c/x.fastq"));
  CHECK(GlobMatch("a/**", "a/b/c"));
  CHECK(GlobMatch("s_[0-9].fq", "s_7.fq"));
  CHECK_FALSE(GlobMatch("s_[!0-9].fq", "s_7.fq"));
  CHECK(GlobMatch("?.fq", "a.fq"));
  CHECK_FALSE(GlobMatch("?.fq", "ab.fq"));
  const std::vector<std::string> patterns = {"*.bcl", "*.fastq.gz"};
  REQUIRE(FirstGlobMatch(patterns, "a/b.fastq.gz") != nullptr);
  CHECK(*FirstGlobMatch(patterns, "a/b.fastq.gz") == "*.fastq.gz");
  CHECK(FirstGlobMatch(patterns, "a/b.txt") == nullptr);
}

}  // namespace seqgate
