// A ControlTarget with canned state for the control tests: two runs, counters that move when
// commands arrive, and an optional gate that holds Status() until released (to prove that
// clients are served concurrently without timing anything).
#pragma once

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/control_target.h"
#include "control/prometheus.h"

namespace seqgate::testing {

class FakeTarget : public control::ControlTarget {
 public:
  using json = nlohmann::json;

  json Status() override {
    std::unique_lock<std::mutex> lock(mu_);
    ++status_calls_;
    status_entered_cv_.notify_all();
    gate_cv_.wait(lock, [&] { return !gate_closed_; });
    json s = StatusJson();
    s["paused"] = paused_;
    return s;
  }

  json Runs() override {
    if (throw_on_runs) throw std::runtime_error("journal is locked");
    return json::parse(R"({"runs":[
      {"id":1,"name":"RUN_A","run_id":"240501_A","flowcell":"FC1","family":"illumina",
       "dir":"/data/RUN_A","state":"completed","outcome":null,"files":2,"delivered":1,
       "failed":1,"bytes":300,"delivered_bytes":100,"delivered_at":null,"run_receipt":null},
      {"id":2,"name":"RUN_B","run_id":"240502_B","flowcell":"FC2","family":"ont",
       "dir":"/data/RUN_B","state":"delivered","outcome":"completed","files":1,"delivered":1,
       "failed":0,"bytes":50,"delivered_bytes":50,"delivered_at":"2024-05-02T10:00:00Z",
       "run_receipt":"complete"}]})");
  }

  Result<json> Files(const std::string& run) override {
    if (run == "RUN_A" || run == "1") {
      return json::parse(R"({"run":"RUN_A","files":[
        {"id":3,"path":"Data/a.fastq","state":"uploading","size":200,"packed_size":100,
         "acked":40,"encoding":"zstd-seekable","sha256":null,"md5":null,"error":null,"attempts":1},
        {"id":4,"path":"Data/b.fastq","state":"failed","size":100,"packed_size":null,"acked":0,
         "encoding":null,"sha256":null,"md5":null,"error":"connection reset","attempts":5}]})");
    }
    return NotFound("no run '" + run + "'");
  }

  Result<json> Retry(const std::string& what) override {
    std::lock_guard<std::mutex> lock(mu_);
    retried_.push_back(what);
    return json{{"ok", true}, {"message", "retrying failed files of " + what}};
  }

  Result<json> Pause() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (paused_) return InvalidArgument("already paused");  // (Status() is a member here)
    paused_ = true;
    return json{{"ok", true}, {"message", "paused"}};
  }

  Result<json> Resume() override {
    std::lock_guard<std::mutex> lock(mu_);
    paused_ = false;
    return json{{"ok", true}, {"message", "resumed"}};
  }

  Result<json> MarkComplete(const std::string& run_dir) override {
    if (run_dir.empty() || run_dir[0] != '/') {
      return InvalidArgument("run folder must be an absolute path: " + run_dir);
    }
    std::lock_guard<std::mutex> lock(mu_);
    marked_.push_back(run_dir);
    return json{{"ok", true}, {"message", "marked " + run_dir + " complete"}};
  }

  std::string Metrics() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++metrics_calls_;
    control::PrometheusText t;
    t.Declare("seqgate_files", control::MetricType::kGauge, "Files by state.");
    t.Sample("seqgate_files", {{"state", "uploading"}}, uint64_t{2});
    t.Sample("seqgate_files", {{"state", "failed"}}, uint64_t{1});
    t.Counter("seqgate_retries_total", "Upload attempts retried.", 7);
    return t.Render();
  }

  // Status() blocks from now until OpenGate().
  void CloseGate() {
    std::lock_guard<std::mutex> lock(mu_);
    gate_closed_ = true;
  }
  void OpenGate() {
    std::lock_guard<std::mutex> lock(mu_);
    gate_closed_ = false;
    gate_cv_.notify_all();
  }
  // Waits until Status() has been entered `n` times in total.
  void WaitForStatusCalls(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    status_entered_cv_.wait(lock, [&] { return status_calls_ >= n; });
  }

  bool paused() {
    std::lock_guard<std::mutex> lock(mu_);
    return paused_;
  }
  std::vector<std::string> retried() {
    std::lock_guard<std::mutex> lock(mu_);
    return retried_;
  }
  std::vector<std::string> marked() {
    std::lock_guard<std::mutex> lock(mu_);
    return marked_;
  }
  int metrics_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return metrics_calls_;
  }

  static json StatusJson() {
    return json::parse(R"({"version":"0.1.0","paused":false,"started":"2024-05-01T08:00:00Z",
      "runs":{"active":1,"delivered":1,"failed":0},
      "files":{"pending":0,"packing":0,"uploading":1,"delivered":1,"failed":1},
      "bytes_total":350,"bytes_acked":150,"rate_bps":41000000.0,"eta_seconds":12.5,
      "uploads":[{"run":"RUN_A","path":"Data/a.fastq","offset":40,"size":100,"rate_bps":1000.0}],
      "last_error":{"time":"2024-05-01T09:00:00Z","message":"connection reset"},
      "last_delivery":"2024-05-02T10:00:00Z"})");
  }

  bool throw_on_runs = false;

 private:
  std::mutex mu_;
  std::condition_variable gate_cv_, status_entered_cv_;
  bool gate_closed_ = false;
  int status_calls_ = 0;
  int metrics_calls_ = 0;
  bool paused_ = false;
  std::vector<std::string> retried_, marked_;
};

}  // namespace seqgate::testing
