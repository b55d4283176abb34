// MGI DNBSEQ and the operator-configured generic adapter.
//
// Neither has a documented completion marker, so a run is complete when every expected file
// glob matches, an optional marker glob matches, and nothing in the run changed for the
// stability window; an operator can also mark it complete by hand. Without the expected files
// a quiet run is stalled, never complete.
#include <string>
#include <vector>

#include "adapters/adapter_util.h"
#include "adapters/families.h"
#include "common/glob.h"

namespace seqgate::bridge {
namespace {

// Completes `a` from expectations; `expected` are globs that must each match a regular file.
void AssessByExpectation(const RunSnapshot& snap, const AssessContext& ctx, Family family,
                         const std::vector<std::string>& expected, Assessment* a) {
  std::string missing;
  for (const std::string& g : expected) {
    bool hit = false;
    for (const Entry& e : snap.entries) {
      if (e.type == FileType::kRegular && GlobMatch(g, e.path)) {
        hit = true;
        break;
      }
    }
    if (!hit) missing += (missing.empty() ? "" : ", ") + g;
  }
  const std::string& marker = ctx.config->marker_glob;
  bool marker_ok = marker.empty();
  for (const Entry& e : snap.entries) {
    if (marker_ok) break;
    marker_ok = e.type == FileType::kRegular && GlobMatch(marker, e.path);
  }
  const bool quiet = QuietFor(ctx, ctx.config->stability_ns);
  if (!missing.empty()) {
    a->detail = "waiting for expected files: " + missing;
  } else if (!marker_ok) {
    a->detail = "waiting for a file matching marker '" + marker + "'";
  } else if (!quiet) {
    a->detail = "expected files present; waiting for " + HumanDuration(ctx.config->stability_ns) +
                " without changes";
  } else {
    a->state = RunState::kCompleted;
    a->outcome = "Completed";
    a->detail = "expected files present and nothing changed for " +
                HumanDuration(ctx.now_ns - ctx.last_activity_ns);
  }
  const bool ready = a->state == RunState::kCompleted;
  const std::string why = a->detail;
  FillVerdicts(
      snap, ctx, family,
      [&](const Entry&) {
        FileSignal s;
        s.ready = ready;
        if (!ready) s.why_not = why;
        return s;
      },
      a);
  FinishAssessment(ctx, a);
}

class MgiAdapter final : public Adapter {
 public:
  Family family() const override { return Family::kMgi; }

  // <FCID>/L0N/<FCID>_L0N_read_{1,2}.fq.gz (GenPipes' observed layout).
  bool Detect(const DirView& dir) const override {
    for (const auto& [name, type] : dir.children) {
      if (type == FileType::kDirectory && GlobMatch("L0[1-8]", name)) return true;
    }
    return false;
  }

  Assessment Assess(const RunSnapshot& snap, const AssessContext& ctx) const override {
    Assessment a;
    RunIdentity& id = a.identity;
    id.family = Family::kMgi;
    id.model = "DNBSEQ";
    id.run_id = std::string(BaseName(snap.root));
    id.flow_cell = id.run_id;
    id.metadata["folder"] = id.run_id;
    std::vector<std::string> expected = ctx.config->expected;
    if (expected.empty()) {
      // Per lane: read 1 FASTQ and the lane summary report, which MGI writes after the FASTQ.
      for (const std::string& lane : snap.SubdirNames("")) {
        if (!GlobMatch("L0[1-8]", lane)) continue;
        expected.push_back(lane + "/*_read_1.fq*");  // .fq.gz, or .fq when uncompressed
        expected.push_back(lane + "/*.summaryReport.html");
      }
      id.metadata["lanes"] = std::to_string(expected.size() / 2);
    }
    AssessByExpectation(snap, ctx, Family::kMgi, expected, &a);
    return a;
  }
};

class GenericAdapter final : public Adapter {
 public:
  Family family() const override { return Family::kGeneric; }

  // Every directory directly under the watch root is a run (the operator chose this).
  bool Detect(const DirView& dir) const override { return dir.depth == 1; }

  Assessment Assess(const RunSnapshot& snap, const AssessContext& ctx) const override {
    Assessment a;
    a.identity.family = Family::kGeneric;
    a.identity.run_id = std::string(BaseName(snap.root));
    a.identity.metadata["folder"] = a.identity.run_id;
    std::vector<std::string> expected = ctx.config->expected;
    // With nothing configured, insist on at least one file the policy ships.
    if (expected.empty()) expected = {"**"};
    AssessByExpectation(snap, ctx, Family::kGeneric, expected, &a);
    return a;
  }
};

}  // namespace

std::unique_ptr<Adapter> MakeMgiAdapter() { return std::make_unique<MgiAdapter>(); }
std::unique_ptr<Adapter> MakeGenericAdapter() { return std::make_unique<GenericAdapter>(); }

}  // namespace seqgate::bridge
