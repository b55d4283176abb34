#include "transfer/upload_group.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <thread>

namespace seqgate::transfer {

std::vector<Result<UploadOutcome>> RunUploads(Env& env, pipeline::WorkerPool& pool,
                                              TransferLoop& loop, const TransportOptions& transport,
                                              std::vector<UploadJob> jobs, unsigned parallel) {
  const size_t n = jobs.size();
  const unsigned workers =
      static_cast<unsigned>(std::min<size_t>(std::max(parallel, 1u), std::max<size_t>(n, 1)));
  std::map<const BandwidthSchedule*, std::unique_ptr<BandwidthLimiter>> buckets;
  for (auto& job : jobs) {
    if (job.spec.limiter != nullptr || job.spec.bandwidth == nullptr) continue;
    auto& bucket = buckets[job.spec.bandwidth];
    if (!bucket) bucket = std::make_unique<BandwidthLimiter>(*job.spec.bandwidth);
    job.spec.limiter = bucket.get();
  }
  std::vector<std::optional<Result<UploadOutcome>>> slots(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    // Each worker thread runs one file's sequential logic at a time; the bytes of all of
    // them move on the shared loop.
    for (size_t i = next++; i < n; i = next++) {
      jobs[i].spec.bandwidth_share = workers;
      HttpClient http(transport, &loop);
      TusUploader uploader(env, pool, http, jobs[i].spec);
      slots[i] = uploader.Run(std::move(jobs[i].resume));
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  std::vector<Result<UploadOutcome>> out;
  out.reserve(n);
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

}  // namespace seqgate::transfer
