// Synthetic sequencing reads (FASTQ) for the instrument simulator, tests and benchmarks.
//
// Output is a pure function of ReadGenOptions: the same options (seed included) give
// byte-identical FASTQ on every machine, compiler and buffer size, because all randomness comes
// from our own integer PRNG (sim/prng.h) and records never depend on where a buffer ends.
// Generation is streaming with bounded memory (a few MiB whatever the output size) and runs at
// memory speed, so a test can produce gigabytes of realistic input in seconds.
//
// Profiles:
//   novaseq  Illumina NovaSeq: `@A00123:45:HABCDEFXX:1:1101:1000:2000 1:N:0:ACGTACGT+TGCATGCA`,
//            patterned-flow-cell coordinates, four binned qualities ('#' '-' '8' 'F').
//   hiseq    Illumina HiSeq/MiSeq era: random cluster coordinates, Phred 2..41 with a
//            position-dependent decline.
//   ont      Oxford Nanopore (MinKNOW) long reads: `@<uuid> runid=<hex> read=<n> ch=<n>
//            start_time=<iso8601> flow_cell_id=<id> ...`, log-normal lengths, Phred 5..40.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/env.h"
#include "common/status.h"

namespace seqgate::sim {

enum class ReadProfile { kNovaSeq, kHiSeq, kOnt };

// "novaseq", "hiseq" or "ont".
std::string_view ReadProfileName(ReadProfile profile);
// Inverse of ReadProfileName; kInvalidArgument naming the valid choices otherwise.
Result<ReadProfile> ParseReadProfile(std::string_view name);

// What to generate. Zero / empty fields mean "the profile's default" (see each field).
struct ReadGenOptions {
  ReadProfile profile = ReadProfile::kNovaSeq;
  uint64_t seed = 1;
  // Illumina: bases per read (default 151 novaseq, 125 hiseq; at most 100000).
  // ONT: the median of the log-normal length distribution (default 4000; 50..200000).
  uint32_t read_length = 0;
  // Illumina only: generate R1 and R2 (same read names, `1:` and `2:`).
  bool paired = false;
  // Illumina instrument ID (default A00123 novaseq, D00456 hiseq). Not part of ONT headers.
  std::string instrument;
  // Illumina run number (default 45 novaseq, 123 hiseq).
  uint32_t run_number = 0;
  // Flow cell ID (default HABCDEFXX novaseq, C6ABCANXX hiseq, PAO12345 ont).
  std::string flowcell;
  // Illumina lane the reads come from (default 1; 1..8). Like bcl2fastq's per-lane files, one
  // generator writes one lane: call it once per lane for a multi-lane run.
  uint32_t lane = 0;
  // Illumina sample index as printed in headers, `i7` or `i7+i5` (default ACGTACGT+TGCATGCA).
  // About 2% of reads show one mismatch in it, as in real demultiplexed files.
  std::string index;
  // ONT: acquisition start, seconds since the Unix epoch (default 2024-03-01T09:00:00Z).
  int64_t start_time_unix = 0;
  // ONT: the sample_id and protocol_group_id header fields (default "sample1", "seqgate_sim").
  std::string sample_id;
  std::string protocol_group_id;
};

// Counts of what was generated. r2_bytes is 0 unless paired.
struct ReadGenStats {
  uint64_t records = 0;  // FASTQ records per file (one per pair when paired)
  uint64_t r1_bytes = 0;
  uint64_t r2_bytes = 0;
};

namespace internal {
class RecordSource;
}  // namespace internal

// A stream of FASTQ records. Not thread-safe; independent generators may run in parallel.
class ReadGenerator {
 public:
  // Validates `options` (kInvalidArgument naming the field) and fills in profile defaults.
  static Result<ReadGenerator> Create(const ReadGenOptions& options);

  ReadGenerator(ReadGenerator&&) noexcept;
  ReadGenerator& operator=(ReadGenerator&&) noexcept;
  ~ReadGenerator();

  // The options in effect, with every default filled in.
  const ReadGenOptions& options() const { return options_; }

  // Upper bound on the size of one record in either stream. Buffers given to Fill must be at
  // least this large.
  size_t max_record_bytes() const;

  // Writes whole records to `r1` (and their mates to `r2` when paired; ignored otherwise)
  // while fewer than `want_r1_bytes` bytes were written to r1 and another record is sure to
  // fit in both. Returns what was written, from the start of each buffer. The next call
  // continues the same stream, so chunking never changes the bytes.
  ReadGenStats Fill(MutableByteView r1, MutableByteView r2, uint64_t want_r1_bytes);

  // Appends records to `r1` (and `r2` when paired) in multi-MiB writes until r1 has received at
  // least `target_r1_bytes`: output stops at the first record boundary at or after the target,
  // so it is never smaller and exceeds it by less than one record. R2 holds the mates of the
  // same records (its size differs slightly). Does not sync or close the files.
  Result<ReadGenStats> WriteTo(uint64_t target_r1_bytes, WritableFile* r1, WritableFile* r2);

  // Records generated so far by this generator (pairs count once).
  uint64_t records() const { return records_; }

 private:
  ReadGenerator(ReadGenOptions options, std::unique_ptr<internal::RecordSource> source);

  ReadGenOptions options_;
  std::unique_ptr<internal::RecordSource> source_;
  uint64_t records_ = 0;
};

// Creates `r1_path` (and `r2_path`, required exactly when options.paired) through `env`, writes
// reads as ReadGenerator::WriteTo(target_r1_bytes, ...) and closes them. Errors name the file.
Result<ReadGenStats> WriteReadFiles(Env* env, const ReadGenOptions& options,
                                    uint64_t target_r1_bytes, const std::string& r1_path,
                                    const std::string& r2_path);

}  // namespace seqgate::sim
