// Which files of a run ship: per-family defaults, overridden by operator globs.
//
// Defaults ship what centres archive (FASTQ, CRAM/CRAI, BAM/BAI) and the run's small
// metadata and reports; raw signal (BCL/CBCL, POD5, FAST5, AVITI base-call zips) only when
// an include glob asks for it, because it is most of the bytes and rarely wanted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/run_model.h"

namespace seqgate::bridge {

// Operator overrides; empty means "the family's defaults".
struct ShipOverrides {
  std::vector<std::string> include;  // ship these even when the defaults would not
  std::vector<std::string> exclude;  // never ship these (beats every include)
};

// The decision for one file, with the rule that made it.
struct ShipDecision {
  bool ship = false;
  std::string reason;  // e.g. "excluded by --exclude '*.bam'", "raw signal (BCL) ..."
};

class ShipPolicy {
 public:
  // The family's defaults plus `overrides`.
  ShipPolicy(Family family, ShipOverrides overrides);

  // Decides for a run-relative path. Order: operator exclude, operator include, default
  // exclude, default include, otherwise "not a shipped file type".
  ShipDecision Decide(std::string_view path) const;

 private:
  std::vector<std::string> default_include_;
  std::vector<std::string> default_exclude_;
  ShipOverrides overrides_;
};

}  // namespace seqgate::bridge
