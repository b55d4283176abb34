// One writer per upload. A request that wants an upload asks for its lease; if another request
// holds it (typically a PATCH whose client vanished), the holder is told to stop, and the lease
// passes on once the holder has committed what it received and let go — tusd's lock release
// and the IETF draft's "kill the previous request" behaviour.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace seqgate::ingest {

class UploadLocks;

// Holding one means owning the upload; destroying it releases the upload to the next waiter.
class UploadLease {
 public:
  UploadLease() = default;
  UploadLease(UploadLocks* locks, std::string key, uint64_t token)
      : locks_(locks), key_(std::move(key)), token_(token) {}
  UploadLease(UploadLease&& o) noexcept { *this = std::move(o); }
  UploadLease& operator=(UploadLease&& o) noexcept;
  UploadLease(const UploadLease&) = delete;
  UploadLease& operator=(const UploadLease&) = delete;
  ~UploadLease() { Release(); }

  void Release();
  bool held() const { return locks_ != nullptr; }

 private:
  UploadLocks* locks_ = nullptr;
  std::string key_;
  uint64_t token_ = 0;
};

class UploadLocks {
 public:
  // Asks the holder to stop; must not block and may be called from any thread.
  using Canceller = std::function<void()>;
  // Receives the lease; called from whichever thread released it, so it should post to its
  // own executor rather than do work inline.
  using Ready = std::function<void(std::shared_ptr<UploadLease>)>;

  // Grants `key` to the caller, now or after the current holder lets go. `cancel` is how a
  // later requester stops this one while it holds the lease.
  void Acquire(const std::string& key, Canceller cancel, Ready ready);

  // The lease if `key` is free right now, else null; never disturbs a holder (expiry sweep).
  std::shared_ptr<UploadLease> TryAcquire(const std::string& key);

  // Asks every holder to stop (shutdown).
  void CancelAll();

 private:
  friend class UploadLease;
  void Release(const std::string& key, uint64_t token);

  struct Waiter {
    uint64_t token;
    Canceller cancel;
    Ready ready;
  };
  struct Entry {
    uint64_t holder = 0;
    Canceller cancel;
    std::deque<Waiter> waiting;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
  uint64_t next_token_ = 1;
};

}  // namespace seqgate::ingest
