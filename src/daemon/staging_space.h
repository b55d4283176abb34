// Disk space for S3 staging objects. A staged object lives in the state directory beside the
// journal, so staging must never fill that filesystem: the journal could then not record what
// happened. Before a file is staged it reserves an upper bound of its object's size; the
// reservation is refused while the free space, less what stagings in flight have reserved,
// would drop below a floor kept for the journal.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "common/env.h"
#include "common/status.h"

namespace seqgate::daemon {

class StagingSpace {
 public:
  // Space kept free on the state filesystem for the journal and the logs.
  static constexpr uint64_t kFloorBytes = 64ull << 20;

  // Bytes an object staged from `original_size` bytes may take at most: zstd's worst case on
  // incompressible input (1/256 more, rounded up generously), Crypt4GH's 28 bytes per 64 KiB
  // segment, and its header.
  static uint64_t UpperBound(uint64_t original_size);

  // A reservation held while one staging runs; released by its destructor.
  class [[nodiscard]] Reservation {
   public:
    Reservation(Reservation&& o) noexcept : space_(o.space_), bytes_(o.bytes_) { o.space_ = nullptr; }
    Reservation& operator=(Reservation&&) = delete;
    ~Reservation();

   private:
    friend class StagingSpace;
    Reservation(StagingSpace* space, uint64_t bytes) : space_(space), bytes_(bytes) {}
    StagingSpace* space_;
    uint64_t bytes_;
  };

  // `dir` is the staging directory; `env` (not owned) answers how much space is free there.
  StagingSpace(Env& env, std::string dir) : env_(env), dir_(std::move(dir)) {}

  // Reserves `bytes` for staging `what`; kResourceExhausted (transient: the file waits and is
  // tried again) naming what, the directory and the figures when they do not fit.
  Result<Reservation> Reserve(const std::string& what, uint64_t bytes);

  // Bytes reserved by stagings in flight.
  uint64_t reserved() const;

 private:
  void Release(uint64_t bytes);

  Env& env_;
  const std::string dir_;
  mutable std::mutex mu_;
  uint64_t reserved_ = 0;
};

}  // namespace seqgate::daemon
