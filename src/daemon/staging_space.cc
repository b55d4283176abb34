#include "daemon/staging_space.h"

namespace seqgate::daemon {

uint64_t StagingSpace::UpperBound(uint64_t original_size) {
  const uint64_t zstd = original_size + original_size / 128 + (1u << 20);
  const uint64_t segments = zstd / 65536 + 1;
  return zstd + segments * 28 + (64u << 10);
}

StagingSpace::Reservation::~Reservation() {
  if (space_ != nullptr) space_->Release(bytes_);
}

Result<StagingSpace::Reservation> StagingSpace::Reserve(const std::string& what, uint64_t bytes) {
  // Asked under the lock, so two stagings starting together cannot both count the same space.
  std::lock_guard lock(mu_);
  SEQGATE_ASSIGN_OR_RETURN(const uint64_t free, env_.AvailableBytes(dir_));
  const uint64_t usable = free > reserved_ + kFloorBytes ? free - reserved_ - kFloorBytes : 0;
  if (bytes > usable) {
    return Status(StatusCode::kResourceExhausted,
                  "staging " + what + " needs up to " + std::to_string(bytes) + " bytes in " +
                      dir_ + ", where " + std::to_string(free) + " are free (" +
                      std::to_string(reserved_) + " reserved by other stagings, " +
                      std::to_string(kFloorBytes) +
                      " kept for the journal); it waits until space is freed");
  }
  reserved_ += bytes;
  return Reservation(this, bytes);
}

uint64_t StagingSpace::reserved() const {
  std::lock_guard lock(mu_);
  return reserved_;
}

void StagingSpace::Release(uint64_t bytes) {
  std::lock_guard lock(mu_);
  reserved_ -= bytes;
}

}  // namespace seqgate::daemon
