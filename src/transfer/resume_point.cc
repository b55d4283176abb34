#include "transfer/resume_point.h"

#include <algorithm>

namespace seqgate::transfer {

uint64_t StreamSize(const std::vector<pipeline::FrameRecord>& records, uint64_t trailer_size) {
  if (records.empty()) return trailer_size;
  return records.back().output_offset + records.back().output_size + trailer_size;
}

std::optional<ResumePoint> LocateOffset(const std::vector<pipeline::FrameRecord>& records,
                                        uint64_t trailer_size, uint64_t offset) {
  uint64_t expect = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].index != i || records[i].output_offset != expect) return std::nullopt;
    expect += records[i].output_size;
  }
  if (offset > expect + trailer_size) return std::nullopt;
  if (offset >= expect) {
    return ResumePoint{static_cast<uint32_t>(records.size()), offset - expect};
  }
  // The last frame starting at or before the offset holds it.
  auto it = std::upper_bound(
      records.begin(), records.end(), offset,
      [](uint64_t off, const pipeline::FrameRecord& r) { return off < r.output_offset; });
  const auto& r = *(it - 1);
  return ResumePoint{r.index, offset - r.output_offset};
}

}  // namespace seqgate::transfer
