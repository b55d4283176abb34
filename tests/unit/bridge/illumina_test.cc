// Illumina: event sequences for completed, failed, aborted and stalled runs, requeued
// analyses and hostile metadata, from hand-built folders of the real layouts.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "bridge_fixture.h"

namespace seqgate::bridge::testing {
namespace {

std::string RunInfo(const std::string& id, const std::string& fc, const std::string& inst,
                    const std::string& date) {
  return "<?xml version=\"1.0\"?>\n<RunInfo Version=\"6\"><Run Id=\"" + id +
         "\" Number=\"44\"><Flowcell>" + fc + "</Flowcell><Instrument>" + inst +
         "</Instrument><Date>" + date +
         "</Date><Reads><Read Number=\"1\" NumCycles=\"151\" IsIndexedRead=\"N\"/></Reads>"
         "<FlowcellLayout LaneCount=\"2\"/></Run></RunInfo>\n";
}

std::string Completion(const std::string& element, const std::string& value) {
  return "<RunCompletionStatus><" + element + ">" + value + "</" + element +
         "></RunCompletionStatus>";
}

const std::string kNovaSeqX = "20240202_LH00217_0044_A2255J2LT3";
const std::string kNextSeq = "240722_VH00123_12_AAAFFF2M5";

// A NovaSeq X run folder at run start: metadata and base calls, no markers.
void StartNovaSeqX(const Fixture& fx, int64_t age) {
  fx.Write(kNovaSeqX + "/RunInfo.xml", RunInfo(kNovaSeqX, "2255J2LT3", "LH00217", "20240202"), age);
  fx.Write(kNovaSeqX + "/RunParameters.xml",
           "<RunParameters><InstrumentType>NovaSeqXPlus</InstrumentType><Side>A</Side>"
           "</RunParameters>",
           age);
  fx.Write(kNovaSeqX + "/Data/Intensities/BaseCalls/L001/C1.1/L001_1.cbcl", "cbcl", age);
  fx.Write(kNovaSeqX + "/InterOp/QMetricsOut.bin", "interop", age);
}

}  // namespace

TEST_CASE("illumina: NovaSeq X completed run with on-board analysis, in order") {
  Fixture fx;
  StartNovaSeqX(fx, 2 * kHour);
  TrackerHarness h(fx, Family::kIllumina, kNovaSeqX);

  auto e = h.Step(fx.now);
  CHECK(e == std::vector<std::string>{"run_discovered"});
  const Assessment& a0 = h.tracker().assessment();
  CHECK(a0.identity.run_id == kNovaSeqX);
  CHECK(a0.identity.flow_cell == "2255J2LT3");
  CHECK(a0.identity.model == "NovaSeq X");
  CHECK(a0.identity.metadata.at("run_date") == "2024-02-02");
  CHECK(a0.detail == "sequencing (no RTAComplete.txt yet)");
  CHECK(VerdictFor(a0, "RunInfo.xml")->reason == "run sequencing (no RTAComplete.txt yet)");

  // RTAComplete alone is not enough on an instrument with a copy service.
  fx.Write(kNovaSeqX + "/RTAComplete.txt", "", kHour);
  e = h.Step(fx.now + 5 * kMin);
  CHECK(e.empty());
  CHECK(h.tracker().assessment().detail == "copying (waiting for CopyComplete.txt)");

  fx.Write(kNovaSeqX + "/RunCompletionStatus.xml", Completion("RunStatus", "RunCompleted"), kHour);
  fx.Write(kNovaSeqX + "/CopyComplete.txt", "", kHour);
  fx.Write(kNovaSeqX + "/Analysis/1/Data/BCLConvert/fastq/S1_S1_L001_R1_001.fastq.gz", "@r\n",
           kHour);
  e = h.Step(fx.now + 6 * kMin);
  CHECK(Has(e, "file_ready RunInfo.xml"));
  CHECK(Has(e, "file_ready RunParameters.xml"));
  CHECK(Has(e, "file_ready InterOp/QMetricsOut.bin"));
  CHECK_FALSE(Has(e, "file_ready RunCompletionStatus.xml"));  // first seen now: settling
  CHECK(IndexOf(e, "file_ready Data/Intensities/BaseCalls/L001/C1.1/L001_1.cbcl") < 0);
  CHECK(h.tracker().assessment().state == RunState::kInProgress);
  CHECK(h.tracker().assessment().detail == "on-board analysis Analysis/1 in progress");

  fx.Write(kNovaSeqX + "/Analysis/1/Data/Secondary_Analysis_Complete.txt", "", kHour);
  fx.Write(kNovaSeqX + "/Analysis/1/CopyComplete.txt", "", kHour);
  e = h.Step(fx.now + 10 * kMin);
  const int unit = IndexOf(e, "unit_changed Analysis/1 completed/Secondary_Analysis_Complete");
  const int fastq = IndexOf(
      e, "file_ready Analysis/1 Analysis/1/Data/BCLConvert/fastq/S1_S1_L001_R1_001.fastq.gz");
  const int done = IndexOf(e, "run_completed completed/RunCompleted");
  CHECK(unit >= 0);
  CHECK(fastq > unit);
  CHECK(done > fastq);
  CHECK(Has(e, "file_ready RunCompletionStatus.xml"));
  CHECK(h.Step(fx.now + 20 * kMin).empty());  // nothing twice
}

TEST_CASE("illumina: failed run (ExceptionEndedEarly) ships what was copied, then fails") {
  Fixture fx;
  fx.Write(kNextSeq + "/RunInfo.xml", RunInfo(kNextSeq, "AAAFFF2M5", "VH00123", "240722"));
  fx.Write(kNextSeq + "/RunParameters.xml", "<RunParameters/>");
  fx.Write(kNextSeq + "/RunCompletionStatus.xml",
           "<RunCompletionStatus><CompletionStatus>ExceptionEndedEarly</CompletionStatus>"
           "<ErrorDescription>Reagent error</ErrorDescription></RunCompletionStatus>");
  fx.Write(kNextSeq + "/CopyComplete.txt", "");
  TrackerHarness h(fx, Family::kIllumina, kNextSeq);
  auto e = h.Step(fx.now);
  CHECK(e == std::vector<std::string>{"run_discovered"});  // files settling, so no verdict yet
  e = h.Step(fx.now + 3 * kMin);
  CHECK(Has(e, "file_ready RunInfo.xml"));
  const int failed = IndexOf(e, "run_failed failed/ExceptionEndedEarly");
  CHECK(failed == static_cast<int>(e.size()) - 1);
  CHECK(h.last_events.back().detail.find("Reagent error") != std::string::npos);
  CHECK(h.tracker().assessment().identity.model == "NextSeq 1000/2000");
}

TEST_CASE("illumina: aborted run (UserEndedEarly) without CopyComplete ships after the stall") {
  Fixture fx;
  fx.Write(kNextSeq + "/RunInfo.xml", RunInfo(kNextSeq, "AAAFFF2M5", "VH00123", "240722"));
  fx.Write(kNextSeq + "/RunCompletionStatus.xml", Completion("CompletionStatus", "UserEndedEarly"));
  TrackerHarness h(fx, Family::kIllumina, kNextSeq);
  auto e = h.Step(fx.now);
  CHECK(Has(e, "run_aborted aborted/UserEndedEarly"));  // no ready file holds it back
  CHECK(VerdictFor(h.tracker().assessment(), "RunInfo.xml")->signal_ready == false);
  e = h.Step(fx.now + 7 * kHour);
  CHECK(e ==
        std::vector<std::string>{"file_ready RunCompletionStatus.xml", "file_ready RunInfo.xml"});
  CHECK_FALSE(h.tracker().assessment().notes.empty());
}

TEST_CASE("illumina: a run that stops writing is stalled, and resumes when it writes again") {
  Fixture fx;
  StartNovaSeqX(fx, 7 * kHour);
  TrackerHarness h(fx, Family::kIllumina, kNovaSeqX);
  auto e = h.Step(fx.now);
  CHECK(e == std::vector<std::string>{"run_discovered", "run_stalled"});
  CHECK(h.last_events.back().detail.find("nothing changed for 7h") != std::string::npos);
  fx.Write(kNovaSeqX + "/Data/Intensities/BaseCalls/L001/C2.1/L001_1.cbcl", "cbcl", 0);
  e = h.Step(fx.now + kMin);
  CHECK(e == std::vector<std::string>{"run_resumed"});
}

TEST_CASE("illumina: requeued analysis - failed Analysis/1 never ships, Analysis/2 does") {
  Fixture fx;
  StartNovaSeqX(fx, 2 * kHour);
  fx.Write(kNovaSeqX + "/RTAComplete.txt", "");
  fx.Write(kNovaSeqX + "/CopyComplete.txt", "");
  fx.Write(kNovaSeqX + "/Analysis/1/Data/fastq/A_R1.fastq.gz", "bad");
  fx.Write(kNovaSeqX + "/Analysis/1/Data/Error_Summary.json", R"({"result":"error"})");
  fx.Write(kNovaSeqX + "/Analysis/2/Data/fastq/A_R1.fastq.gz", "good");
  fx.Write(kNovaSeqX + "/Analysis/2/Data/Secondary_Analysis_Complete.txt", "");
  fx.Write(kNovaSeqX + "/Analysis/2/CopyComplete.txt", "");
  fx.Write(kNovaSeqX + "/Analysis/2/Manifest.tsv",
           "Data/fastq/A_R1.fastq.gz\t" + std::string(64, 'A') + "\n");
  TrackerHarness h(fx, Family::kIllumina, kNovaSeqX, {}, {.trust_old_mtime = true});
  auto e = h.Step(fx.now);
  CHECK(Has(e, "unit_changed Analysis/1 failed/error"));
  CHECK(Has(e, "unit_changed Analysis/2 completed/Secondary_Analysis_Complete"));
  CHECK(Has(e, "file_ready Analysis/2 Analysis/2/Data/fastq/A_R1.fastq.gz"));
  CHECK_FALSE(Has(e, "file_ready Analysis/1 Analysis/1/Data/fastq/A_R1.fastq.gz"));
  CHECK(Last(e) == "run_completed completed/Completed");
  const Assessment& a = h.tracker().assessment();
  CHECK(a.identity.metadata.at("analysis_requeues") == "1");
  CHECK(VerdictFor(a, "Analysis/1/Data/fastq/A_R1.fastq.gz")->reason ==
        "Analysis/1 failed (Error_Summary.json)");
  const FileVerdict* good = VerdictFor(a, "Analysis/2/Data/fastq/A_R1.fastq.gz");
  REQUIRE(good->checksum.has_value());
  CHECK(good->checksum->algorithm == "sha256");
  CHECK(good->checksum->hex == std::string(64, 'a'));
}

TEST_CASE("illumina: MiSeq uses RTAComplete (no copy service) - FASTQ waits for the job") {
  Fixture fx;
  const std::string run = "230224_M02439_0043_000000000-KT42M";
  fx.Write(run + "/RunInfo.xml", RunInfo(run, "000000000-KT42M", "M02439", "230224"));
  fx.Write(run + "/runParameters.xml",
           "<RunParameters><Setup><ApplicationName>MiSeq Control Software</ApplicationName>"
           "</Setup></RunParameters>");
  fx.Write(run + "/RTAComplete.txt", "");
  fx.Write(run + "/Data/Intensities/BaseCalls/S1_S1_L001_R1_001.fastq.gz", "@r");
  Assessment a = AssessAt(fx, Family::kIllumina, run, fx.now);
  CHECK(a.identity.model == "MiSeq");
  CHECK(a.identity.metadata.at("instrument_type") == "MiSeq Control Software");
  CHECK(a.identity.metadata.at("run_date") == "2023-02-24");
  CHECK(a.state == RunState::kInProgress);
  CHECK(a.detail == "MiSeq on-board analysis running (waiting for CompletedJobInfo.xml)");
  CHECK(VerdictFor(a, "runParameters.xml")->signal_ready);
  CHECK(VerdictFor(a, "Data/Intensities/BaseCalls/S1_S1_L001_R1_001.fastq.gz")->reason ==
        "waiting for CompletedJobInfo.xml (MiSeq on-board analysis)");
  fx.Write(run + "/CompletedJobInfo.xml", "<x/>");
  a = AssessAt(fx, Family::kIllumina, run, fx.now);
  CHECK(a.state == RunState::kCompleted);
  CHECK(VerdictFor(a, "Data/Intensities/BaseCalls/S1_S1_L001_R1_001.fastq.gz")->signal_ready);
}

TEST_CASE("illumina: legacy HiSeq runs complete on Basecalling_Netcopy_complete.txt") {
  Fixture fx;
  const std::string run = "150101_D00123_0001_AC6ABCANXX";
  fx.Write(run + "/RunInfo.xml", RunInfo(run, "C6ABCANXX", "D00123", "150101"));
  Assessment a = AssessAt(fx, Family::kIllumina, run, fx.now);
  CHECK(a.identity.model == "HiSeq");
  CHECK(a.state == RunState::kInProgress);
  fx.Write(run + "/Basecalling_Netcopy_complete.txt", "");
  a = AssessAt(fx, Family::kIllumina, run, fx.now);
  CHECK(a.state == RunState::kCompleted);
  CHECK(VerdictFor(a, "RunInfo.xml")->signal_ready);
}

TEST_CASE("illumina: RTA's log reporting an early exit fails a run without completion file") {
  Fixture fx;
  const std::string run = "240722_A00291_0576_AHVHL5DMXY";
  fx.Write(run + "/RunInfo.xml", RunInfo(run, "HVHL5DMXY", "A00291", "240722"));
  fx.Write(run + "/Data/RTALogs/Warning.txt", "Application exited before completion\n");
  std::string log(200 << 10, 'x');  // the phrase sits at the end of a large log
  log += "\n2024-07-22 10:00:00 Application exited before completion\n";
  fx.Write(run + "/Data/RTALogs/A00291_Log_00.txt", "all good\n");
  Assessment a = AssessAt(fx, Family::kIllumina, run, fx.now);
  CHECK(a.state == RunState::kInProgress);
  fx.Write(run + "/Data/RTALogs/A00291_Log_01.txt", log);
  a = AssessAt(fx, Family::kIllumina, run, fx.now);
  CHECK(a.state == RunState::kFailed);
  CHECK(a.outcome == "RtaExitedEarly");
  CHECK(a.detail.find("Data/RTALogs/A00291_Log_01.txt") != std::string::npos);
}

TEST_CASE("illumina: unknown completion value means ended, outcome unknown") {
  Fixture fx;
  StartNovaSeqX(fx, kHour);
  fx.Write(kNovaSeqX + "/CopyComplete.txt", "");
  fx.Write(kNovaSeqX + "/RunCompletionStatus.xml", Completion("RunStatus", "RunSomethingNew"));
  Assessment a = AssessAt(fx, Family::kIllumina, kNovaSeqX, fx.now);
  CHECK(a.state == RunState::kCompleted);
  CHECK(a.outcome == "RunSomethingNew");
  CHECK(a.detail.find("outcome unknown") != std::string::npos);
}

TEST_CASE("illumina: hostile metadata is reported by name and withholds completion") {
  Fixture fx;
  StartNovaSeqX(fx, kHour);
  fx.Write(kNovaSeqX + "/CopyComplete.txt", "");
  fx.Write(kNovaSeqX + "/RunCompletionStatus.xml", "<RunCompletionStatus><RunStat");
  TrackerHarness h(fx, Family::kIllumina, kNovaSeqX, {}, {.trust_old_mtime = true});
  auto e = h.Step(fx.now);
  CHECK(e.size() == 2);
  CHECK(e[1] == "problem");
  CHECK(h.last_events[1].detail.find("RunCompletionStatus.xml: malformed XML at byte") == 0);
  CHECK(h.tracker().assessment().state == RunState::kInProgress);
  CHECK(VerdictFor(h.tracker().assessment(), "RunInfo.xml")->signal_ready == false);

  // A RunInfo.xml far beyond any real size: refused after a bounded read, identity from the
  // folder name.
  std::filesystem::resize_file(fx.Path(kNovaSeqX + "/RunInfo.xml"), 64u << 20);
  Assessment a = AssessAt(fx, Family::kIllumina, kNovaSeqX, fx.now);
  REQUIRE(a.problems.size() == 2);
  CHECK(a.problems[0].find("RunInfo.xml: ") == 0);
  CHECK(a.problems[0].find("larger than the 16777216-byte limit") != std::string::npos);
  CHECK(a.problems[1].find("RunCompletionStatus.xml: malformed XML") == 0);
  CHECK(a.identity.run_id == kNovaSeqX);
  CHECK(a.identity.flow_cell == "A2255J2LT3");
  CHECK(a.identity.instrument == "LH00217");

  // A symlink planted under a marker's name is not followed.
  fx.Remove(kNovaSeqX + "/RunCompletionStatus.xml");
  std::filesystem::create_symlink("/etc/passwd", fx.Path(kNovaSeqX + "/RunCompletionStatus.xml"));
  fx.Write(kNovaSeqX + "/RunInfo.xml", RunInfo(kNovaSeqX, "2255J2LT3", "LH00217", "20240202"));
  a = AssessAt(fx, Family::kIllumina, kNovaSeqX, fx.now);
  REQUIRE(a.problems.size() == 1);
  CHECK(a.problems[0] == "RunCompletionStatus.xml: is a symbolic link, not a regular file");
  CHECK(VerdictFor(a, "RunCompletionStatus.xml")->reason ==
        "symbolic link: never followed or shipped");

  // A FIFO under a marker's name is never opened (a read would block), a directory neither.
  fx.Remove(kNovaSeqX + "/RunCompletionStatus.xml");
  REQUIRE(::mkfifo(fx.Path(kNovaSeqX + "/RunCompletionStatus.xml").c_str(), 0644) == 0);
  fx.Mkdir(kNovaSeqX + "/Analysis/1/Data/Error_Summary.json");
  a = AssessAt(fx, Family::kIllumina, kNovaSeqX, fx.now);
  REQUIRE(a.problems.size() == 1);
  CHECK(a.problems[0] == "RunCompletionStatus.xml: is a FIFO, not a regular file");
  CHECK(a.units.at(0).state == RunState::kInProgress);
}

}  // namespace seqgate::bridge::testing
