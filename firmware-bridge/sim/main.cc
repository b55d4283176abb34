// seqgate-sim: plays a sequencing instrument for tests and demos.
//
// Subcommands: `reads` writes synthetic FASTQ. Instrument families (`illumina`, `ont`, ...)
// that write whole run folders are added as further subcommands in their own files.
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/commands.h"
#include "sim/families/family_command.h"

int main(int argc, char** argv) {
  using seqgate::sim::Command;
  CLI::App app{"seqgate-sim: plays a sequencing instrument for seqgate's tests and demos"};
  app.require_subcommand(1);
  const std::vector<Command> commands = {
      seqgate::sim::AddReadsCommand(app),
      // Instrument families (sim/families/): whole run folders written over time.
      seqgate::sim::AddIlluminaCommand(app),
      seqgate::sim::AddOntCommand(app),
      seqgate::sim::AddPacBioCommand(app),
      seqgate::sim::AddElementCommand(app),
      seqgate::sim::AddUltimaCommand(app),
      seqgate::sim::AddMgiCommand(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version requests are "errors" that exit 0; everything else is a usage error.
    return app.exit(e) == 0 ? seqgate::sim::kExitOk : seqgate::sim::kExitUsage;
  }
  for (const Command& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  return seqgate::sim::kExitUsage;  // unreachable: require_subcommand(1)
}
