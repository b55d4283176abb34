// Element AVITI and Ultima UG 100: one vendor marker each says the run folder is complete.
//
// AVITI writes RunUploaded.json as "the last file transferred", with an outcome
// (OutcomeCompleted | OutcomeFailed). Ultima writes UploadCompleted.json (npg_tracking's
// "run mirrored"); no outcome is known for it.
#include <string>

#include "adapters/adapter_util.h"
#include "adapters/bounded_read.h"
#include "adapters/families.h"
#include "adapters/json_files.h"
#include "common/glob.h"

namespace seqgate::bridge {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Marks every file ready when `ready`, otherwise waiting for `marker`.
void AllOrNothing(const RunSnapshot& snap, const AssessContext& ctx, Family f, bool ready,
                  const std::string& marker, Assessment* a) {
  FillVerdicts(
      snap, ctx, f,
      [&](const Entry&) {
        FileSignal s;
        s.ready = ready;
        if (!ready) s.why_not = "waiting for " + marker;
        return s;
      },
      a);
}

class ElementAdapter final : public Adapter {
 public:
  Family family() const override { return Family::kElement; }

  bool Detect(const DirView& dir) const override {
    return dir.HasChild("RunParameters.json") || dir.HasChild("RunUploaded.json");
  }

  Assessment Assess(const RunSnapshot& snap, const AssessContext& ctx) const override {
    Assessment a;
    RunIdentity& id = a.identity;
    id.family = Family::kElement;
    id.model = "AVITI";
    id.metadata["folder"] = std::string(BaseName(snap.root));
    auto text = ReadRunFile(ctx.env, snap, "RunParameters.json", kMaxMetadataBytes);
    auto p =
        text.ok() ? ParseElementRunParameters(*text) : Result<ElementRunParameters>(text.status());
    if (p.ok()) {
      id.run_id = p->run_id.empty() ? p->run_name : p->run_id;
      id.flow_cell = p->flow_cell;
      id.instrument = p->instrument;
      if (!p->run_name.empty()) id.metadata["run_name"] = p->run_name;
      if (!p->side.empty()) id.metadata["side"] = p->side;
      if (!p->run_type.empty()) id.metadata["run_type"] = p->run_type;
      if (!p->date.empty()) id.metadata["run_date"] = p->date;
      const std::string type = Lower(p->run_type);
      if (type == "wash" || type == "prime") {
        a.qc_or_test = true;
        a.qc_reason = "RunType " + p->run_type;
      }
    } else {
      AddProblem(&a, "RunParameters.json", p.status());
      id.run_id = id.metadata["folder"];
    }

    bool uploaded = false;
    if (snap.Find("RunUploaded.json") != nullptr) {
      auto u = ReadRunFile(ctx.env, snap, "RunUploaded.json", kMaxMarkerBytes);
      auto outcome = u.ok() ? ParseElementOutcome(*u) : Result<std::string>(u.status());
      if (!outcome.ok()) {
        AddProblem(&a, "RunUploaded.json", outcome.status());
      } else {
        uploaded = true;
        a.outcome = *outcome;
        if (*outcome == "OutcomeFailed") {
          a.state = RunState::kFailed;
          a.detail = "RunUploaded.json: OutcomeFailed";
        } else if (outcome->find("Abort") != std::string::npos) {
          a.state = RunState::kAborted;
          a.detail = "RunUploaded.json: " + *outcome;
        } else {
          a.state = RunState::kCompleted;
          a.detail = "RunUploaded.json: " + (outcome->empty() ? "no outcome" : *outcome);
          if (*outcome != "OutcomeCompleted") a.detail += " (unrecognised: outcome unknown)";
        }
      }
    }
    if (!uploaded && a.detail.empty()) {
      a.detail = a.problems.empty() ? "running (no RunUploaded.json yet)"
                                    : "RunUploaded.json present but unreadable";
    }
    AllOrNothing(snap, ctx, Family::kElement, uploaded, "RunUploaded.json", &a);
    FinishAssessment(ctx, &a);
    return a;
  }
};

class UltimaAdapter final : public Adapter {
 public:
  Family family() const override { return Family::kUltima; }

  bool Detect(const DirView& dir) const override {
    return dir.HasChildMatching("*_LibraryInfo.xml") || dir.HasChild("UploadCompleted.json");
  }

  Assessment Assess(const RunSnapshot& snap, const AssessContext& ctx) const override {
    Assessment a;
    RunIdentity& id = a.identity;
    id.family = Family::kUltima;
    id.model = "UG 100";
    const std::string folder(BaseName(snap.root));
    id.metadata["folder"] = folder;
    // Runs/<runid>-<YYYYMMDD_HHMM>/<runid>_LibraryInfo.xml
    for (const Entry& e : snap.entries) {
      if (e.path.find('/') == std::string::npos && GlobMatch("*_LibraryInfo.xml", e.path)) {
        id.run_id = e.path.substr(0, e.path.size() - 16);
        break;
      }
    }
    if (id.run_id.empty()) id.run_id = folder.substr(0, folder.find('-'));
    if (const size_t dash = folder.find('-'); dash != std::string::npos) {
      id.metadata["run_started"] = folder.substr(dash + 1);
    }
    bool done = false;
    if (snap.Find("UploadCompleted.json") != nullptr) {
      auto u = ReadRunFile(ctx.env, snap, "UploadCompleted.json", kMaxMarkerBytes);
      // Content is not documented; we only insist it is whole, i.e. valid JSON.
      auto j = u.ok() ? ParseJsonText(*u) : Result<nlohmann::json>(u.status());
      if (!j.ok()) {
        AddProblem(&a, "UploadCompleted.json", j.status());
      } else {
        done = true;
        a.state = RunState::kCompleted;
        a.outcome = "UploadCompleted";
        a.detail = "UploadCompleted.json present";
      }
    }
    if (!done && a.detail.empty()) {
      a.detail = a.problems.empty() ? "running (no UploadCompleted.json yet)"
                                    : "UploadCompleted.json present but unreadable";
    }
    AllOrNothing(snap, ctx, Family::kUltima, done, "UploadCompleted.json", &a);
    FinishAssessment(ctx, &a);
    return a;
  }
};

}  // namespace

std::unique_ptr<Adapter> MakeElementAdapter() { return std::make_unique<ElementAdapter>(); }
std::unique_ptr<Adapter> MakeUltimaAdapter() { return std::make_unique<UltimaAdapter>(); }

}  // namespace seqgate::bridge
