// Illumina (MiSeq, NextSeq 500/550/1000/2000, NovaSeq 6000, NovaSeq X, iSeq, HiSeq).
//
// Three separate questions (instruments.md §0): has sequencing ended and how (RTAComplete /
// SequenceComplete / RunCompletionStatus.xml), is the run data all in the output folder
// (CopyComplete.txt, which RTAComplete precedes by up to ~1.5 h on instruments with a copy
// service), and has each on-board analysis finished and been copied (Analysis/<n>/
// CopyComplete.txt, failed when Data/Error_Summary.json says "error").
#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include "adapters/adapter_util.h"
#include "adapters/bounded_read.h"
#include "adapters/families.h"
#include "adapters/illumina_xml.h"
#include "adapters/json_files.h"
#include "adapters/text_tables.h"
#include "common/glob.h"

namespace seqgate::bridge {
namespace {

struct ModelInfo {
  std::string_view model;
  bool copy_service;  // writes CopyComplete.txt when everything is in the output folder
};

// Instrument-id prefixes (arteria-runfolder, cleve, runscanner); longest prefixes first.
ModelInfo ModelFromInstrument(std::string_view id) {
  struct Row {
    std::string_view prefix;
    ModelInfo info;
  };
  static constexpr Row kRows[] = {
      {"ST-E", {"HiSeq X", false}},
      {"SL", {"MiSeq i100", true}},
      {"LH", {"NovaSeq X", true}},
      {"VH", {"NextSeq 1000/2000", true}},
      {"NB", {"NextSeq 500/550", false}},
      {"NS", {"NextSeq 500/550", false}},
      {"FS", {"iSeq 100", true}},
      {"M", {"MiSeq", false}},
      {"A", {"NovaSeq 6000", true}},
      {"D", {"HiSeq", false}},
      {"K", {"HiSeq", false}},
      {"J", {"HiSeq", false}},
      {"E", {"HiSeq X", false}},
  };
  for (const Row& r : kRows) {
    if (id.substr(0, r.prefix.size()) == r.prefix) return r.info;
  }
  return {"", false};
}

bool IsAllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An on-board analysis attempt: Analysis/<n>/ (re-queues create n = 2, 3, ...).
struct Analysis {
  std::string dir;  // "Analysis/2"
  int number = 0;
  UnitStatus status;
  std::map<std::string, SourceChecksum> checksums;  // run-relative path -> Manifest.tsv hash
};

void ReadManifest(const RunSnapshot& snap, const AssessContext& ctx, Analysis* an, Assessment* a) {
  const std::string rel = an->dir + "/Manifest.tsv";
  if (!snap.HasFile(rel)) return;
  auto text = ReadRunFile(ctx.env, snap, rel, kMaxChecksumListBytes);
  if (!text.ok()) return AddProblem(a, rel, text.status());
  auto table = ParseDelimited(*text, '\t', /*has_header=*/false);
  if (!table.ok()) return AddProblem(a, rel, table.status());
  for (const auto& row : table->rows) {
    if (row.size() < 2) continue;
    // The hash algorithm is not documented (instruments.md §6): infer it from the length.
    std::string alg = GuessDigestAlgorithm(row[1]);
    if (alg.empty()) continue;
    std::string hex = row[1];
    std::transform(hex.begin(), hex.end(), hex.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c); });
    std::string_view path = row[0];
    if (path.substr(0, 2) == "./") path.remove_prefix(2);
    an->checksums[an->dir + "/" + std::string(path)] = {alg, hex, rel};
  }
}

Analysis AssessAnalysis(const RunSnapshot& snap, const AssessContext& ctx, std::string dir,
                        int number, Assessment* a) {
  Analysis an;
  an.dir = std::move(dir);
  an.number = number;
  an.status.name = an.dir;
  const std::string err_rel = an.dir + "/Data/Error_Summary.json";
  bool failed = false;
  if (snap.HasFile(err_rel)) {
    auto text = ReadRunFile(ctx.env, snap, err_rel, kMaxMarkerBytes);
    auto is_error = text.ok() ? ParseDragenErrorSummary(*text) : Result<bool>(text.status());
    if (!is_error.ok()) {
      AddProblem(a, err_rel, is_error.status());
    } else {
      failed = *is_error;
    }
  }
  const bool copied = snap.HasFile(an.dir + "/CopyComplete.txt");
  const bool secondary = snap.HasFile(an.dir + "/Data/Secondary_Analysis_Complete.txt");
  if (failed) {
    an.status.state = RunState::kFailed;
    an.status.outcome = "error";
    an.status.detail = "Error_Summary.json reports result \"error\"";
  } else if (copied) {
    an.status.state = RunState::kCompleted;
    an.status.outcome = secondary ? "Secondary_Analysis_Complete" : "CopyComplete";
    an.status.detail = "CopyComplete.txt present";
  } else {
    an.status.detail = secondary ? "analysis finished, copying (waiting for CopyComplete.txt)"
                                 : "analysis running (waiting for CopyComplete.txt)";
    if (QuietFor(ctx, ctx.config->stall_ns)) {
      an.status.state = RunState::kStalled;
      an.status.detail +=
          "; nothing changed for " + HumanDuration(ctx.now_ns - ctx.last_activity_ns);
    }
  }
  ReadManifest(snap, ctx, &an, a);
  return an;
}

// Fallback identity from "<date>_<instrument>_<run#>_<[AB]flowcell>" when RunInfo.xml is bad.
void IdentityFromFolderName(std::string_view name, RunIdentity* id) {
  id->run_id = std::string(name);
  const size_t last = name.rfind('_');
  if (last != std::string_view::npos) id->flow_cell = std::string(name.substr(last + 1));
  const size_t first = name.find('_');
  if (first != std::string_view::npos) {
    const size_t second = name.find('_', first + 1);
    id->instrument = std::string(name.substr(first + 1, second - first - 1));
  }
}

constexpr std::string_view kRtaCrash = "Application exited before completion";

// The first RTA log (Data/RTALogs/*Log*.txt) whose end reports that RTA exited before
// completion, or "". Only the last 64 KiB of at most 16 logs are read: logs can be large.
std::string RtaCrashLog(const RunSnapshot& snap, const AssessContext& ctx, Assessment* a) {
  int looked = 0;
  for (const Entry& e : snap.WithPrefix("Data/RTALogs/")) {
    if (e.type != FileType::kRegular || !GlobMatch("*Log*.txt", e.path)) continue;
    if (++looked > 16) break;
    auto tail = ReadRunFileTail(ctx.env, snap, e.path, 64 << 10);
    if (!tail.ok()) {
      AddProblem(a, e.path, tail.status());
      continue;
    }
    if (tail->find(kRtaCrash) != std::string::npos) return e.path;
  }
  return "";
}

class IlluminaAdapter final : public Adapter {
 public:
  Family family() const override { return Family::kIllumina; }

  bool Detect(const DirView& dir) const override { return dir.HasChild("RunInfo.xml"); }

  Assessment Assess(const RunSnapshot& snap, const AssessContext& ctx) const override {
    Assessment a;
    a.identity.family = Family::kIllumina;
    ReadIdentity(snap, ctx, &a);

    std::map<std::string, Analysis> analyses;  // by dir
    int latest = 0;
    for (const std::string& name : snap.SubdirNames("Analysis")) {
      if (!IsAllDigits(name) || name.size() > 6) continue;
      const int n = std::stoi(name);
      latest = std::max(latest, n);
      Analysis an = AssessAnalysis(snap, ctx, "Analysis/" + name, n, &a);
      a.units.push_back(an.status);
      analyses.emplace(an.dir, std::move(an));
    }
    if (latest > 1) a.identity.metadata["analysis_requeues"] = std::to_string(latest - 1);

    const ModelInfo model = ModelFromInstrument(a.identity.instrument);
    const bool rta = snap.HasFile("RTAComplete.txt") || snap.HasFile("RTAComplete.xml");
    const bool seq_done = rta || snap.HasFile("SequenceComplete.txt") ||
                          snap.HasFile("Basecalling_Netcopy_complete.txt");
    const bool copied = snap.HasFile("CopyComplete.txt");
    // Without a copy service, RTAComplete is the last word on run data (arteria-runfolder);
    // legacy MiSeq/HiSeq software also writes Basecalling_Netcopy_complete.txt (runscanner).
    const bool netcopy = snap.HasFile("Basecalling_Netcopy_complete.txt");
    bool root_ready = copied || (!model.copy_service && (rta || netcopy));
    std::string root_wait = !seq_done ? "sequencing (no RTAComplete.txt yet)"
                                      : "copying (waiting for CopyComplete.txt)";

    // MiSeq's on-board analysis (MiSeq Reporter / LRM) writes FASTQ into the run folder after
    // RTAComplete; QueuedForAnalysis.txt / AnalysisJobInfo.xml announce it, CompletedJobInfo.xml
    // ends it (aozan #17 listing).
    const bool is_miseq = model.model == "MiSeq";
    const bool miseq_job_done = snap.HasFile("CompletedJobInfo.xml");
    bool miseq_fastq = false;
    for (const Entry& e : snap.WithPrefix("Data/Intensities/BaseCalls/")) {
      miseq_fastq = miseq_fastq || e.path.ends_with(".fastq.gz") || e.path.ends_with(".fastq");
    }
    const bool miseq_analysis_pending =
        is_miseq && !miseq_job_done &&
        (miseq_fastq || snap.HasFile("QueuedForAnalysis.txt") ||
         snap.HasFile("AnalysisJobInfo.xml") || !snap.WithPrefix("Alignment_").empty());

    // Outcome.
    IlluminaCompletion completion;
    bool have_completion = false;
    if (snap.Find("RunCompletionStatus.xml") != nullptr) {
      auto text = ReadRunFile(ctx.env, snap, "RunCompletionStatus.xml", kMaxMarkerBytes);
      auto parsed =
          text.ok() ? ParseRunCompletionStatus(*text) : Result<IlluminaCompletion>(text.status());
      if (parsed.ok()) {
        completion = *parsed;
        have_completion = true;
      } else {
        AddProblem(&a, "RunCompletionStatus.xml", parsed.status());
      }
    }
    // Without a completion file, RTA's own log is the only word on a crash (runscanner).
    if (!have_completion && !seq_done) {
      if (std::string log = RtaCrashLog(snap, ctx, &a); !log.empty()) {
        completion.meaning = IlluminaCompletion::Meaning::kFailed;
        completion.value = "RtaExitedEarly";
        completion.error_description = log + ": \"" + std::string(kRtaCrash) + "\"";
        have_completion = true;
      }
    }
    using M = IlluminaCompletion::Meaning;
    const bool ended_badly =
        have_completion && (completion.meaning == M::kFailed || completion.meaning == M::kAborted);
    if (ended_badly) {
      a.state = completion.meaning == M::kFailed ? RunState::kFailed : RunState::kAborted;
      a.outcome = completion.value;
      a.detail = "RunCompletionStatus.xml: " + completion.value;
      if (!completion.error_description.empty())
        a.detail += " (" + completion.error_description + ")";
      // A run that ended early may never be copied in full; after the stall window, ship
      // what is there rather than hold it forever.
      if (!root_ready && QuietFor(ctx, ctx.config->stall_ns)) {
        root_ready = true;
        a.notes.push_back(
            "run ended early and CopyComplete.txt never appeared; shipping what is there");
      }
    } else {
      const Analysis* running = nullptr;
      for (const auto& [dir, an] : analyses) {
        if (an.status.state == RunState::kInProgress) running = &an;
      }
      if (!root_ready) {
        a.detail = root_wait;
      } else if (miseq_analysis_pending) {
        a.detail = "MiSeq on-board analysis running (waiting for CompletedJobInfo.xml)";
      } else if (running != nullptr) {
        a.detail = "on-board analysis " + running->dir + " in progress";
      } else {
        a.state = RunState::kCompleted;
        if (have_completion) {
          a.outcome = completion.value;
          a.detail = "RunCompletionStatus.xml: " + completion.value;
          if (completion.meaning == M::kUnknown) {
            a.detail += " (unrecognised value: run ended, outcome unknown)";
          }
        } else {
          a.outcome = "Completed";
          a.detail = copied ? "CopyComplete.txt present" : "RTAComplete present (no copy service)";
        }
      }
    }

    FillVerdicts(
        snap, ctx, Family::kIllumina,
        [&](const Entry& e) {
          FileSignal s;
          std::string_view p = e.path;
          if (p.starts_with("Analysis/")) {
            const size_t slash = p.find('/', 9);
            auto it = slash == std::string_view::npos
                          ? analyses.end()
                          : analyses.find(std::string(p.substr(0, slash)));
            if (it != analyses.end()) {
              const Analysis& an = it->second;
              s.unit = an.dir;
              s.ready = an.status.state == RunState::kCompleted;
              if (an.status.state == RunState::kFailed) {
                s.why_not = an.dir + " failed (Error_Summary.json)";
              } else if (!s.ready) {
                s.why_not = "waiting for " + an.dir + "/CopyComplete.txt";
              }
              return s;
            }
          }
          s.ready = root_ready;
          if (!s.ready) s.why_not = "run " + root_wait;
          if (s.ready && is_miseq && !miseq_job_done &&
              (p.starts_with("Alignment_") || p.starts_with("Data/Intensities/BaseCalls/"))) {
            s.ready = false;
            s.why_not = "waiting for CompletedJobInfo.xml (MiSeq on-board analysis)";
          }
          return s;
        },
        &a);
    for (FileVerdict& v : a.files) {
      if (v.unit.empty()) continue;
      auto an = analyses.find(v.unit);
      if (an == analyses.end()) continue;
      if (auto it = an->second.checksums.find(v.path); it != an->second.checksums.end()) {
        v.checksum = it->second;
      }
    }
    FinishAssessment(ctx, &a);
    return a;
  }

 private:
  static void ReadIdentity(const RunSnapshot& snap, const AssessContext& ctx, Assessment* a) {
    RunIdentity& id = a->identity;
    id.metadata["folder"] = std::string(BaseName(snap.root));
    auto text = ReadRunFile(ctx.env, snap, "RunInfo.xml", kMaxMetadataBytes);
    auto info = text.ok() ? ParseRunInfo(*text) : Result<IlluminaRunInfo>(text.status());
    if (info.ok()) {
      id.run_id = info->run_id;
      id.flow_cell = info->flow_cell;
      id.instrument = info->instrument;
      if (!info->date.empty()) id.metadata["run_date"] = info->date;
      if (!info->run_number.empty()) id.metadata["run_number"] = info->run_number;
      if (info->lane_count > 0) id.metadata["lanes"] = std::to_string(info->lane_count);
      std::string reads;
      for (const IlluminaRead& r : info->reads) {
        if (!reads.empty()) reads += ',';
        reads += std::to_string(r.cycles);
        if (r.indexed) reads += 'i';
      }
      if (!reads.empty()) id.metadata["reads"] = reads;
    } else {
      AddProblem(a, "RunInfo.xml", info.status());
      IdentityFromFolderName(BaseName(snap.root), &id);
    }
    // Older instruments spell it runParameters.xml; aozan #17 shows both on a MiSeq.
    const Entry* params = snap.Find("RunParameters.xml");
    if (params == nullptr) params = snap.Find("runParameters.xml");
    if (params != nullptr) {
      auto ptext = ReadRunFile(ctx.env, snap, params->path, kMaxMetadataBytes);
      auto p =
          ptext.ok() ? ParseRunParameters(*ptext) : Result<IlluminaRunParameters>(ptext.status());
      if (p.ok()) {
        if (id.instrument.empty()) id.instrument = p->instrument_id;
        auto put = [&](const char* key, const std::string& v) {
          if (!v.empty()) id.metadata[key] = v;
        };
        put("instrument_type", p->instrument_type);
        put("experiment", p->experiment_name);
        put("side", p->side);
        put("recipe", p->recipe);
        put("flow_cell_type", p->flow_cell_type);
        put("secondary_analysis", p->secondary_analysis_mode);
      } else {
        AddProblem(a, params->path, p.status());
      }
    }
    id.model = std::string(ModelFromInstrument(id.instrument).model);
  }
};

}  // namespace

std::unique_ptr<Adapter> MakeIlluminaAdapter() { return std::make_unique<IlluminaAdapter>(); }

}  // namespace seqgate::bridge
