// seqgate-ingest's network front: the mutual-TLS tus listener, the plain metrics/health
// listener, the expiry sweep and signal handling, all on one Asio io_context. No Boost types
// here, so main.cc and tests compile without Beast.
#pragma once

#include <memory>

#include "common/sd_notify.h"
#include "common/status.h"
#include "ingest/config.h"
#include "ingest/metrics.h"
#include "ingest/tus_service.h"

namespace seqgate::ingest {

// Binds both listeners and serves until SIGTERM or SIGINT, then shuts down cleanly: stops
// accepting, ends in-flight bodies (keeping what each acknowledged), closes idle connections.
// Errors are start-up failures (TLS files, bind). Tells `notifier` READY=1 once both
// listeners accept, keeps STATUS= current, pings WATCHDOG=1 from the event loop when the
// manager set a watchdog, and sends STOPPING=1 when a stop signal arrives.
Status RunServer(const IngestConfig& config, TusService& tus, Metrics& metrics, Notifier& notifier);

}  // namespace seqgate::ingest
