// seqgate-sim illumina: an Illumina run folder in the order the instrument writes it —
// RunInfo/RunParameters at start, CBCL per cycle, RTAComplete, RunCompletionStatus,
// CopyComplete, then on-board analysis (Analysis/<n>/, FASTQ growing in place, Manifest.tsv,
// Secondary_Analysis_Complete, the analysis's own CopyComplete last), optionally requeued.
#include <string>
#include <vector>

#include "sim/families/family_command.h"

namespace seqgate::sim {
namespace {

struct Model {
  std::string name;
  std::string instrument;
  std::string folder_date;   // 6 or 8 digits, as the model names folders
  std::string runinfo_date;  // one of the four historical <Date> formats
  std::string flow_cell;     // as in RunInfo.xml
  std::string folder_fc;     // as in the folder name (side letter on NovaSeq)
  std::string params_file;
  std::string params_xml;
  std::string completion_element;  // "" = this model writes no RunCompletionStatus.xml
  bool copy_service;
  int lanes;
  std::string fastq_dir;  // "" = no on-board analysis; relative to Analysis/<n>/ or run root
};

Result<Model> ModelFor(const std::string& name, uint64_t seed) {
  const std::string n = std::to_string(40 + seed % 50);
  if (name.empty() || name == "novaseqx") {
    return Model{"novaseqx",
                 "LH00217",
                 "20240202",
                 "2024-02-02T10:11:12Z",
                 "22" + n + "J2LT3",
                 "A22" + n + "J2LT3",
                 "RunParameters.xml",
                 "<RunParameters><InstrumentType>NovaSeqXPlus</InstrumentType>"
                 "<InstrumentSerialNumber>LH00217</InstrumentSerialNumber><Side>A</Side>"
                 "<RecipeName>10B</RecipeName></RunParameters>",
                 "RunStatus",
                 true,
                 2,
                 "Data/BCLConvert/fastq"};
  }
  if (name == "nextseq2000") {
    return Model{"nextseq2000",
                 "VH00123",
                 "240202",
                 "2/2/2024 10:11:12 AM",
                 "AAAFF" + n + "M5",
                 "AAAFF" + n + "M5",
                 "RunParameters.xml",
                 "<RunParameters><Setup><ApplicationName>NextSeq 1000/2000 Control Software"
                 "</ApplicationName></Setup><InstrumentName>VH00123</InstrumentName>"
                 "</RunParameters>",
                 "CompletionStatus",
                 true,
                 1,
                 "Data/fastq"};
  }
  if (name == "novaseq6000") {
    return Model{"novaseq6000",
                 "A00291",
                 "240202",
                 "240202",
                 "HVHL5DM" + n,
                 "AHVHL5DM" + n,
                 "RunParameters.xml",
                 "<RunParameters><Setup><ApplicationName>NovaSeq Control Software"
                 "</ApplicationName></Setup><InstrumentName>A00291</InstrumentName>"
                 "</RunParameters>",
                 "",
                 true,
                 2,
                 ""};
  }
  if (name == "miseq") {
    return Model{"miseq",
                 "M02439",
                 "240202",
                 "240202",
                 "000000000-KT4" + n,
                 "000000000-KT4" + n,
                 "runParameters.xml",
                 "<RunParameters><Setup><ApplicationName>MiSeq Control Software</ApplicationName>"
                 "<ScannerID>M02439</ScannerID></Setup></RunParameters>",
                 "CompletionStatus",
                 false,
                 1,
                 "Data/Intensities/BaseCalls"};
  }
  return InvalidArgument("--model must be novaseqx, nextseq2000, novaseq6000 or miseq");
}

std::string RunInfoXml(const Model& m, const std::string& run_id, const std::string& number) {
  return "<?xml version=\"1.0\"?>\n<RunInfo Version=\"6\">\n  <Run Id=\"" + run_id +
         "\" Number=\"" + number + "\">\n    <Flowcell>" + m.flow_cell +
         "</Flowcell>\n    <Instrument>" + m.instrument + "</Instrument>\n    <Date>" +
         m.runinfo_date +
         "</Date>\n    <Reads>\n      <Read Number=\"1\" NumCycles=\"151\" IsIndexedRead=\"N\"/>\n"
         "      <Read Number=\"2\" NumCycles=\"8\" IsIndexedRead=\"Y\"/>\n"
         "      <Read Number=\"3\" NumCycles=\"151\" IsIndexedRead=\"N\"/>\n    </Reads>\n"
         "    <FlowcellLayout LaneCount=\"" +
         std::to_string(m.lanes) +
         "\" SurfaceCount=\"2\" SwathCount=\"2\" TileCount=\"98\"/>\n"
         "  </Run>\n</RunInfo>\n";
}

std::string Completion(const Model& m, const std::string& run_id, const std::string& value) {
  return "<?xml version=\"1.0\"?>\n<RunCompletionStatus>\n  <" + m.completion_element + ">" +
         value + "</" + m.completion_element + ">\n  <RunId>" + run_id + "</RunId>\n" +
         (value == "ExceptionEndedEarly" || value == "RunErrored"
              ? "  <ErrorDescription>Simulated fluidics error</ErrorDescription>\n"
              : "") +
         "</RunCompletionStatus>\n";
}

// FASTQ of one analysis attempt (or MiSeq's BaseCalls) and, for DRAGEN, its manifest.
void AddFastq(RunPlan* plan, const Model& m, const FamilyRun& run, const std::string& dir,
              uint64_t r1_bytes, bool manifest_root, int attempt) {
  std::vector<std::string> written;
  for (int s = 1; s <= 2; ++s) {
    for (int lane = 1; lane <= m.lanes; ++lane) {
      const std::string base = dir + "/Sample" + std::to_string(s) + "_S" + std::to_string(s) +
                               "_L00" + std::to_string(lane);
      ReadGenOptions o;
      o.profile = ReadProfile::kNovaSeq;
      o.seed = run.seed * 1000 + static_cast<uint64_t>(attempt * 100 + s * 10 + lane);
      o.instrument = m.instrument;
      o.flowcell = m.flow_cell.substr(0, 9);
      o.lane = static_cast<uint32_t>(lane);
      o.index = s == 1 ? "ACGTACGT+TGCATGCA" : "GGTTAACC+CCAATTGG";
      plan->Fastq(base + "_R1_001.fastq", base + "_R2_001.fastq", o, r1_bytes, 4);
      written.push_back(base + "_R1_001.fastq");
      written.push_back(base + "_R2_001.fastq");
    }
  }
  if (!manifest_root) return;
  // Manifest.tsv: path relative to the analysis folder, then its hash.
  const std::string adir = dir.substr(0, dir.find("/Data/"));
  plan->SmallLater(adir + "/Manifest.tsv", [plan, written, adir] {
    std::string tsv;
    for (const std::string& p : written) {
      auto it = plan->sha256().find(p);
      if (it != plan->sha256().end()) tsv += p.substr(adir.size() + 1) + "\t" + it->second + "\n";
    }
    return tsv;
  });
}

}  // namespace

Result<std::unique_ptr<RunPlan>> BuildIlluminaRun(const FamilyRun& run) {
  SEQGATE_ASSIGN_OR_RETURN(Model m, ModelFor(run.model, run.seed));
  const std::string number = std::to_string(run.seed % 10000);
  const std::string run_id = m.folder_date + "_" + m.instrument + "_" +
                             std::string(4 - std::min<size_t>(4, number.size()), '0') + number +
                             "_" + m.folder_fc;
  auto plan = std::make_unique<RunPlan>(run.env, run.out + "/" + run_id);
  RunPlan* p = plan.get();
  const bool analysis = !m.fastq_dir.empty();
  const int cycles = 6;
  const uint64_t bcl_bytes = analysis ? run.size / 4 : run.size;
  const uint64_t per_cbcl = bcl_bytes / static_cast<uint64_t>(cycles * m.lanes) + 1;
  const uint64_t fastq_r1 = (run.size - bcl_bytes) / static_cast<uint64_t>(4 * m.lanes) + 1;

  p->Small("RunInfo.xml", RunInfoXml(m, run_id, number));
  p->Small(m.params_file, m.params_xml);
  p->Small("SampleSheet.csv",
           "[Header]\nFileFormatVersion,2\n[Data]\nSample_ID,index\n"
           "Sample1,ACGTACGT\nSample2,GGTTAACC\n");
  const bool ends_early = run.outcome != SimOutcome::kCompleted;
  const int last_cycle = ends_early ? cycles / 2 : cycles;
  for (int c = 1; c <= last_cycle; ++c) {
    for (int lane = 1; lane <= m.lanes; ++lane) {
      const std::string l = "L00" + std::to_string(lane);
      p->Binary(
          "Data/Intensities/BaseCalls/" + l + "/C" + std::to_string(c) + ".1/" + l + "_1.cbcl",
          per_cbcl, 1, run.seed * 7919 + static_cast<uint64_t>(c * 10 + lane));
    }
    p->Small("InterOp/QMetricsOut.bin", "interop cycle " + std::to_string(c));
  }
  if (run.outcome == SimOutcome::kStalled) return plan;  // the instrument just stops writing

  // MiSeq queues its on-board analysis before base calling ends (order unverified on real
  // instruments; the bridge copes with either).
  if (m.name == "miseq" && run.outcome == SimOutcome::kCompleted)
    p->Small("QueuedForAnalysis.txt", "");
  p->Small("RTAComplete.txt", "");
  if (run.outcome == SimOutcome::kFailed || run.outcome == SimOutcome::kAborted) {
    const bool x = m.completion_element == "RunStatus";
    const std::string value = run.outcome == SimOutcome::kFailed
                                  ? (x ? "RunErrored" : "ExceptionEndedEarly")
                                  : "UserEndedEarly";
    Model schema = m;
    if (run.outcome == SimOutcome::kAborted) schema.completion_element = "CompletionStatus";
    if (schema.completion_element.empty()) schema.completion_element = "CompletionStatus";
    p->Small("RunCompletionStatus.xml", Completion(schema, run_id, value));
    if (m.copy_service) p->Small("CopyComplete.txt", "");
    return plan;
  }
  if (!m.completion_element.empty()) {
    p->Small(
        "RunCompletionStatus.xml",
        Completion(m, run_id,
                   m.completion_element == "RunStatus" ? "RunCompleted" : "CompletedAsPlanned"));
  }
  if (m.copy_service) p->Small("CopyComplete.txt", "");
  if (!analysis) return plan;

  if (m.name == "miseq") {  // MiSeq Reporter writes FASTQ into the run folder, then the job file
    AddFastq(p, m, run, m.fastq_dir, fastq_r1, false, 1);
    p->Small("CompletedJobInfo.xml", "<AnalysisJobInfo><State>Completed</State></AnalysisJobInfo>");
    return plan;
  }
  int attempt = 1;
  if (run.requeue) {  // a first analysis that fails half way (e.g. a bad sample sheet)
    AddFastq(p, m, run, "Analysis/1/" + m.fastq_dir, fastq_r1 / 2 + 1, false, attempt);
    p->Small("Analysis/1/Data/Error_Summary.json",
             "{\"result\": \"error\", \"message\": \"Simulated sample sheet error\"}\n");
    ++attempt;
  }
  const std::string adir = "Analysis/" + std::to_string(attempt);
  AddFastq(p, m, run, adir + "/" + m.fastq_dir, fastq_r1, true, attempt);
  p->Small(adir + "/Data/Reports/Demultiplex_Stats.csv", "Lane,SampleID,# Reads\n1,Sample1,1000\n");
  p->Small(adir + "/Data/Secondary_Analysis_Complete.txt", "");
  p->Small(adir + "/CopyComplete.txt", "");
  return plan;
}

Command AddIlluminaCommand(CLI::App& root) {
  FamilySpec spec;
  spec.name = "illumina";
  spec.description =
      "Write an Illumina run folder over time (--model novaseqx|nextseq2000|novaseq6000|miseq)";
  spec.outcomes = {SimOutcome::kCompleted, SimOutcome::kFailed, SimOutcome::kAborted,
                   SimOutcome::kStalled};
  spec.add_flags = [](CLI::App* app, FamilyRun* run) {
    app->add_option("--model", run->model, "novaseqx (default), nextseq2000, novaseq6000, miseq");
    app->add_flag("--requeue", run->requeue,
                  "On-board analysis 1 fails (Error_Summary.json); analysis 2 succeeds");
  };
  spec.build = BuildIlluminaRun;
  return AddFamilyCommand(root, std::move(spec));
}

}  // namespace seqgate::sim
