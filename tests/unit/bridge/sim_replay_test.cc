// The bridge against the simulator, step by step: each family's run is played without
// sleeping while a RunTracker looks after every step on a clock that advances 10 s per step,
// then time passes. Per family and outcome, the event sequence must start with discovery, end
// with the right run state, never announce a file before it reached its final size, and (for
// completed runs) announce everything that ships.
#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "bridge_fixture.h"
#include "sim/families/family_command.h"

namespace seqgate::bridge::testing {
namespace {

using sim::FamilyRun;
using sim::SimOutcome;
using Builder = std::function<Result<std::unique_ptr<sim::RunPlan>>(const FamilyRun&)>;

struct Replay {
  std::vector<std::string> briefs;
  std::vector<Event> events;
  Assessment final_assessment;
  std::string root;
};

Replay Play(const Fixture& fx, Family family, const Builder& build, SimOutcome outcome,
            const std::string& model = "", bool requeue = false) {
  FamilyRun run;
  run.env = Env::Default();
  run.out = fx.Path("out");
  run.size = 96 << 10;
  run.seed = 5;
  run.outcome = outcome;
  run.model = model;
  run.requeue = requeue;
  auto plan = build(run);
  REQUIRE(plan.ok());
  FamilyConfig cfg;
  cfg.settle_ns = 60 * kSec;
  cfg.stall_ns = kHour;
  cfg.stability_ns = 10 * kMin;
  auto adapter = MakeAdapter(family);
  RunTracker tracker(adapter.get(), &cfg, {});
  Replay r;
  r.root = (*plan)->root();
  int64_t t = WallNowNs();
  auto look = [&] {
    auto snap = ScanRun(ScanFs::Default(), r.root, t);
    if (!snap.ok()) return;  // the run folder does not exist before the first write
    for (Event& e : tracker.Update(*snap, Env::Default(), t)) {
      if (e.kind == EventKind::kFileReady) {
        // Announced at its final size: nothing written to it after this point.
        CHECK_MESSAGE(e.size == std::filesystem::file_size(r.root + "/" + e.path), e.path);
      }
      r.briefs.push_back(e.Brief());
      r.events.push_back(std::move(e));
    }
  };
  REQUIRE((*plan)
              ->Play(0,
                     [&](size_t) {
                       t += 10 * kSec;
                       look();
                     })
              .ok());
  for (int i = 0; i < 16; ++i) {  // the instrument is done: 2 h pass, in 7.5 min looks
    t += 450 * kSec;
    look();
  }
  r.final_assessment = tracker.assessment();
  return r;
}

// The last run-level state event.
std::string LastRunEvent(const Replay& r) {
  for (auto it = r.briefs.rbegin(); it != r.briefs.rend(); ++it) {
    if (it->starts_with("run_") && !it->starts_with("run_discovered")) return *it;
  }
  return "";
}

void CheckCommon(const Replay& r, const std::string& want_last) {
  REQUIRE_FALSE(r.briefs.empty());
  CHECK(r.briefs.front() == "run_discovered");
  CHECK(LastRunEvent(r) == want_last);
  for (const Event& e : r.events) {
    CHECK_MESSAGE(e.kind != EventKind::kFileChanged, e.path);
    CHECK_MESSAGE(e.kind != EventKind::kProblem, e.detail);
  }
  if (want_last.starts_with("run_completed")) {
    // Everything that ships was announced (except what failed/aborted units hold).
    std::set<std::string> announced;
    for (const Event& e : r.events) {
      if (e.kind == EventKind::kFileReady) announced.insert(e.path);
    }
    for (const FileVerdict& v : r.final_assessment.files) {
      if (v.wanted && v.signal_ready) CHECK_MESSAGE(announced.count(v.path) == 1, v.path);
    }
    // ...and the run's completion came after the last announcement.
    size_t last_ready = 0, done = 0;
    for (size_t i = 0; i < r.briefs.size(); ++i) {
      if (r.briefs[i].starts_with("file_ready")) last_ready = i;
      if (r.briefs[i].starts_with("run_completed")) done = i;
    }
    CHECK(done > last_ready);
  }
}

}  // namespace

TEST_CASE("sim replay: illumina models and outcomes") {
  Fixture fx;
  SUBCASE("novaseqx completed") {
    Replay r = Play(fx, Family::kIllumina, sim::BuildIlluminaRun, SimOutcome::kCompleted);
    CheckCommon(r, "run_completed completed/RunCompleted");
    CHECK(Has(r.briefs, "unit_changed Analysis/1 completed/Secondary_Analysis_Complete"));
  }
  SUBCASE("nextseq2000 requeued analysis") {
    Replay r = Play(fx, Family::kIllumina, sim::BuildIlluminaRun, SimOutcome::kCompleted,
                    "nextseq2000", true);
    CheckCommon(r, "run_completed completed/CompletedAsPlanned");
    CHECK(Has(r.briefs, "unit_changed Analysis/1 failed/error"));
    for (const std::string& b : r.briefs) CHECK(b.find("file_ready Analysis/1 ") != 0);
  }
  SUBCASE("miseq") {
    Replay r = Play(fx, Family::kIllumina, sim::BuildIlluminaRun, SimOutcome::kCompleted, "miseq");
    CheckCommon(r, "run_completed completed/CompletedAsPlanned");
  }
  SUBCASE("failed") {
    CheckCommon(Play(fx, Family::kIllumina, sim::BuildIlluminaRun, SimOutcome::kFailed),
                "run_failed failed/RunErrored");
  }
  SUBCASE("aborted") {
    CheckCommon(Play(fx, Family::kIllumina, sim::BuildIlluminaRun, SimOutcome::kAborted),
                "run_aborted aborted/UserEndedEarly");
  }
  SUBCASE("stalled") {
    CheckCommon(Play(fx, Family::kIllumina, sim::BuildIlluminaRun, SimOutcome::kStalled),
                "run_stalled");
  }
}

TEST_CASE("sim replay: ont, pacbio") {
  Fixture fx;
  SUBCASE("ont completed") {
    Replay r = Play(fx, Family::kOnt, sim::BuildOntRun, SimOutcome::kCompleted);
    CheckCommon(r, "run_completed completed/Completed");
    size_t with_sha = 0;
    for (const Event& e : r.events) with_sha += e.checksum.has_value();
    CHECK(with_sha == 8);  // every FASTQ batch, from output_hash
  }
  SUBCASE("ont crash") {
    CheckCommon(Play(fx, Family::kOnt, sim::BuildOntRun, SimOutcome::kAborted),
                "run_aborted aborted/Crashed");
  }
  SUBCASE("ont stalled") {
    CheckCommon(Play(fx, Family::kOnt, sim::BuildOntRun, SimOutcome::kStalled), "run_stalled");
  }
  SUBCASE("pacbio completed") {
    Replay r = Play(fx, Family::kPacBio, sim::BuildPacBioRun, SimOutcome::kCompleted);
    CheckCommon(r, "run_completed completed/Completed");
    // Cell 1 shipped before cell 2 finished.
    CHECK(IndexOf(r.briefs, "unit_changed 1_A01 completed/Completed") <
          IndexOf(r.briefs, "unit_changed 1_B01 completed/Completed"));
  }
  SUBCASE("pacbio aborted cell") {
    Replay r = Play(fx, Family::kPacBio, sim::BuildPacBioRun, SimOutcome::kAborted);
    CheckCommon(r, "run_completed completed/PartiallyCompleted");
    CHECK(Has(r.briefs, "unit_changed 1_B01 aborted/NoTransferdone"));
  }
  SUBCASE("pacbio stalled") {
    CheckCommon(Play(fx, Family::kPacBio, sim::BuildPacBioRun, SimOutcome::kStalled),
                "run_stalled");
  }
}

TEST_CASE("sim replay: element, ultima, mgi") {
  Fixture fx;
  SUBCASE("element completed") {
    CheckCommon(Play(fx, Family::kElement, sim::BuildElementRun, SimOutcome::kCompleted),
                "run_completed completed/OutcomeCompleted");
  }
  SUBCASE("element failed") {
    CheckCommon(Play(fx, Family::kElement, sim::BuildElementRun, SimOutcome::kFailed),
                "run_failed failed/OutcomeFailed");
  }
  SUBCASE("element stalled") {
    CheckCommon(Play(fx, Family::kElement, sim::BuildElementRun, SimOutcome::kStalled),
                "run_stalled");
  }
  SUBCASE("ultima completed") {
    CheckCommon(Play(fx, Family::kUltima, sim::BuildUltimaRun, SimOutcome::kCompleted),
                "run_completed completed/UploadCompleted");
  }
  SUBCASE("ultima stalled") {
    CheckCommon(Play(fx, Family::kUltima, sim::BuildUltimaRun, SimOutcome::kStalled),
                "run_stalled");
  }
  SUBCASE("mgi completed") {
    CheckCommon(Play(fx, Family::kMgi, sim::BuildMgiRun, SimOutcome::kCompleted),
                "run_completed completed/Completed");
  }
  SUBCASE("mgi stalled") {
    CheckCommon(Play(fx, Family::kMgi, sim::BuildMgiRun, SimOutcome::kStalled), "run_stalled");
  }
}

}  // namespace seqgate::bridge::testing
