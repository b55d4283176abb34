// seqgate-sim pacbio: a Revio (or Sequel II) run — SMRT cells one after another, each with
// its reads growing in place and its .transferdone last; an aborted cell never gets one.
#include <string>

#include "sim/families/family_command.h"

namespace seqgate::sim {

Result<std::unique_ptr<RunPlan>> BuildPacBioRun(const FamilyRun& run) {
  const bool revio = run.model.empty() || run.model == "revio";
  if (!revio && run.model != "sequel2") return InvalidArgument("--model must be revio or sequel2");
  if (run.cells < 1 || run.cells > 4) return InvalidArgument("--cells must be 1..4");
  const std::string inst = revio ? "84001" : "64012";
  auto plan = std::make_unique<RunPlan>(run.env, run.out + "/r" + inst + "_20240202_101112");
  RunPlan* p = plan.get();
  p->Small("Transfer_Test_" + std::to_string(run.seed) + ".txt", "");
  const uint64_t per_cell = run.size / static_cast<uint64_t>(run.cells) + 1;
  const char wells[] = {'A', 'B', 'C', 'D'};
  for (int c = 0; c < run.cells; ++c) {
    const std::string cell = std::string("1_") + wells[c] + "01";
    const std::string movie = "m" + inst + "_240202_1" + std::to_string(c) + "1112" +
                              (revio ? "_s" + std::to_string(c + 1) : "");
    const bool stall_here = run.outcome == SimOutcome::kStalled && c == 0;
    const bool abort_here = run.outcome == SimOutcome::kAborted && c == run.cells - 1;
    const std::string meta = revio ? cell + "/metadata/" : cell + "/";
    p->Small(meta + movie + ".metadata.xml", "<PacBioDataModel><CellPac Barcode=\"EA" +
                                                 std::to_string(100000 + c) +
                                                 "\"/>"
                                                 "</PacBioDataModel>");
    const std::string reads = revio ? cell + "/hifi_reads/" + movie + ".hifi_reads.bam"
                                    : cell + "/" + movie + ".subreads.bam";
    if (stall_here || abort_here) {  // the cell stops half way and never finishes
      p->Binary(reads, per_cell / 2 + 1, 2, run.seed * 31 + static_cast<uint64_t>(c));
      if (stall_here) return plan;
      continue;
    }
    p->Binary(reads, per_cell * 9 / 10, 4, run.seed * 31 + static_cast<uint64_t>(c));
    if (revio) {
      p->Binary(reads + ".pbi", 4096, 1, run.seed + 5);
      p->Binary(cell + "/fail_reads/" + movie + ".fail_reads.bam", per_cell / 10 + 1, 1,
                run.seed + 6);
      p->Small(cell + "/pb_formats/" + movie + ".hifi_reads.consensusreadset.xml",
               "<ConsensusReadSet/>");
      p->Small(cell + "/statistics/" + movie + ".summary.json", "{\"cell\": \"" + cell + "\"}");
    } else {
      p->Small(cell + "/" + movie + ".subreadset.xml", "<SubreadSet/>");
    }
    p->Small(meta + movie + ".transferdone", "");
  }
  return plan;
}

Command AddPacBioCommand(CLI::App& root) {
  FamilySpec spec;
  spec.name = "pacbio";
  spec.description =
      "Write a PacBio run over time, SMRT cell by cell (aborted = the last cell never gets its "
      ".transferdone)";
  spec.outcomes = {SimOutcome::kCompleted, SimOutcome::kAborted, SimOutcome::kStalled};
  spec.add_flags = [](CLI::App* app, FamilyRun* run) {
    app->add_option("--model", run->model, "revio (default) or sequel2");
    app->add_option("--cells", run->cells, "SMRT cells, 1..4 (default 2)");
  };
  spec.build = BuildPacBioRun;
  return AddFamilyCommand(root, std::move(spec));
}

}  // namespace seqgate::sim
