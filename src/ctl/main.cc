// seqgatectl: the operator's CLI. This file only wires subcommands; each lives in cmd_*.cc.
#include <cstdio>
#include <exception>

#include "ctl/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"seqgatectl — operate and inspect a seqgate gateway"};
  app.require_subcommand(1);
  int exit_code = 0;
  seqgate::ctl::AddPackCommand(app, exit_code);
  seqgate::ctl::AddVerifyCommand(app, exit_code);
  seqgate::ctl::AddExtractCommand(app, exit_code);
  seqgate::ctl::AddScanCommand(app, exit_code);
  seqgate::ctl::AddUploadCommand(app, exit_code);
  seqgate::ctl::AddS3Commands(app, exit_code);
  seqgate::ctl::AddC4ghCommands(app, exit_code);
  seqgate::ctl::AddDaemonCommands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seqgatectl: internal error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}
