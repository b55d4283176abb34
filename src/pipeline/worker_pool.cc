#include "pipeline/worker_pool.h"

#include <algorithm>
#include <iterator>

namespace seqgate::pipeline {

struct WorkerPool::Entry {
  PoolJob* job;
  int users = 0;  // threads inside job->RunOneStep(); the job is not removed while > 0
};

WorkerPool::WorkerPool(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::Notify() {
  {
    std::lock_guard lk(mu_);
    ++generation_;
  }
  work_cv_.notify_all();
  done_cv_.notify_all();
}

void WorkerPool::Run(PoolJob* job) {
  std::unique_lock lk(mu_);
  auto it = entries_.insert(entries_.end(), Entry{job});
  ++generation_;
  work_cv_.notify_all();
  done_cv_.wait(lk, [&] { return it->users == 0 && job->Done(); });
  entries_.erase(it);
}

void WorkerPool::WorkerLoop() {
  std::unique_lock lk(mu_);
  size_t cursor = 0;  // round-robin start, so several jobs share the threads fairly
  while (!stopping_) {
    const uint64_t seen = generation_;
    bool worked = false;
    const size_t n = entries_.size();
    for (size_t i = 0; i < n && !worked && !stopping_; ++i) {
      if (entries_.empty()) break;
      auto it = std::next(entries_.begin(), static_cast<long>((cursor + i) % entries_.size()));
      ++it->users;
      lk.unlock();
      worked = it->job->RunOneStep();
      lk.lock();
      if (--it->users == 0) done_cv_.notify_all();
      if (worked) cursor = (cursor + i + 1) % std::max<size_t>(1, entries_.size());
    }
    if (!worked) work_cv_.wait(lk, [&] { return stopping_ || generation_ != seen; });
  }
}

}  // namespace seqgate::pipeline
