#include "ingest/metrics.h"

namespace seqgate::ingest {
namespace {

template <typename T>
void Metric(std::string* out, const char* name, const char* type, const char* help,
            const std::atomic<T>& v) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
          name + " " + std::to_string(v.load(std::memory_order_relaxed)) + "\n";
}

}  // namespace

std::string Metrics::Render() const {
  std::string out;
  Metric(&out, "seqgate_ingest_connections_total", "counter", "TLS connections accepted.",
         connections_total);
  Metric(&out, "seqgate_ingest_connections_open", "gauge", "Connections open now.",
         connections_open);
  Metric(&out, "seqgate_ingest_tls_handshake_failures_total", "counter",
         "Handshakes refused (no, expired or foreign client certificate, bad TLS).",
         tls_handshake_failures_total);
  Metric(&out, "seqgate_ingest_requests_total", "counter", "HTTP requests parsed.", requests_total);
  out +=
      "# HELP seqgate_ingest_responses_total HTTP responses by status code.\n"
      "# TYPE seqgate_ingest_responses_total counter\n";
  for (size_t code = 100; code < responses_by_status.size(); ++code) {
    uint64_t n = responses_by_status[code].load(std::memory_order_relaxed);
    if (n > 0) {
      out += "seqgate_ingest_responses_total{code=\"" + std::to_string(code) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  Metric(&out, "seqgate_ingest_received_bytes_total", "counter",
         "Upload bytes acknowledged (durable).", bytes_received_total);
  Metric(&out, "seqgate_ingest_uploads_created_total", "counter", "Uploads created.",
         uploads_created_total);
  Metric(&out, "seqgate_ingest_uploads_verified_total", "counter",
         "Uploads verified end to end and stored.", uploads_verified_total);
  Metric(&out, "seqgate_ingest_uploads_unverified_total", "counter",
         "Plain tus uploads stored without a declared digest.", uploads_unverified_total);
  Metric(&out, "seqgate_ingest_uploads_quarantined_total", "counter",
         "Uploads that failed verification.", uploads_quarantined_total);
  Metric(&out, "seqgate_ingest_uploads_deduplicated_total", "counter",
         "Creations answered with an existing receipt.", uploads_deduplicated_total);
  Metric(&out, "seqgate_ingest_checksum_mismatches_total", "counter",
         "PATCH bodies discarded with 460.", checksum_mismatches_total);
  Metric(&out, "seqgate_ingest_checksums_by_verifier_total", "counter",
         "PATCH checksums computed in the verifier's own pass over the bytes.",
         checksums_by_verifier_total);
  Metric(&out, "seqgate_ingest_takeovers_total", "counter",
         "Requests that ended a stale request on the same upload.", takeovers_total);
  Metric(&out, "seqgate_ingest_body_pauses_total", "counter",
         "Times a body was held back until verification caught up.", body_pauses_total);
  Metric(&out, "seqgate_ingest_timeouts_total", "counter",
         "Connections closed for idleness or slowness.", timeouts_total);
  Metric(&out, "seqgate_ingest_expired_uploads_removed_total", "counter",
         "Incomplete uploads removed after expiry.", expired_uploads_removed_total);
  Metric(&out, "seqgate_ingest_uploads_in_progress", "gauge", "Incomplete uploads on disk.",
         uploads_in_progress);
  return out;
}

}  // namespace seqgate::ingest
