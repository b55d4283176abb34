// The subcommands of seqgate-sim. Each lives in its own file and registers itself on the root
// CLI11 app; main.cc only lists them, so an instrument family is added without touching others.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace seqgate::sim {

// Process exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // I/O and other failures while running
inline constexpr int kExitUsage = 2;         // bad command line or option values

// A registered subcommand: its CLI11 app (owned by the root app) and what runs when the user
// chose it. `run` returns the process exit code.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// `seqgate-sim reads`: writes synthetic FASTQ (one file, or R1/R2) of a given size.
Command AddReadsCommand(CLI::App& root);

}  // namespace seqgate::sim
