// Counters and gauges for /metrics (Prometheus text exposition format 0.0.4). Lock-free
// atomics: every request path bumps a few of these.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace seqgate::ingest {

struct Metrics {
  std::atomic<uint64_t> connections_total{0};
  std::atomic<int64_t> connections_open{0};
  std::atomic<uint64_t> tls_handshake_failures_total{0};
  std::atomic<uint64_t> requests_total{0};
  std::array<std::atomic<uint64_t>, 600> responses_by_status{};
  std::atomic<uint64_t> bytes_received_total{0};  // acknowledged upload bytes
  std::atomic<uint64_t> uploads_created_total{0};
  std::atomic<uint64_t> uploads_verified_total{0};
  std::atomic<uint64_t> uploads_unverified_total{0};
  std::atomic<uint64_t> uploads_quarantined_total{0};
  std::atomic<uint64_t> uploads_deduplicated_total{0};
  std::atomic<uint64_t> checksum_mismatches_total{0};
  std::atomic<uint64_t> checksums_by_verifier_total{0};
  std::atomic<uint64_t> takeovers_total{0};
  std::atomic<uint64_t> body_pauses_total{0};  // reads held back until verification caught up
  std::atomic<uint64_t> timeouts_total{0};
  std::atomic<uint64_t> expired_uploads_removed_total{0};
  std::atomic<int64_t> uploads_in_progress{0};

  // Counts one response with `status` (out-of-range codes are ignored).
  void CountResponse(unsigned status) {
    if (status < responses_by_status.size()) responses_by_status[status]++;
  }

  // The exposition text.
  std::string Render() const;
};

}  // namespace seqgate::ingest
