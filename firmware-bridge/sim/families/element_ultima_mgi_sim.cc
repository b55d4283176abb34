// seqgate-sim element|ultima|mgi: the families with one vendor marker (AVITI RunUploaded.json
// with its outcome, Ultima UploadCompleted.json) or none (MGI: lanes of FASTQ and reports).
#include <string>

#include "sim/families/family_command.h"

namespace seqgate::sim {
namespace {

ReadGenOptions Reads(uint64_t seed, const std::string& fc) {
  ReadGenOptions o;
  o.profile = ReadProfile::kNovaSeq;
  o.seed = seed;
  o.flowcell = fc;
  return o;
}

}  // namespace

Result<std::unique_ptr<RunPlan>> BuildElementRun(const FamilyRun& run) {
  const std::string inst = "AV234", name = "simrun" + std::to_string(run.seed);
  const std::string fc = std::to_string(2340000 + run.seed % 10000);
  auto plan =
      std::make_unique<RunPlan>(run.env, run.out + "/" + inst + "/20240202_" + inst + "_" + name);
  RunPlan* p = plan.get();
  p->Small("RunParameters.json",
           "{\"RunName\": \"" + name + "\", \"RunID\": \"" + inst + "-" + std::to_string(run.seed) +
               "\", \"Side\": \"SideA\", \"RunType\": \"Sequencing\", \"FlowcellID\": \"" + fc +
               "\", \"InstrumentName\": \"" + inst +
               "\", \"Date\": \"2024-02-02T10:11:12Z\", \"Cycles\": {\"R1\": 151, \"R2\": 151}}\n");
  p->Small("RunManifest.json", "{\"Samples\": [{\"SampleName\": \"Sample1\"}]}\n");
  const int cycles = run.outcome == SimOutcome::kCompleted ? 4 : 2;
  for (int c = 1; c <= cycles; ++c) {
    p->Binary("BaseCalls/R1_C00" + std::to_string(c) + ".zip", run.size / 8 + 1, 1,
              run.seed + static_cast<uint64_t>(c));
  }
  if (run.outcome == SimOutcome::kStalled) return plan;
  p->Small("AvitiRunStats.json", "{\"PercentQ30\": 93.1}\n");
  if (run.outcome == SimOutcome::kCompleted) {
    p->Fastq("Samples/DefaultProject/Sample1/Sample1_R1.fastq",
             "Samples/DefaultProject/Sample1/Sample1_R2.fastq", Reads(run.seed, fc),
             run.size / 4 + 1, 4);
  }
  p->Small("RunUploaded.json",
           std::string("{\"outcome\": \"") +
               (run.outcome == SimOutcome::kCompleted ? "OutcomeCompleted" : "OutcomeFailed") +
               "\"}\n");
  return plan;
}

Result<std::unique_ptr<RunPlan>> BuildUltimaRun(const FamilyRun& run) {
  const std::string id = std::to_string(410000 + run.seed % 10000);
  auto plan = std::make_unique<RunPlan>(run.env, run.out + "/Runs/" + id + "-20240202_1011");
  RunPlan* p = plan.get();
  p->Small(id + "_LibraryInfo.xml", "<LibraryInfo><RunId>" + id + "</RunId></LibraryInfo>\n");
  for (int s = 1; s <= 2; ++s) {
    const std::string base = id + "-Sample" + std::to_string(s);
    p->Binary(base + ".cram", run.size / 2 + 1, 4, run.seed * 13 + static_cast<uint64_t>(s));
    if (run.outcome == SimOutcome::kStalled) return plan;
    p->Binary(base + ".cram.crai", 2048, 1, run.seed + static_cast<uint64_t>(s));
    p->Small(base + ".json", "{\"sample\": \"Sample" + std::to_string(s) + "\"}\n");
  }
  p->Small("UploadCompleted.json", "{\"status\": \"uploaded\"}\n");
  return plan;
}

Result<std::unique_ptr<RunPlan>> BuildMgiRun(const FamilyRun& run) {
  const std::string fc = "V3000" + std::to_string(10000 + run.seed % 90000);
  auto plan = std::make_unique<RunPlan>(run.env, run.out + "/" + fc);
  RunPlan* p = plan.get();
  for (int lane = 1; lane <= 2; ++lane) {
    const std::string l = "L0" + std::to_string(lane);
    ReadGenOptions o = Reads(run.seed * 10 + static_cast<uint64_t>(lane), fc);
    o.lane = static_cast<uint32_t>(lane);
    p->Fastq(l + "/" + fc + "_" + l + "_read_1.fq", l + "/" + fc + "_" + l + "_read_2.fq", o,
             run.size / 4 + 1, 4);
    // Stalled: the second lane's report never comes.
    if (run.outcome == SimOutcome::kStalled && lane == 2) return plan;
    p->Small(l + "/" + fc + "_" + l + ".summaryReport.html", "<html>lane " + l + "</html>");
  }
  p->Small("BioInfo.csv", "Lane,Reads\nL01,1000\nL02,1000\n");
  return plan;
}

Command AddElementCommand(CLI::App& root) {
  FamilySpec spec;
  spec.name = "element";
  spec.description = "Write an Element AVITI run folder over time (RunUploaded.json last)";
  spec.outcomes = {SimOutcome::kCompleted, SimOutcome::kFailed, SimOutcome::kStalled};
  spec.build = BuildElementRun;
  return AddFamilyCommand(root, std::move(spec));
}

Command AddUltimaCommand(CLI::App& root) {
  FamilySpec spec;
  spec.name = "ultima";
  spec.description = "Write an Ultima UG 100 run folder over time (UploadCompleted.json last)";
  spec.outcomes = {SimOutcome::kCompleted, SimOutcome::kStalled};
  spec.build = BuildUltimaRun;
  return AddFamilyCommand(root, std::move(spec));
}

Command AddMgiCommand(CLI::App& root) {
  FamilySpec spec;
  spec.name = "mgi";
  spec.description =
      "Write an MGI DNBSEQ flow-cell folder over time (no marker: lanes of FASTQ and reports)";
  spec.outcomes = {SimOutcome::kCompleted, SimOutcome::kStalled};
  spec.build = BuildMgiRun;
  return AddFamilyCommand(root, std::move(spec));
}

}  // namespace seqgate::sim
