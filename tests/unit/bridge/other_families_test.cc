// Element AVITI, Ultima, MGI and the generic adapter.
#include <doctest/doctest.h>

#include <string>

#include "bridge_fixture.h"

namespace seqgate::bridge::testing {
namespace {

const std::string kAviti = "AV234/20240101_AV234_myrun";
const std::string kParams =
    R"({"RunName":"myrun","RunID":"AV1-42","Side":"SideA","RunType":"Sequencing",)"
    R"("FlowcellID":"2345678","InstrumentName":"AV234","Date":"2024-01-01T10:00:00Z"})";

void StartAviti(const Fixture& fx, int64_t age) {
  fx.Write(kAviti + "/RunParameters.json", kParams, age);
  fx.Write(kAviti + "/BaseCalls/R1_C001.zip", "zip", age);
  fx.Write(kAviti + "/Samples/P1/S1/S1_R1.fastq.gz", "@a", age);
}

}  // namespace

TEST_CASE("element: RunUploaded.json OutcomeCompleted completes - base-call zips stay home") {
  Fixture fx;
  StartAviti(fx, kHour);
  TrackerHarness h(fx, Family::kElement, kAviti, {}, {.trust_old_mtime = true});
  CHECK(h.Step(fx.now) == std::vector<std::string>{"run_discovered"});
  CHECK(h.tracker().assessment().identity.run_id == "AV1-42");
  CHECK(h.tracker().assessment().identity.flow_cell == "2345678");
  fx.Write(kAviti + "/RunUploaded.json", R"({"outcome":"OutcomeCompleted"})", kHour);
  auto e = h.Step(fx.now + kMin);
  CHECK(Has(e, "file_ready Samples/P1/S1/S1_R1.fastq.gz"));
  CHECK(Has(e, "file_ready RunParameters.json"));
  CHECK_FALSE(Has(e, "file_ready BaseCalls/R1_C001.zip"));
  CHECK(Last(e) == "run_completed completed/OutcomeCompleted");
}

TEST_CASE("element: OutcomeFailed fails the run - a truncated marker is a problem, not done") {
  Fixture fx;
  StartAviti(fx, kHour);
  fx.Write(kAviti + "/RunUploaded.json", R"({"outcome":"Outco)", kHour);
  TrackerHarness h(fx, Family::kElement, kAviti, {}, {.trust_old_mtime = true});
  auto e = h.Step(fx.now);
  CHECK(e == std::vector<std::string>{"run_discovered", "problem"});
  CHECK(h.last_events[1].detail.find("RunUploaded.json: malformed JSON at byte") == 0);
  fx.Write(kAviti + "/RunUploaded.json", R"({"outcome":"OutcomeFailed"})", kHour);
  e = h.Step(fx.now + kMin);
  CHECK(Has(e, "file_ready Samples/P1/S1/S1_R1.fastq.gz"));
  CHECK(IndexOf(e, "run_failed failed/OutcomeFailed") < 0);  // the new marker settles first
  e = h.Step(fx.now + 5 * kMin);
  CHECK(e ==
        std::vector<std::string>{"file_ready RunUploaded.json", "run_failed failed/OutcomeFailed"});
}

TEST_CASE("element: wash/prime runs are flagged - a quiet run without marker is stalled") {
  Fixture fx;
  fx.Write("AV1/wash/RunParameters.json", R"({"RunName":"w","RunType":"Wash"})", 8 * kHour);
  TrackerHarness h(fx, Family::kElement, "AV1/wash");
  CHECK(h.Step(fx.now) == std::vector<std::string>{"run_discovered", "run_stalled"});
  CHECK(h.tracker().assessment().qc_or_test);
  CHECK(h.last_events[0].detail == "QC/test run: RunType Wash");
}

TEST_CASE("ultima: UploadCompleted.json completes - run id from LibraryInfo") {
  Fixture fx;
  const std::string run = "Runs/412345-20240101_1200";
  fx.Write(run + "/412345_LibraryInfo.xml", "<x/>", kHour);
  fx.Write(run + "/412345-S1.cram", "cram", kHour);
  fx.Write(run + "/412345-S1.cram.crai", "crai", kHour);
  TrackerHarness h(fx, Family::kUltima, run, {}, {.trust_old_mtime = true});
  CHECK(h.Step(fx.now) == std::vector<std::string>{"run_discovered"});
  CHECK(h.tracker().assessment().identity.run_id == "412345");
  CHECK(VerdictFor(h.tracker().assessment(), "412345-S1.cram")->reason ==
        "waiting for UploadCompleted.json");
  fx.Write(run + "/UploadCompleted.json", "{}", kHour);
  auto e = h.Step(fx.now + kMin);
  CHECK(Has(e, "file_ready 412345-S1.cram"));
  CHECK(Has(e, "file_ready 412345-S1.cram.crai"));
  CHECK(Last(e) == "run_completed completed/UploadCompleted");
  FamilyConfig short_stall;
  short_stall.stall_ns = 10 * kMin;
  TrackerHarness s(fx, Family::kUltima, run, short_stall);
  fx.Remove(run + "/UploadCompleted.json");
  CHECK(s.Step(fx.now) == std::vector<std::string>{"run_discovered", "run_stalled"});
}

TEST_CASE("mgi: complete when every lane has FASTQ and report and the run is quiet") {
  Fixture fx;
  const std::string run = "V300012345";
  fx.Write(run + "/L01/V300012345_L01_read_1.fq.gz", "@a", 10 * kMin);
  fx.Write(run + "/L01/V300012345_L01_read_2.fq.gz", "@a", 10 * kMin);
  fx.Write(run + "/L02/V300012345_L02_read_1.fq.gz", "@a", 10 * kMin);
  fx.Write(run + "/L01/V300012345_L01.summaryReport.html", "<html/>", 10 * kMin);
  TrackerHarness h(fx, Family::kMgi, run);
  CHECK(h.Step(fx.now) == std::vector<std::string>{"run_discovered"});
  CHECK(h.tracker().assessment().detail == "waiting for expected files: L02/*.summaryReport.html");
  fx.Write(run + "/L02/V300012345_L02.summaryReport.html", "<html/>", 10 * kMin);
  CHECK(h.Step(fx.now + kMin).empty());
  CHECK(h.tracker().assessment().detail.find("waiting for 30m without changes") !=
        std::string::npos);
  auto e = h.Step(fx.now + 40 * kMin);
  CHECK(Has(e, "file_ready L01/V300012345_L01_read_1.fq.gz"));
  CHECK(Last(e) == "run_completed completed/Completed");
}

TEST_CASE("mgi/generic: stalled without expected files - an operator can mark complete") {
  Fixture fx;
  const std::string run = "V300099999";
  fx.Write(run + "/L01/V300099999_L01_read_1.fq.gz", "@a", 8 * kHour);
  TrackerHarness h(fx, Family::kMgi, run);
  CHECK(h.Step(fx.now) == std::vector<std::string>{"run_discovered", "run_stalled"});
  h.tracker().MarkComplete();
  auto e = h.Step(fx.now + 5 * kMin);
  CHECK(Has(e, "file_ready L01/V300099999_L01_read_1.fq.gz"));
  CHECK(Last(e) == "run_completed completed/MarkedComplete");
}

TEST_CASE("generic: expected globs and a marker glob from the configuration") {
  Fixture fx;
  FamilyConfig cfg;
  cfg.expected = {"*.cram", "*.cram.crai"};
  cfg.marker_glob = "DONE*";
  cfg.stability_ns = 5 * kMin;
  fx.Write("runA/s1.cram", "c", kHour);
  TrackerHarness h(fx, Family::kGeneric, "runA", cfg, {.trust_old_mtime = true});
  h.Step(fx.now);
  CHECK(h.tracker().assessment().detail == "waiting for expected files: *.cram.crai");
  fx.Write("runA/s1.cram.crai", "i", kHour);
  h.Step(fx.now + kSec);
  CHECK(h.tracker().assessment().detail == "waiting for a file matching marker 'DONE*'");
  fx.Write("runA/DONE.txt", "", kHour);
  // The marker appeared now (as the tracker sees it): the run must stay quiet 5 more minutes.
  CHECK(h.Step(fx.now + 10 * kMin).empty());
  auto e = h.Step(fx.now + 16 * kMin);
  CHECK(Has(e, "file_ready s1.cram"));
  CHECK(Has(e, "file_ready DONE.txt"));
  CHECK(Last(e) == "run_completed completed/Completed");
}

}  // namespace seqgate::bridge::testing
