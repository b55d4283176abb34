// seqgate-sim ont: a MinKNOW run folder — POD5 and FASTQ batches as they fill (reads pass
// through queued_reads/ first), then sequencing summary, reports, output_hash (sha256 per
// file) and final_summary with file counts, last. A crash leaves reads in queued_reads/ and no
// final_summary.
#include <cstdio>
#include <filesystem>
#include <string>

#include "sim/families/family_command.h"

namespace seqgate::sim {
namespace {

// splitmix64 finalizer: ids that look random but follow from the seed.
uint64_t Mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string Hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buf).substr(16 - static_cast<size_t>(digits));
}

}  // namespace

Result<std::unique_ptr<RunPlan>> BuildOntRun(const FamilyRun& run) {
  const std::string fc = "PAK" + std::to_string(10000 + run.seed % 90000);
  const std::string prid = Hex(Mix(run.seed), 8) + "-" + Hex(Mix(run.seed + 1), 4) + "-4" +
                           Hex(Mix(run.seed + 2), 3) + "-8" + Hex(Mix(run.seed + 3), 3) + "-" +
                           Hex(Mix(run.seed + 4), 12);
  const std::string acq = Hex(Mix(run.seed + 5), 16) + Hex(Mix(run.seed + 6), 16);
  const std::string p8 = prid.substr(0, 8), a8 = acq.substr(0, 8);
  const std::string group = "seqgate_sim", sample = "sample" + std::to_string(run.seed % 100);
  const std::string folder = "20240202_1011_1A_" + fc + "_" + p8;
  auto plan =
      std::make_unique<RunPlan>(run.env, run.out + "/" + group + "/" + sample + "/" + folder);
  RunPlan* p = plan.get();
  const std::string root = p->root();

  const int batches = 4;
  const uint64_t pod5_bytes = run.size / 2 / batches + 1;
  const uint64_t fastq_bytes = run.size / 2 / batches + 1;
  const bool ends_early = run.outcome != SimOutcome::kCompleted;
  const int last = ends_early ? batches / 2 : batches;
  int fastq_files = 0, pod5_files = 0;
  p->Small("sample_sheet_" + fc + "_20240202_1011_" + p8 + ".csv",
           "flow_cell_id,kit,sample_id,experiment_id\n" + fc + ",SQK-LSK114," + sample + "," +
               group + "\n");
  for (int b = 0; b < last; ++b) {
    const std::string n = std::to_string(b);
    // Reads wait in queued_reads/ until a batch is written out.
    p->Small("queued_reads/reads_" + n + ".tmp", "queued batch " + n);
    p->Binary("pod5/" + fc + "_" + p8 + "_" + a8 + "_" + n + ".pod5", pod5_bytes, 2,
              run.seed * 101 + static_cast<uint64_t>(b));
    ReadGenOptions o;
    o.profile = ReadProfile::kOnt;
    o.seed = run.seed * 1000 + static_cast<uint64_t>(b);
    o.flowcell = fc;
    o.sample_id = sample;
    o.protocol_group_id = group;
    p->Fastq("fastq_pass/" + fc + "_pass_" + p8 + "_" + a8 + "_" + n + ".fastq", "", o,
             fastq_bytes * 9 / 10, 2);
    o.seed += 500;
    p->Fastq("fastq_fail/" + fc + "_fail_" + p8 + "_" + a8 + "_" + n + ".fastq", "", o,
             fastq_bytes / 10 + 1, 1);
    fastq_files += 2;
    ++pod5_files;
    const bool crash_here = run.outcome == SimOutcome::kAborted && b == last - 1;
    if (!crash_here) {
      p->Add(1, [root, n]() -> Status {
        std::error_code ec;
        std::filesystem::remove(root + "/queued_reads/reads_" + n + ".tmp", ec);
        if (ec) return IoError("remove queued batch: " + ec.message());
        return Status::Ok();
      });
    }
  }
  if (ends_early) return plan;  // crash (reads left queued) or a silent stall

  p->Small("sequencing_summary_" + fc + "_" + p8 + "_" + a8 + ".txt",
           "filename_fastq\tread_id\trun_id\tchannel\n");
  p->Small("report_" + fc + "_20240202_1011_" + p8 + ".json",
           "{\"protocol_run_id\": \"" + prid + "\"}");
  p->Small("report_" + fc + "_20240202_1011_" + p8 + ".html", "<html><body>report</body></html>");
  p->SmallLater(
      "output_hash_" + fc + "_20240202_1011_" + p8 + ".csv", [p, prid, fc, group, sample] {
        std::string csv =
            "runid,protocol_group_id,flow_cell_id,sample_id,file_hash,file_path,barcode,"
            "barcode_alias,basecall_status\n";
        for (const auto& [path, sha] : p->sha256()) {
          if (path.starts_with("queued_reads/") || path.find('/') == std::string::npos) continue;
          const bool pod5 = path.ends_with(".pod5");  // MinKNOW leaves POD5 hashes empty
          csv += prid + "," + group + "," + fc + "," + sample + "," + (pod5 ? "" : sha) + "," +
                 path + ",,," + (path.starts_with("fastq_fail") ? "fail" : "pass") + "\n";
        }
        return csv;
      });
  p->Small("final_summary_" + fc + "_" + p8 + "_" + a8 + ".txt",
           "instrument=PC24B123\nposition=1A\nflow_cell_id=" + fc + "\nsample_id=" + sample +
               "\nprotocol_group_id=" + group +
               "\nprotocol=sequencing/sequencing_PRO114_DNA_e8_2_400K:FLO-PRO114M:SQK-LSK114\n"
               "protocol_run_id=" +
               prid + "\nacquisition_run_id=" + acq +
               "\nstarted=2024-02-02T10:11:12.000000+00:00\n"
               "acquisition_stopped=2024-02-03T10:11:12.000000+00:00\n"
               "processing_stopped=2024-02-03T10:12:00.000000+00:00\nbasecalling_enabled=1\n"
               "sequencing_summary_file=sequencing_summary_" +
               fc + "_" + p8 + "_" + a8 +
               ".txt\nfast5_files_in_final_dest=0\nfast5_files_in_fallback=0\n"
               "pod5_files_in_final_dest=" +
               std::to_string(pod5_files) +
               "\npod5_files_in_fallback=0\nfastq_files_in_final_dest=" +
               std::to_string(fastq_files) + "\nfastq_files_in_fallback=0\n");
  return plan;
}

Command AddOntCommand(CLI::App& root) {
  FamilySpec spec;
  spec.name = "ont";
  spec.description =
      "Write an Oxford Nanopore MinKNOW run folder over time (aborted = crash: reads left in "
      "queued_reads/, no final_summary)";
  spec.outcomes = {SimOutcome::kCompleted, SimOutcome::kAborted, SimOutcome::kStalled};
  spec.build = BuildOntRun;
  return AddFamilyCommand(root, std::move(spec));
}

}  // namespace seqgate::sim
