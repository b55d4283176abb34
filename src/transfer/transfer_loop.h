// One thread that drives every HTTP transfer of the process through a single curl multi handle
// (curl_multi_poll). Uploads submit a prepared easy handle and block until it finishes; the
// network I/O of all of them shares this one event loop, its connection cache and its
// bandwidth accounting. docs/transfer.md explains why this and not multi_socket over Asio.
#pragma once

#include <curl/curl.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace seqgate::transfer {

class TransferLoop {
 public:
  TransferLoop();
  ~TransferLoop();  // finishes every submitted transfer with CURLE_ABORTED_BY_CALLBACK first
  TransferLoop(const TransferLoop&) = delete;
  TransferLoop& operator=(const TransferLoop&) = delete;

  // Runs `easy` to completion on the loop thread and returns its result. Blocks the caller;
  // safe to call from many threads at once. `easy` must not be in use elsewhere meanwhile.
  CURLcode Run(CURL* easy);

 private:
  struct Job {
    CURL* easy = nullptr;
    CURLcode result = CURLE_OK;
    bool done = false;
  };
  void Loop();

  CURLM* multi_ = nullptr;
  std::mutex mu_;
  std::condition_variable done_cv_;
  std::deque<Job*> pending_;  // submitted, not yet added to the multi handle
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace seqgate::transfer
