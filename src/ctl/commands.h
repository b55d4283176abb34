// seqgatectl's subcommands. Each Add*Command registers itself on the app; its callback runs
// the command and stores the process exit code in `exit_code` (0 success, 1 failure,
// 2 usage error — CLI11 reports usage errors itself).
#pragma once

#include <CLI/CLI.hpp>

namespace seqgate::ctl {

void AddPackCommand(CLI::App& app, int& exit_code);
void AddVerifyCommand(CLI::App& app, int& exit_code);
void AddExtractCommand(CLI::App& app, int& exit_code);
void AddScanCommand(CLI::App& app, int& exit_code);  // cmd_scan.cc (firmware bridge)
void AddUploadCommand(CLI::App& app, int& exit_code);  // cmd_upload.cc (tus upload)
void AddS3Commands(CLI::App& app, int& exit_code);     // cmd_s3.cc: s3 upload / abort (S3 multipart)
void AddC4ghCommands(CLI::App& app, int& exit_code);   // cmd_c4gh.cc: keygen, decrypt
// cmd_daemon.cc: status, runs, files, watch, retry, pause, resume, mark-complete (control socket)
void AddDaemonCommands(CLI::App& app, int& exit_code);

}  // namespace seqgate::ctl
