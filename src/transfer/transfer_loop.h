// One thread that drives every HTTP transfer of the process through a single curl multi handle
// (curl_multi_poll). Uploads submit a prepared easy handle and block until it finishes; the
// network I/O of all of them shares this one event loop, its connection cache and its
// bandwidth accounting. docs/transfer.md explains why this and not multi_socket over Asio.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace seqgate::transfer {

class BandwidthLimiter;

class TransferLoop {
 public:
  TransferLoop();
  // Finishes every submitted transfer with CURLE_ABORTED_BY_CALLBACK and waits until each
  // caller has returned from Run(); Run() calls that arrive later return that at once.
  ~TransferLoop();
  TransferLoop(const TransferLoop&) = delete;
  TransferLoop& operator=(const TransferLoop&) = delete;

  // Runs `easy` to completion on the loop thread and returns its result. Blocks the caller;
  // safe to call from many threads at once. `easy` must not be in use elsewhere meanwhile.
  // Once `*abort` is true (checked whenever the loop wakes; see Wakeup) the transfer is
  // removed and Run returns CURLE_ABORTED_BY_CALLBACK, whatever state curl is in.
  CURLcode Run(CURL* easy, const std::atomic<bool>* abort = nullptr);

  // Makes the loop look at every transfer's abort flag now (instead of within 1 s).
  // Thread-safe; call it after setting a flag passed to Run.
  void Wakeup();

  // For a read callback that returned CURL_READFUNC_PAUSE because `limiter` had no tokens:
  // the loop unpauses `easy` as soon as the bucket can grant again. Loop thread only (that is
  // where curl calls the callbacks).
  void ResumeWhenTokens(CURL* easy, BandwidthLimiter* limiter);

 private:
  struct Job {
    CURL* easy = nullptr;
    const std::atomic<bool>* abort = nullptr;
    CURLcode result = CURLE_OK;
    bool done = false;
  };
  void Loop();
  long UnpauseDue();  // unpauses what may send again; ms until the next one may (≤ 1000)
  void Forget(CURL* easy);

  struct Paused {
    CURL* easy;
    BandwidthLimiter* limiter;
  };
  std::vector<Paused> paused_;  // loop thread only

  CURLM* multi_ = nullptr;
  std::mutex mu_;
  std::condition_variable done_cv_;
  std::deque<Job*> pending_;  // submitted, not yet added to the multi handle
  bool stopping_ = false;
  int callers_ = 0;  // threads inside Run()
  std::thread thread_;
};

}  // namespace seqgate::transfer
