// Oxford Nanopore: final_summary counts, output_hash checksums, crash via queued_reads/,
// stall, pooled layout, QC flow cells.
#include <doctest/doctest.h>

#include <string>

#include "bridge_fixture.h"

namespace seqgate::bridge::testing {
namespace {

const std::string kRun = "proj/sample1/20240101_1200_PC24B123_PAK12345_abcdef12";

std::string FinalSummary(const std::string& prid, int fastq, int pod5) {
  std::string s =
      "instrument=PC24B123\nposition=1A\nflow_cell_id=PAK12345\nsample_id=sample1\n"
      "protocol_group_id=proj\nprotocol=sequencing/sequencing_PRO114_DNA_e8_2_400K\n"
      "protocol_run_id=" +
      prid + "\nacquisition_run_id=" + prid +
      "aaaa\n"
      "started=2024-01-01T12:00:00Z\nacquisition_stopped=2024-01-02T12:00:00Z\n"
      "fastq_files_in_final_dest=" +
      std::to_string(fastq) + "\n";
  if (pod5 >= 0) s += "pod5_files_in_final_dest=" + std::to_string(pod5) + "\n";
  return s;
}

}  // namespace

TEST_CASE("ont: completed run - counts checked, output_hash sha256 attached, completion last") {
  Fixture fx;
  fx.Write(kRun + "/fastq_pass/PAK12345_pass_abcdef12_0.fastq.gz", "@a", 2 * kHour);
  fx.Write(kRun + "/pod5/PAK12345_abcdef12_0.pod5", "pod5", 2 * kHour);
  TrackerHarness h(fx, Family::kOnt, kRun, {}, {.trust_old_mtime = true});
  auto e = h.Step(fx.now);
  CHECK(e == std::vector<std::string>{"run_discovered"});
  const Assessment& a0 = h.tracker().assessment();
  CHECK(a0.identity.run_id == "abcdef12");
  CHECK(a0.identity.flow_cell == "PAK12345");
  CHECK(a0.identity.model == "PromethION");
  CHECK(VerdictFor(a0, "pod5/PAK12345_abcdef12_0.pod5")->wanted == false);

  // final_summary says 2 FASTQ files, one is still on its way.
  fx.Write(kRun + "/final_summary_PAK12345_abcdef12_abcdef12.txt",
           FinalSummary("abcdef12-0000-1111", 2, 1), kHour);
  const std::string sha(64, 'b');
  fx.Write(kRun + "/output_hash_PAK12345_20240101_abcdef12.csv",
           "runid,protocol_group_id,flow_cell_id,sample_id,file_hash,file_path,barcode\n"
           "x,proj,PAK12345,sample1," +
               sha +
               ",fastq_pass/PAK12345_pass_abcdef12_0.fastq.gz,\n"
               "x,proj,PAK12345,sample1,,pod5/PAK12345_abcdef12_0.pod5,\n",
           kHour);
  e = h.Step(fx.now + kMin);
  CHECK(e.empty());
  CHECK(h.tracker().assessment().detail == "copying (final_summary file counts not reached yet)");
  CHECK(h.tracker().assessment().units.at(0).detail == "copying: 1 of 2 fastq files present");

  fx.Write(kRun + "/fastq_fail/PAK12345_fail_abcdef12_0.fastq.gz", "@b", kHour);
  e = h.Step(fx.now + 2 * kMin);
  const int fq = IndexOf(e, "file_ready fastq_pass/PAK12345_pass_abcdef12_0.fastq.gz");
  CHECK(fq >= 0);
  CHECK(Has(e, "file_ready final_summary_PAK12345_abcdef12_abcdef12.txt"));
  CHECK(Last(e) == "run_completed completed/Completed");
  const Event& ready = h.last_events[static_cast<size_t>(fq)];
  REQUIRE(ready.checksum.has_value());
  CHECK(ready.checksum->algorithm == "sha256");
  CHECK(ready.checksum->hex == sha);
}

TEST_CASE("ont: more files than the summary counts is drift, a missing pod5 count is skipped") {
  Fixture fx;
  fx.Write(kRun + "/fastq_pass/PAK12345_pass_abcdef12_0.fastq.gz", "@a");
  fx.Write(kRun + "/fastq_pass/PAK12345_pass_abcdef12_1.fastq.gz", "@a");
  fx.Write(kRun + "/final_summary_PAK12345_abcdef12_abcdef12.txt",
           FinalSummary("abcdef12-0000", 1, -1));
  Assessment a = AssessAt(fx, Family::kOnt, kRun, fx.now);
  CHECK(a.state == RunState::kCompleted);
  REQUIRE(a.notes.size() == 1);
  CHECK(a.notes[0].find("2 fastq files present, summary says 1") != std::string::npos);
}

TEST_CASE("ont: reads left in queued_reads/ without final_summary mean a crashed run") {
  Fixture fx;
  fx.Write(kRun + "/fastq_pass/PAK12345_pass_abcdef12_0.fastq.gz", "@a", 8 * kHour);
  fx.Write(kRun + "/queued_reads/reads_0.fastq", "@q", 8 * kHour);
  TrackerHarness h(fx, Family::kOnt, kRun);
  auto e = h.Step(fx.now - 7 * kHour);  // an hour after the last write: still running
  CHECK(e == std::vector<std::string>{"run_discovered"});
  e = h.Step(fx.now);
  CHECK(e == std::vector<std::string>{"run_aborted aborted/Crashed"});
  CHECK(h.last_events[0].detail.find("1 files left in queued_reads/") == 0);
  CHECK(VerdictFor(h.tracker().assessment(), "fastq_pass/PAK12345_pass_abcdef12_0.fastq.gz")
            ->reason == "waiting for final_summary_*.txt");
}

TEST_CASE("ont: a quiet run without queued reads or final_summary is stalled") {
  Fixture fx;
  fx.Write(kRun + "/fastq_pass/PAK12345_pass_abcdef12_0.fastq.gz", "@a", 8 * kHour);
  TrackerHarness h(fx, Family::kOnt, kRun);
  CHECK(h.Step(fx.now) == std::vector<std::string>{"run_discovered", "run_stalled"});
}

TEST_CASE("ont: pooled layout - files belong to the protocol run their name carries") {
  Fixture fx;
  const std::string pool = "proj/sample1";
  fx.Write(pool + "/fastq_pass/PAK11111_pass_aaaaaaaa_0.fastq.gz", "@a");
  fx.Write(pool + "/fastq_pass/PAK22222_pass_bbbbbbbb_0.fastq.gz", "@b");
  fx.Write(pool + "/final_summary_PAK11111_aaaaaaaa_x.txt", FinalSummary("aaaaaaaa-1", 1, -1));
  Assessment a = AssessAt(fx, Family::kOnt, pool, fx.now);
  CHECK(a.identity.run_id == "pooled:proj/sample1");
  CHECK(a.state == RunState::kInProgress);
  CHECK(a.detail == "1 data files belong to a run without final_summary yet");
  CHECK(VerdictFor(a, "fastq_pass/PAK11111_pass_aaaaaaaa_0.fastq.gz")->signal_ready);
  CHECK(VerdictFor(a, "fastq_pass/PAK11111_pass_aaaaaaaa_0.fastq.gz")->unit == "aaaaaaaa-1");
  CHECK(VerdictFor(a, "fastq_pass/PAK22222_pass_bbbbbbbb_0.fastq.gz")->reason ==
        "no final_summary names the run that wrote this file");
  fx.Write(pool + "/final_summary_PAK22222_bbbbbbbb_y.txt", FinalSummary("bbbbbbbb-2", 1, -1));
  a = AssessAt(fx, Family::kOnt, pool, fx.now);
  CHECK(a.state == RunState::kCompleted);
  CHECK(a.units.size() == 2);
}

TEST_CASE("ont: configuration-test flow cells are flagged as QC - a broken summary is a problem") {
  Fixture fx;
  const std::string run = "qc/s/20240101_1200_MN12345_CTC00001_abcdef12";
  fx.Write(run + "/fastq_pass/x.fastq.gz", "@a");
  Assessment a = AssessAt(fx, Family::kOnt, run, fx.now);
  CHECK(a.qc_or_test);
  CHECK(a.identity.model == "MinION");
  fx.Write(run + "/final_summary_CTC00001_abcdef12_a.txt", std::string("x=1\0\0", 5));
  a = AssessAt(fx, Family::kOnt, run, fx.now);
  REQUIRE(a.problems.size() == 1);
  CHECK(a.problems[0].find("final_summary_CTC00001_abcdef12_a.txt: binary data") == 0);
  CHECK(a.state != RunState::kCompleted);
}

}  // namespace seqgate::bridge::testing
