#include "ingest/service_status.h"

#include "common/units.h"

namespace seqgate::ingest {

std::string ServiceStatusLine(const Metrics& metrics, std::string_view last_problem) {
  // Gauges can dip below zero for an instant while a close races an open; never show that.
  auto gauge = [](int64_t v) { return std::to_string(v < 0 ? 0 : v); };
  std::string line = gauge(metrics.connections_open.load()) + " connections, " +
                     gauge(metrics.uploads_in_progress.load()) + " uploads in progress, " +
                     FormatBytes(metrics.bytes_received_total.load()) + " received";
  if (!last_problem.empty()) {
    line += ", last problem: ";
    for (char c : last_problem) line.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  return line;
}

}  // namespace seqgate::ingest
