// How a run is named at the centre (seqgate-run: 1–128 bytes of [A-Za-z0-9._+-], starting
// alphanumeric): derived from the instrument's run id and flow cell, never from the folder
// name, so a renamed folder is still the same run at the centre.
#pragma once

#include <string>

#include "adapters/run_model.h"

namespace seqgate::daemon {

// The run id, plus "_<flow cell>" when the id does not already contain it; characters outside
// the allowed set become '_'; at most 128 bytes. Deterministic: the same identity always gives
// the same name.
std::string CentreRunName(const bridge::RunIdentity& id);

// The identity's metadata (model, start date, ...) as a compact JSON object.
std::string MetadataJson(const bridge::RunIdentity& id);

}  // namespace seqgate::daemon
