// Several files uploaded at once: up to `parallel` TusUploaders run side by side, sharing one
// TransferLoop (one event loop for all their network I/O), one WorkerPool and the bandwidth
// cap. A file that fails permanently fails alone; the others go on.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "pipeline/worker_pool.h"
#include "transfer/http_client.h"
#include "transfer/transfer_loop.h"
#include "transfer/tus_uploader.h"

namespace seqgate::transfer {

struct UploadJob {
  UploadSpec spec;
  std::optional<UploadState> resume;
};

// Runs every job, at most `parallel` at a time (0 counts as 1), and returns one result per job
// in the same order. Jobs with a `bandwidth` schedule but no `limiter` share one token bucket
// per schedule (so the cap holds for their sum, whoever is idle).
std::vector<Result<UploadOutcome>> RunUploads(Env& env, pipeline::WorkerPool& pool,
                                              TransferLoop& loop, const TransportOptions& transport,
                                              std::vector<UploadJob> jobs, unsigned parallel);

}  // namespace seqgate::transfer
