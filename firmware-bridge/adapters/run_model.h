// The normalized picture of one run that every instrument family is reduced to.
//
// Adapters differ in how they read a run folder; what they produce is the same Assessment, so
// the tracker, the daemon and seqgatectl never need to know which vendor wrote the files.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seqgate::bridge {

// Instrument families with their own adapter. kGeneric is configured by the operator.
enum class Family { kIllumina, kOnt, kPacBio, kElement, kUltima, kMgi, kGeneric };

// Lower-case stable name ("illumina", "ont", "pacbio", "element", "ultima", "mgi", "generic").
std::string_view FamilyName(Family f);
// Parses a FamilyName(); nullopt for anything else.
std::optional<Family> ParseFamily(std::string_view name);

// Where a run (or one unit of it, such as a SMRT cell) stands. Completed/failed/aborted are
// terminal for what the instrument wrote so far; stalled means nothing moved for too long.
enum class RunState { kInProgress, kCompleted, kFailed, kAborted, kStalled };

// "in progress", "completed", "failed", "aborted", "stalled".
std::string_view RunStateName(RunState s);

// Whether `s` means the instrument is done with the run (successfully or not).
inline bool IsTerminal(RunState s) {
  return s == RunState::kCompleted || s == RunState::kFailed || s == RunState::kAborted;
}

// Who the run is. Runs are keyed on run id + flow cell, never on the folder name, because
// run folders get renamed.
struct RunIdentity {
  Family family = Family::kGeneric;
  std::string run_id;
  std::string instrument;  // serial or name as the instrument reports it
  std::string flow_cell;   // flow cell / SMRT cell / cartridge id; may be empty
  std::string model;       // "NovaSeq X", "PromethION", ...; may be empty
  std::map<std::string, std::string> metadata;  // start date, protocol, planned reads, ...

  // "family/run_id/flow_cell": the key under which a run is remembered across renames.
  std::string Key() const;
};

// A checksum the instrument itself published for a file (e.g. ONT output_hash).
struct SourceChecksum {
  std::string algorithm;  // "sha256", "md5", or "unknown" when the vendor does not say
  std::string hex;        // lower-case
  std::string source;     // the file it came from, relative to the run root
};

// What the adapter concluded about one regular file of the run.
struct FileVerdict {
  std::string path;  // relative to the run root
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  uint64_t device = 0;
  bool wanted = false;        // the ship policy selects this file
  bool signal_ready = false;  // the family's completion signal covers this file
  std::string reason;         // why it does not ship (yet); empty when wanted && signal_ready
  std::string unit;           // the unit whose signal governs it ("" = the run itself)
  std::optional<SourceChecksum> checksum;
};

// A part of a run that finishes on its own: an on-board analysis, a SMRT cell, an ONT
// protocol run in a pooled folder.
struct UnitStatus {
  std::string name;  // "Analysis/2", "1_A01", ...
  RunState state = RunState::kInProgress;
  std::string outcome;  // the vendor's word, when there is one
  std::string detail;   // why it is in this state, for humans
};

// Everything an adapter concluded from one snapshot of a run folder.
struct Assessment {
  RunIdentity identity;
  RunState state = RunState::kInProgress;
  std::string outcome;  // vendor's outcome word ("CompletedAsPlanned", "OutcomeFailed", ...)
  std::string detail;   // why the run is in this state, for humans
  std::vector<UnitStatus> units;
  std::vector<FileVerdict> files;     // one per regular file in the snapshot, sorted by path
  std::vector<std::string> problems;  // unreadable or malformed inputs, each naming the file;
                                      // any problem keeps the run from completing
  std::vector<std::string> notes;     // odd but harmless observations (count drift, ...)
  bool qc_or_test = false;            // flow-cell checks, wash/prime runs, ...
  std::string qc_reason;
};

}  // namespace seqgate::bridge
