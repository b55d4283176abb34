#include "ingest/service_status.h"

#include <doctest/doctest.h>

namespace seqgate::ingest {
namespace {

TEST_CASE("the service status line sums up the metrics in one line") {
  Metrics m;
  CHECK(ServiceStatusLine(m, "") == "0 connections, 0 uploads in progress, 0 B received");
  m.connections_open = 3;
  m.uploads_in_progress = 2;
  m.bytes_received_total = 3ull << 30;
  CHECK(ServiceStatusLine(m, "storage.full: available=1 (at 10:00:00Z)") ==
        "3 connections, 2 uploads in progress, 3.00 GiB received, last problem: storage.full: "
        "available=1 (at 10:00:00Z)");
  m.connections_open = -1;  // a close racing an open
  CHECK(ServiceStatusLine(m, "a\nb").rfind("0 connections,", 0) == 0);
  CHECK(ServiceStatusLine(m, "a\nb").find('\n') == std::string::npos);
}

}  // namespace
}  // namespace seqgate::ingest
