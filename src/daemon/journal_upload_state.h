// The translation between the journal's view of a file and the uploader's UploadState, in both
// directions: the daemon resumes every upload from the journal alone (no per-file state files),
// and every uploader report lands in the journal in one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "transfer/upload_state.h"

namespace seqgate::daemon {

// The state to resume `f` from, or nullopt when it never started an upload (or started one at
// another endpoint: that upload is abandoned and a new one begins). `frames` are the journal's
// records of `f`; `source_path` is where the file lives now (its run folder may have moved).
std::optional<transfer::UploadState> ResumeState(const journal::FileRecord& f,
                                                 std::vector<pipeline::FrameRecord> frames,
                                                 const std::string& source_path,
                                                 const std::string& endpoint);

// What the journal records of an uploader's state (`s.records` is referenced, not copied).
journal::UploadProgress ProgressOf(const transfer::UploadState& s);

}  // namespace seqgate::daemon
