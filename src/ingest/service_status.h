// What seqgate-ingest tells the service manager: the one-line STATUS= that `systemctl status`
// shows. Built from the metrics so it never disagrees with /metrics.
#pragma once

#include <string>
#include <string_view>

#include "ingest/metrics.h"

namespace seqgate::ingest {

// "<n> connections, <n> uploads in progress, <bytes> received[, last problem: <p>]"; one line
// whatever last_problem holds (newlines become spaces).
std::string ServiceStatusLine(const Metrics& metrics, std::string_view last_problem);

}  // namespace seqgate::ingest
