// `seqgate-sim reads --out FILE [--out2 FILE2] --size BYTES --seed N --profile P ...`
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "common/env.h"
#include "common/units.h"
#include "sim/commands.h"
#include "sim/readgen.h"

namespace seqgate::sim {
namespace {

struct ReadsFlags {
  std::string out;
  std::string out2;
  std::string size;
  std::string profile = "novaseq";
  ReadGenOptions options;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "seqgate-sim reads: %s\n", message.c_str());
  return code;
}

int RunReads(ReadsFlags& f) {
  Result<uint64_t> size = ParseByteSize(f.size);
  if (!size.ok()) return Fail(kExitUsage, size.status().message());
  Result<ReadProfile> profile = ParseReadProfile(f.profile);
  if (!profile.ok()) return Fail(kExitUsage, profile.status().message());
  f.options.profile = *profile;
  f.options.paired = !f.out2.empty();
  Result<ReadGenerator> gen = ReadGenerator::Create(f.options);
  if (!gen.ok()) return Fail(kExitUsage, gen.status().message());

  Env* env = Env::Default();
  Result<std::unique_ptr<WritableFile>> r1 = env->CreateWritable(f.out);
  if (!r1.ok()) return Fail(kExitRuntimeError, r1.status().ToString());
  std::unique_ptr<WritableFile> r2;
  if (f.options.paired) {
    Result<std::unique_ptr<WritableFile>> opened = env->CreateWritable(f.out2);
    if (!opened.ok()) return Fail(kExitRuntimeError, opened.status().ToString());
    r2 = std::move(opened).value();
  }
  // Timed from here: creating (truncating) a big existing file is not generation speed.
  const auto start = std::chrono::steady_clock::now();
  Result<ReadGenStats> stats = gen->WriteTo(*size, r1->get(), r2.get());
  if (!stats.ok()) return Fail(kExitRuntimeError, stats.status().ToString());
  if (Status st = (*r1)->Close(); !st.ok()) return Fail(kExitRuntimeError, st.ToString());
  if (r2) {
    if (Status st = r2->Close(); !st.ok()) return Fail(kExitRuntimeError, st.ToString());
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const uint64_t bytes = stats->r1_bytes + stats->r2_bytes;
  const double mbps = secs > 0 ? static_cast<double>(bytes) / 1e6 / secs : 0.0;
  std::fprintf(
      stderr, "seqgate-sim reads: %s seed %llu: %llu records%s, %llu bytes in %.3f s (%.1f MB/s)\n",
      std::string(ReadProfileName(*profile)).c_str(),
      static_cast<unsigned long long>(f.options.seed),
      static_cast<unsigned long long>(stats->records), f.options.paired ? " (pairs)" : "",
      static_cast<unsigned long long>(bytes), secs, mbps);
  return kExitOk;
}

}  // namespace

Command AddReadsCommand(CLI::App& root) {
  auto flags = std::make_shared<ReadsFlags>();
  CLI::App* app = root.add_subcommand(
      "reads",
      "Write synthetic FASTQ reads. Output stops at the first record boundary at or after "
      "--size (bytes of the R1 file when paired), so it is never smaller than --size and "
      "exceeds it by less than one record. Same options and seed give identical bytes.");
  app->add_option("--out", flags->out, "FASTQ file to write (R1 when --out2 is given)")->required();
  app->add_option("--out2", flags->out2, "R2 FASTQ file: generate paired reads (Illumina)");
  app->add_option("--size", flags->size, "Target size: bytes, or with K/M/G/T (binary: 1G = 2^30)")
      ->required();
  app->add_option("--seed", flags->options.seed, "PRNG seed")
      ->check(  // CLI11 would silently wrap "-1" to 2^64-1
          [](const std::string& v) {
            return v.find('-') == std::string::npos ? "" : "must not be negative, got " + v;
          },
          "non-negative")
      ->capture_default_str();
  app->add_option("--profile", flags->profile, "novaseq, hiseq or ont")->capture_default_str();
  app->add_option("--read-length", flags->options.read_length,
                  "Illumina: bases per read (default 151 novaseq, 125 hiseq); "
                  "ont: median length (default 4000)");
  app->add_option("--instrument", flags->options.instrument, "Illumina instrument ID");
  app->add_option("--run-number", flags->options.run_number, "Illumina run number");
  app->add_option("--flowcell", flags->options.flowcell, "Flow cell ID");
  app->add_option("--lane", flags->options.lane, "Illumina lane (1..8)");
  app->add_option("--index", flags->options.index, "Illumina sample index, i7 or i7+i5");
  return {app, [flags] { return RunReads(*flags); }};
}

}  // namespace seqgate::sim
