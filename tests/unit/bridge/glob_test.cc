#include <doctest/doctest.h>

#include "adapters/glob.h"
#include "adapters/ship_policy.h"

namespace seqgate::bridge {

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

TEST_CASE("ship policy: defaults per family, operator include/exclude override") {
  ShipPolicy illumina(Family::kIllumina, {});
  CHECK(illumina.Decide("Analysis/1/Data/fastq/S1_R1_001.fastq.gz").ship);
  CHECK(illumina.Decide("x/y.cram").ship);
  CHECK(illumina.Decide("x/y.crai").ship);
  CHECK(illumina.Decide("RunInfo.xml").ship);
  CHECK(illumina.Decide("runParameters.xml").ship);
  const ShipDecision bcl = illumina.Decide("Data/Intensities/BaseCalls/L001/C1.1/L001_1.cbcl");
  CHECK_FALSE(bcl.ship);
  CHECK(bcl.reason.find("not shipped by default") != std::string::npos);
  CHECK_FALSE(illumina.Decide("Logs/x.log").ship);

  ShipPolicy ont(Family::kOnt, {});
  CHECK_FALSE(ont.Decide("pod5/PAK_0.pod5").ship);
  CHECK(ont.Decide("fastq_pass/barcode01/PAK_pass_barcode01_0.fastq.gz").ship);
  CHECK(ont.Decide("final_summary_PAK_a_b.txt").ship);
  CHECK_FALSE(ont.Decide("queued_reads/x.fastq.gz").ship);

  ShipPolicy with_pod5(Family::kOnt, {{"*.pod5"}, {"*.bam"}});
  CHECK(with_pod5.Decide("pod5/PAK_0.pod5").ship);
  const ShipDecision bam = with_pod5.Decide("bam_pass/x.bam");
  CHECK_FALSE(bam.ship);
  CHECK(bam.reason == "excluded by operator glob '*.bam'");
}

}  // namespace seqgate::bridge
