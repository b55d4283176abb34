// A fixed set of CPU threads shared by every file being packed at once.
//
// Jobs are pulled, not pushed: each job exposes "do one step of work if you have any", and idle
// threads walk the registered jobs round-robin. That lets one job keep its serial stages (the
// SHA-256/MD5 chains, in-order output) and its parallel stage (frame compression) on the same
// threads without ever blocking a thread on another's progress, and lets several files share
// the cores fairly.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace seqgate::pipeline {

class PoolJob {
 public:
  virtual ~PoolJob() = default;
  // Performs one bounded unit of work and returns true, or returns false at once when the job
  // has nothing runnable right now (waiting on other threads, or finished).
  virtual bool RunOneStep() = 0;
  // True once the job will never have work again.
  virtual bool Done() const = 0;
};

class WorkerPool {
 public:
  // `threads` == 0 means one per online CPU.
  explicit WorkerPool(unsigned threads = 0);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }

  // Runs `job` on the pool and returns when job->Done(). Several callers may run jobs at once.
  void Run(PoolJob* job);

  // Jobs call this whenever they may have made work runnable for another thread.
  void Notify();

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable work_cv_;  // workers wait here for work
  std::condition_variable done_cv_;  // Run() callers wait here for their job
  struct Entry;
  std::list<Entry> entries_;
  uint64_t generation_ = 0;  // bumped by Notify: a worker that saw no work re-checks
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace seqgate::pipeline
