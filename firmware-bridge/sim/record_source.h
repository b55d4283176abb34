// Internal: the per-platform record writers behind ReadGenerator.
#pragma once

#include <cstddef>
#include <memory>

#include "sim/readgen.h"

namespace seqgate::sim::internal {

// Writes FASTQ records of one platform. Implementations own their PRNG and all state that
// makes consecutive records look like one run (cluster coordinates, clocks, duplicates).
class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // Upper bound on the bytes one Append adds to either stream.
  virtual size_t max_record_bytes() const = 0;

  // Writes the next record at *r1 (and its mate at *r2 when paired; r2 is then non-null) and
  // advances the cursors. The caller guarantees max_record_bytes() of room behind each.
  virtual void Append(char** r1, char** r2) = 0;
};

// Sources for options already validated and completed by ReadGenerator::Create.
std::unique_ptr<RecordSource> MakeIlluminaSource(const ReadGenOptions& options);
std::unique_ptr<RecordSource> MakeOntSource(const ReadGenOptions& options);

}  // namespace seqgate::sim::internal
