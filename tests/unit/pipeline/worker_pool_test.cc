#include "pipeline/worker_pool.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace seqgate::pipeline {
namespace {

// A job of `steps` steps; each step appends `id` to a shared log. With a `start` gate, a job
// has no work until the pool has offered work to every job sharing the gate (bit id each), so
// none can finish before the others are registered, however the threads are scheduled.
class StepJob final : public PoolJob {
 public:
  StepJob(int id, int steps, std::mutex& mu, std::vector<int>& log,
          std::atomic<unsigned>* start = nullptr, unsigned all = 0)
      : id_(id), left_(steps), mu_(mu), log_(log), start_(start), all_(all) {}
  bool RunOneStep() override {
    if (start_ != nullptr && (start_->fetch_or(1u << id_) | (1u << id_)) != all_) return false;
    std::lock_guard lock(mu_);
    if (left_ == 0) return false;
    log_.push_back(id_);
    --left_;
    return true;
  }
  bool Done() const override {
    std::lock_guard lock(mu_);
    return left_ == 0;
  }

 private:
  const int id_;
  int left_;
  std::mutex& mu_;
  std::vector<int>& log_;
  std::atomic<unsigned>* start_;
  const unsigned all_;
};

TEST_CASE("Run returns once its job is done, every step taken") {
  WorkerPool pool(3);
  std::mutex mu;
  std::vector<int> log;
  StepJob job(1, 1000, mu, log);
  pool.Run(&job);
  CHECK(job.Done());
  CHECK(log.size() == 1000);
}

TEST_CASE("two jobs on one thread take turns") {
  WorkerPool pool(1);
  std::mutex mu;
  std::vector<int> log;
  std::atomic<unsigned> gate{0};
  StepJob a(1, 500, mu, log, &gate, 0b110), b(2, 500, mu, log, &gate, 0b110);
  std::thread ta([&] { pool.Run(&a); });
  std::thread tb([&] { pool.Run(&b); });
  ta.join();
  tb.join();
  REQUIRE(log.size() == 1000);
  // Once both have work the single worker alternates: between the second job's first step and
  // the first job's last, neither runs ahead.
  const int second = log[0] == 1 ? 2 : 1;
  auto first_of = [&](int id) {
    return static_cast<size_t>(std::find(log.begin(), log.end(), id) - log.begin());
  };
  auto end_of = [&](int id) {  // one past its last step
    return static_cast<size_t>(log.rend() - std::find(log.rbegin(), log.rend(), id));
  };
  const size_t start = first_of(second);
  const size_t end = std::min(end_of(1), end_of(2));
  REQUIRE(start < end);
  size_t longest = 0, run = 0;
  for (size_t i = start; i < end; ++i) {
    run = i > start && log[i] == log[i - 1] ? run + 1 : 1;
    longest = std::max(longest, run);
  }
  CHECK(longest <= 2);
}

// Has no work until released from outside; then one step and done.
class GatedJob final : public PoolJob {
 public:
  std::atomic<bool> open{false};
  std::atomic<bool> done{false};
  bool RunOneStep() override {
    if (!open || done) return false;
    done = true;
    return true;
  }
  bool Done() const override { return done; }
};

TEST_CASE("work made runnable from outside is picked up after Notify") {
  WorkerPool pool(2);
  GatedJob job;
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    job.open = true;
    pool.Notify();  // without it the idle workers would sleep on: Run would never return
  });
  pool.Run(&job);
  opener.join();
  CHECK(job.Done());
}

TEST_CASE("several callers run jobs at once and each returns with its own") {
  WorkerPool pool(2);
  std::mutex mu;
  std::vector<int> log;
  std::vector<std::unique_ptr<StepJob>> jobs;
  for (int i = 0; i < 6; ++i) jobs.push_back(std::make_unique<StepJob>(i, 200, mu, log));
  std::vector<std::thread> callers;
  for (auto& j : jobs) callers.emplace_back([&pool, &j] { pool.Run(j.get()); });
  for (auto& t : callers) t.join();
  for (auto& j : jobs) CHECK(j->Done());
  CHECK(log.size() == 1200);
}

}  // namespace
}  // namespace seqgate::pipeline
