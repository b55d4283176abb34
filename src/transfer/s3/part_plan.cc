#include "transfer/s3/part_plan.h"

#include <algorithm>

namespace seqgate::transfer::s3 {

uint64_t PartPlan::Length(uint32_t number) const {
  const uint64_t off = Offset(number);
  return off >= object_size ? 0 : std::min(part_size, object_size - off);
}

Result<PartPlan> PlanParts(uint64_t object_size, uint64_t requested_part_size) {
  uint64_t size = requested_part_size == 0 ? kDefaultMinPartSize : requested_part_size;
  if (size < kS3MinPartSize) {
    return InvalidArgument("part size " + std::to_string(size) + " is under S3's minimum of 5 MiB");
  }
  const uint64_t needed = (object_size + kS3MaxParts - 1) / kS3MaxParts;
  if (size < needed) size = (needed + kMiB - 1) / kMiB * kMiB;
  if (size > kS3MaxPartSize) {
    return InvalidArgument("object of " + std::to_string(object_size) +
                           " bytes needs parts over S3's 5 GiB maximum");
  }
  PartPlan plan;
  plan.object_size = object_size;
  plan.part_size = size;
  plan.part_count = object_size == 0 ? 1 : static_cast<uint32_t>((object_size + size - 1) / size);
  return plan;
}

std::string MultipartEtag(const std::vector<Digest>& part_md5s) {
  Hasher h(DigestAlgorithm::kMd5);
  for (const Digest& d : part_md5s) h.Update(d.view());
  return "\"" + h.Finish().hex() + "-" + std::to_string(part_md5s.size()) + "\"";
}

std::string NormalizeEtag(std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  while (!etag.empty() && (etag.front() == '"' || etag.front() == ' ')) etag.remove_prefix(1);
  while (!etag.empty() && (etag.back() == '"' || etag.back() == ' ')) etag.remove_suffix(1);
  std::string out(etag);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

}  // namespace seqgate::transfer::s3
