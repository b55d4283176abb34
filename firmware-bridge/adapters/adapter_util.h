// Helpers shared by the family adapters: turning per-file signals into verdicts, and the
// common endings (operator "mark complete", stall) every family applies the same way.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "adapters/adapter.h"

namespace seqgate::bridge {

// The family's word on one file.
struct FileSignal {
  bool ready = false;
  std::string unit;     // governing unit ("" = the run)
  std::string why_not;  // when !ready: what the family is waiting for
};

// Appends one verdict per regular file of `snap` to `a->files`, combining the family's ship
// policy with `signal`. Non-regular entries (symlinks, FIFOs, ...) are listed as not shipped.
void FillVerdicts(const RunSnapshot& snap, const AssessContext& ctx, Family family,
                  const std::function<FileSignal(const Entry&)>& signal, Assessment* a);

// Applies what every family shares, after the family's own rules:
//  - any problem (unreadable/malformed metadata) withholds completion and every file;
//  - an operator's "mark complete" completes a run that is not terminal, and makes every
//    wanted file signal-ready;
//  - a run still in progress with no activity for the stall window becomes stalled.
void FinishAssessment(const AssessContext& ctx, Assessment* a);

// Whether nothing in the run changed for `window_ns` (by ctx.last_activity_ns).
bool QuietFor(const AssessContext& ctx, int64_t window_ns);

// "2h 5m", "40s": a duration for humans.
std::string HumanDuration(int64_t ns);

// Records a problem "<file>: <status message>".
void AddProblem(Assessment* a, std::string_view file, const Status& st);

}  // namespace seqgate::bridge
