#include "transfer/transfer_loop.h"

#include <algorithm>
#include <vector>

#include "transfer/bandwidth_limiter.h"

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
  {
    // The loop has finished every transfer; callers still waking up in Run() use mu_ and
    // done_cv_, which must outlive them.
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return callers_ == 0; });
  }
  curl_multi_cleanup(multi_);
}

CURLcode TransferLoop::Run(CURL* easy, const std::atomic<bool>* abort) {
  Job job;
  job.easy = easy;
  job.abort = abort;
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &job);
  std::unique_lock lock(mu_);
  if (stopping_) return CURLE_ABORTED_BY_CALLBACK;
  ++callers_;
  pending_.push_back(&job);
  curl_multi_wakeup(multi_);
  done_cv_.wait(lock, [&] { return job.done; });
  if (--callers_ == 0 && stopping_) done_cv_.notify_all();  // the destructor waits for this
  return job.result;
}

void TransferLoop::Wakeup() { curl_multi_wakeup(multi_); }

void TransferLoop::ResumeWhenTokens(CURL* easy, BandwidthLimiter* limiter) {
  paused_.push_back({easy, limiter});
}

void TransferLoop::Forget(CURL* easy) {
  std::erase_if(paused_, [easy](const Paused& p) { return p.easy == easy; });
}

long TransferLoop::UnpauseDue() {
  // Only the longest-paused transfer of each bucket resumes per pass: resuming them all would
  // let curl's fixed handle order decide who gets the tokens, every time the same one. A
  // transfer that pauses again queues at the back, so busy uploads take turns.
  long wait_ms = 1000;
  std::vector<BandwidthLimiter*> seen;
  for (auto it = paused_.begin(); it != paused_.end();) {
    BandwidthLimiter* lim = it->limiter;
    if (std::find(seen.begin(), seen.end(), lim) != seen.end()) {
      ++it;
      continue;
    }
    seen.push_back(lim);
    const auto wait = lim->WaitTime();
    if (wait > BandwidthLimiter::Clock::duration::zero()) {
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
      wait_ms = std::min(wait_ms, static_cast<long>(std::max<int64_t>(ms, 1)));
      ++it;
      continue;
    }
    CURL* easy = it->easy;
    it = paused_.erase(it);
    wait_ms = 0;  // look again right after curl ran it: tokens may be left for the next
    curl_easy_pause(easy, CURLPAUSE_CONT);
    // curl may have run the read callback already, which may have queued it again; either
    // way the next pass starts from the front.
    break;
  }
  return wait_ms;
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
    // Aborted transfers leave before curl touches them again: a paused or blocked transfer
    // might otherwise not reach a callback that could stop it for a long time.
    for (auto it = active.begin(); it != active.end();) {
      Job* j = *it;
      if (j->abort == nullptr || !j->abort->load()) {
        ++it;
        continue;
      }
      curl_multi_remove_handle(multi_, j->easy);
      Forget(j->easy);
      it = active.erase(it);
      std::lock_guard lock(mu_);
      j->result = CURLE_ABORTED_BY_CALLBACK;
      j->done = true;
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
      CURL* easy = msg->easy_handle;
      curl_multi_remove_handle(multi_, easy);  // msg is invalid from here on
      Forget(easy);
      std::erase(active, job);
      std::lock_guard lock(mu_);
      job->result = result;
      job->done = true;
    }
    done_cv_.notify_all();
    // Wakes on socket activity, curl's own timeouts, a wakeup from Run(), when a paused
    // transfer may send again, or after 1 s.
    const long wait_ms = UnpauseDue();
    curl_multi_poll(multi_, nullptr, 0, static_cast<int>(wait_ms), nullptr);
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
