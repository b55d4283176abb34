// One delivery job (a file upload or a run manifest) as Delivery's threads share it; internal
// to delivery.cc and delivery_s3.cc.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "daemon/delivery.h"
#include "daemon/manifest_sender.h"
#include "daemon/s3_delivery.h"

namespace seqgate::daemon {

struct Delivery::Job {
  bool manifest = false;
  int64_t file = 0, run = 0;
  std::string run_name, path;
  std::thread thread;
  std::atomic<bool> finished{false};
  std::stop_source stopper;            // ends a request in flight at once (TusUploader honours it)
  std::shared_ptr<Throttle> throttle;  // the cap this upload started under
  std::atomic<uint64_t> offset{0}, size{0};

  void RequestStop() { stopper.request_stop(); }
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  uint64_t start_offset = 0;
  std::optional<Result<transfer::UploadOutcome>> upload_result;
  std::optional<Result<ManifestOutcome>> manifest_result;
  std::optional<Result<S3Outcome>> s3_result;  // the S3 path: a file's or a manifest's object
};

}  // namespace seqgate::daemon
