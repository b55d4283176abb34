#include "transfer/transfer_loop.h"

#include <vector>

namespace seqgate::transfer {

TransferLoop::TransferLoop() : multi_(curl_multi_init()) {
  // Connection reuse across uploads of the same centre; no HTTP/2 multiplexing (HTTP/1.1 only).
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
  thread_ = std::thread([this] { Loop(); });
}

TransferLoop::~TransferLoop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  thread_.join();
  curl_multi_cleanup(multi_);
}

CURLcode TransferLoop::Run(CURL* easy) {
  Job job;
  job.easy = easy;
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &job);
  std::unique_lock lock(mu_);
  if (stopping_) return CURLE_ABORTED_BY_CALLBACK;
  pending_.push_back(&job);
  curl_multi_wakeup(multi_);
  done_cv_.wait(lock, [&] { return job.done; });
  return job.result;
}

void TransferLoop::Loop() {
  std::vector<Job*> active;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      for (Job* j : pending_) {
        CURLMcode mc = curl_multi_add_handle(multi_, j->easy);
        if (mc != CURLM_OK) {
          j->result = CURLE_FAILED_INIT;
          j->done = true;
        } else {
          active.push_back(j);
        }
      }
      pending_.clear();
    }
    done_cv_.notify_all();
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      void* priv = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      auto* job = static_cast<Job*>(priv);
      const CURLcode result = msg->data.result;
      curl_multi_remove_handle(multi_, msg->easy_handle);  // msg is invalid from here on
      std::erase(active, job);
      std::lock_guard lock(mu_);
      job->result = result;
      job->done = true;
    }
    done_cv_.notify_all();
    // Wakes on socket activity, curl's own timeouts, a wakeup from Run(), or after 1 s.
    curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
  }
  std::lock_guard lock(mu_);
  for (Job* j : active) {
    curl_multi_remove_handle(multi_, j->easy);
    j->result = CURLE_ABORTED_BY_CALLBACK;
    j->done = true;
  }
  for (Job* j : pending_) {
    j->result = CURLE_ABORTED_BY_CALLBACK;
    j->done = true;
  }
  pending_.clear();
  done_cv_.notify_all();
}

}  // namespace seqgate::transfer
