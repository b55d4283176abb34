// What every instrument-family subcommand of seqgate-sim shares:
//   seqgate-sim FAMILY --out DIR [--size BYTES] [--duration SECONDS]
//                      [--outcome completed|failed|aborted|stalled] [--seed N]
// Each family builds a RunPlan in its own layout and order; this file parses the common
// flags, refuses outcomes the family has no way to signal, plays the plan and prints the run
// folder's path on stdout.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/env.h"
#include "sim/commands.h"
#include "sim/families/run_plan.h"

namespace seqgate::sim {

enum class SimOutcome { kCompleted, kFailed, kAborted, kStalled };

// "completed", "failed", "aborted", "stalled".
std::string_view SimOutcomeName(SimOutcome o);

// The parsed command line, common and family-specific flags together.
struct FamilyRun {
  Env* env = nullptr;
  std::string out;    // the instrument's output folder; the run folder goes inside
  uint64_t size = 0;  // about how many bytes of data files the run writes
  SimOutcome outcome = SimOutcome::kCompleted;
  uint64_t seed = 1;
  std::string model;     // family-specific instrument model
  bool requeue = false;  // Illumina: first on-board analysis fails, a second one succeeds
  int cells = 2;         // PacBio: SMRT cells
};

struct FamilySpec {
  std::string name;
  std::string description;
  std::vector<SimOutcome> outcomes;  // what this family can signal
  // Adds family-specific flags writing into `run`.
  std::function<void(CLI::App*, FamilyRun*)> add_flags;
  // The plan for one run; the plan's root is the run folder.
  std::function<Result<std::unique_ptr<RunPlan>>(const FamilyRun&)> build;
};

// Registers `spec` as a subcommand of `root`.
Command AddFamilyCommand(CLI::App& root, FamilySpec spec);

// The plan of one run per family (no CLI): for tests that replay a run step by step.
Result<std::unique_ptr<RunPlan>> BuildIlluminaRun(const FamilyRun& run);
Result<std::unique_ptr<RunPlan>> BuildOntRun(const FamilyRun& run);
Result<std::unique_ptr<RunPlan>> BuildPacBioRun(const FamilyRun& run);
Result<std::unique_ptr<RunPlan>> BuildElementRun(const FamilyRun& run);
Result<std::unique_ptr<RunPlan>> BuildUltimaRun(const FamilyRun& run);
Result<std::unique_ptr<RunPlan>> BuildMgiRun(const FamilyRun& run);

// Registrations, one per family (each in its own file).
Command AddIlluminaCommand(CLI::App& root);
Command AddOntCommand(CLI::App& root);
Command AddPacBioCommand(CLI::App& root);
Command AddElementCommand(CLI::App& root);
Command AddUltimaCommand(CLI::App& root);
Command AddMgiCommand(CLI::App& root);

}  // namespace seqgate::sim
