// seqgated's main loop: watch → journal → deliver, with signals, systemd notification and
// the operator's control socket around it. One thread runs this loop; uploads, packing and the
// network run on the threads Delivery, WorkerPool and TransferLoop own.
#pragma once

#include <memory>
#include <string>

#include "daemon/daemon_config.h"

namespace seqgate::daemon {

struct RunOptions {
  bool once = false;          // deliver every run complete now, then exit
  ConfigOverrides overrides;  // to re-read the configuration on SIGHUP
};

// Runs the daemon until SIGTERM/SIGINT (or, with `once`, until the work present at start is
// done). Returns the process exit code: 0 success; 1 runtime failure (journal refused, ...);
// 3 (--once) some run could not be delivered — the summary on stderr and in the journal says
// which and why.
int RunDaemon(DaemonConfig config, const RunOptions& options);

}  // namespace seqgate::daemon
