// How an object is cut into S3 multipart parts, and the ETag S3 gives the assembled object.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/hashing.h"
#include "common/status.h"

namespace seqgate::transfer::s3 {

inline constexpr uint64_t kMiB = 1024 * 1024;
inline constexpr uint64_t kS3MinPartSize = 5 * kMiB;  // S3's floor for every part but the last
inline constexpr uint64_t kS3MaxPartSize = 5 * 1024 * kMiB;
inline constexpr uint64_t kDefaultMinPartSize = 16 * kMiB;  // our floor when choosing
inline constexpr uint32_t kS3MaxParts = 10000;

struct PartPlan {
  uint64_t object_size = 0;
  uint64_t part_size = 0;
  uint32_t part_count = 0;  // at least 1 (an empty object is one empty part)

  // Byte offset and length of part `number` (1-based).
  uint64_t Offset(uint32_t number) const { return (number - 1) * part_size; }
  uint64_t Length(uint32_t number) const;
};

// Chooses the part size for an object: the requested size (0 = 16 MiB), grown to a whole MiB
// so the object needs at most 10,000 parts. A requested size under S3's 5 MiB floor, or an
// object too large even for 5 GiB parts, is kInvalidArgument.
Result<PartPlan> PlanParts(uint64_t object_size, uint64_t requested_part_size);

// The ETag S3 reports for a multipart object: "\"" hex(md5(md5(p1) ‖ … ‖ md5(pN))) "-N\"".
std::string MultipartEtag(const std::vector<Digest>& part_md5s);

// `etag` with surrounding double quotes (and a W/ prefix) removed, lower-cased.
std::string NormalizeEtag(std::string_view etag);

}  // namespace seqgate::transfer::s3
