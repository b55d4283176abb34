// PacBio Revio and Sequel: per-SMRT-cell events from .transferdone.
#include <doctest/doctest.h>

#include <string>

#include "bridge_fixture.h"

namespace seqgate::bridge::testing {

TEST_CASE("pacbio: Revio cells complete one by one - the run completes after the last") {
  Fixture fx;
  const std::string run = "r84001_20240101_120000";
  fx.Write(run + "/1_A01/hifi_reads/m84001_240101_130000_s1.hifi_reads.bam", "bam", 2 * kHour);
  fx.Write(run + "/1_A01/metadata/m84001_240101_130000_s1.metadata.xml", "<x/>", 2 * kHour);
  fx.Write(run + "/1_B01/hifi_reads/m84001_240101_140000_s2.hifi_reads.bam", "bam", 2 * kHour);
  TrackerHarness h(fx, Family::kPacBio, run);
  CHECK(h.Step(fx.now) == std::vector<std::string>{"run_discovered"});
  CHECK(h.tracker().assessment().identity.model == "Revio");
  CHECK(h.tracker().assessment().detail == "0 of 2 SMRT cells transferred");

  fx.Write(run + "/1_A01/metadata/m84001_240101_130000_s1.transferdone", "", kHour);
  auto e = h.Step(fx.now + 5 * kMin);
  CHECK(Has(e, "unit_changed 1_A01 completed/Completed"));
  CHECK(Has(e, "file_ready 1_A01 1_A01/hifi_reads/m84001_240101_130000_s1.hifi_reads.bam"));
  CHECK_FALSE(Has(e, "file_ready 1_B01 1_B01/hifi_reads/m84001_240101_140000_s2.hifi_reads.bam"));
  CHECK(h.tracker().assessment().state == RunState::kInProgress);

  fx.Write(run + "/1_B01/metadata/m84001_240101_140000_s2.transferdone", "", kHour);
  e = h.Step(fx.now + 10 * kMin);
  CHECK(Has(e, "unit_changed 1_B01 completed/Completed"));
  CHECK(IndexOf(e, "run_completed completed/Completed") < 0);  // the new marker ships too
  e = h.Step(fx.now + 15 * kMin);
  CHECK(e == std::vector<std::string>{
                 "file_ready 1_B01 1_B01/metadata/m84001_240101_140000_s2.transferdone",
                 "run_completed completed/Completed"});
  CHECK(h.tracker().assessment().identity.metadata.at("movies") ==
        "m84001_240101_130000_s1,m84001_240101_140000_s2");
}

TEST_CASE("pacbio: a cell that never gets .transferdone is aborted - the run partially completes") {
  Fixture fx;
  const std::string run = "r64012_20230101_120000";
  // Sequel: the marker sits in the cell folder itself.
  fx.Write(run + "/1_A01/m64012_230101_130000.subreads.bam", "bam", 8 * kHour);
  fx.Write(run + "/1_A01/m64012_230101_130000.transferdone", "", 8 * kHour);
  fx.Write(run + "/2_B01/m64012_230101_150000.subreads.bam", "bam", 8 * kHour);
  TrackerHarness h(fx, Family::kPacBio, run, {}, {.trust_old_mtime = true});
  auto e = h.Step(fx.now);
  CHECK(Has(e, "unit_changed 1_A01 completed/Completed"));
  CHECK(Has(e, "unit_changed 2_B01 aborted/NoTransferdone"));
  CHECK(Has(e, "file_ready 1_A01 1_A01/m64012_230101_130000.subreads.bam"));
  CHECK(Last(e) == "run_completed completed/PartiallyCompleted");
  CHECK(h.tracker().assessment().identity.model == "Sequel II/IIe");
  CHECK(VerdictFor(h.tracker().assessment(), "2_B01/m64012_230101_150000.subreads.bam")
            ->reason.find("SMRT cell 2_B01: no .transferdone") == 0);
}

TEST_CASE("pacbio: no cell ever finishing is a stalled (ghost) run, not an aborted one") {
  Fixture fx;
  const std::string run = "r84001_20240101_120000";
  fx.Write(run + "/1_A01/hifi_reads/x.bam", "bam", 8 * kHour);
  TrackerHarness h(fx, Family::kPacBio, run);
  CHECK(h.Step(fx.now) ==
        std::vector<std::string>{"run_discovered", "unit_changed 1_A01 stalled", "run_stalled"});
  CHECK(VerdictFor(h.tracker().assessment(), "1_A01/hifi_reads/x.bam")
            ->reason.find("SMRT cell 1_A01: no .transferdone") == 0);
  const std::string ghost = "r84001_20240102_120000";
  fx.Write(ghost + "/Transfer_Test_1.txt", "", 8 * kHour);
  TrackerHarness g(fx, Family::kPacBio, ghost);
  CHECK(g.Step(fx.now) == std::vector<std::string>{"run_discovered", "run_stalled"});
}

}  // namespace seqgate::bridge::testing
