// Human renderings of the daemon's JSON (shapes in docs/control.md) for seqgatectl. Every
// reader tolerates missing or mistyped keys, and strings from the daemon (run names, paths,
// error messages: ultimately file names from an instrument) are stripped of control characters
// so they cannot drive the terminal.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace seqgate::control {

struct RenderOptions {
  int width = 80;      // terminal columns; long paths are shortened to fit
  int bar_width = 24;  // characters inside a progress bar's brackets
};

// "[=========>          ]  45%": `fraction` clamped to [0, 1]; NaN shows as empty.
std::string ProgressBar(double fraction, int width);

// "39.1 MiB/s"; "-" for a negative or non-finite rate.
std::string FormatRate(double bytes_per_second);

// "12s", "4m05s", "2h03m", "3d04h"; "-" for a negative or non-finite duration.
std::string FormatDuration(double seconds);

// `s` with control characters (C0, DEL, and the C1 range's ESC-like bytes) replaced by '?'.
std::string TerminalSafe(std::string_view s);

// The one-screen status summary (Status() shape), ending with a newline.
std::string RenderStatus(const nlohmann::json& status, const RenderOptions& options = {});

// One row per run (Runs() shape); "no runs yet" when there are none.
std::string RenderRuns(const nlohmann::json& runs);

// One row per file of a run (Files() shape), with a progress bar for unfinished uploads.
std::string RenderFiles(const nlohmann::json& files, const RenderOptions& options = {});

}  // namespace seqgate::control
