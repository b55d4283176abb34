#include "ingest/upload_locks.h"

#include <utility>
#include <vector>

namespace seqgate::ingest {

UploadLease& UploadLease::operator=(UploadLease&& o) noexcept {
  if (this != &o) {
    Release();
    locks_ = std::exchange(o.locks_, nullptr);
    key_ = std::move(o.key_);
    token_ = o.token_;
  }
  return *this;
}

void UploadLease::Release() {
  if (locks_ != nullptr) std::exchange(locks_, nullptr)->Release(key_, token_);
}

void UploadLocks::Acquire(const std::string& key, Canceller cancel, Ready ready) {
  Canceller stop_holder;
  std::shared_ptr<UploadLease> lease;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t token = next_token_++;
    Entry& e = entries_[key];
    if (e.holder == 0) {
      e.holder = token;
      e.cancel = std::move(cancel);
      lease = std::make_shared<UploadLease>(this, key, token);
    } else {
      stop_holder = e.cancel;
      e.waiting.push_back({token, std::move(cancel), std::move(ready)});
    }
  }
  // Callbacks run outside the mutex: they may re-enter (a lease released inside `ready`).
  if (lease) ready(std::move(lease));
  if (stop_holder) stop_holder();
}

std::shared_ptr<UploadLease> UploadLocks::TryAcquire(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[key];
  if (e.holder != 0) return nullptr;
  e.holder = next_token_++;
  e.cancel = [] {};
  return std::make_shared<UploadLease>(this, key, e.holder);
}

void UploadLocks::Release(const std::string& key, uint64_t token) {
  Ready ready;
  std::shared_ptr<UploadLease> lease;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.holder != token) return;
    Entry& e = it->second;
    if (e.waiting.empty()) {
      entries_.erase(it);
      return;
    }
    Waiter w = std::move(e.waiting.front());
    e.waiting.pop_front();
    e.holder = w.token;
    e.cancel = std::move(w.cancel);
    ready = std::move(w.ready);
    lease = std::make_shared<UploadLease>(this, key, w.token);
  }
  ready(std::move(lease));
}

void UploadLocks::CancelAll() {
  std::vector<Canceller> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, e] : entries_) {
      if (e.cancel) all.push_back(e.cancel);
    }
  }
  for (auto& c : all) c();
}

}  // namespace seqgate::ingest
