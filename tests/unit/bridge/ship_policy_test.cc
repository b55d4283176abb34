#include <doctest/doctest.h>

#include "adapters/ship_policy.h"

namespace seqgate::bridge {

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
