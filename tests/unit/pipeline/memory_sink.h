// Test sink: keeps the packed stream and the frame records in memory, and can run a hook on a
// chosen frame (to change the source mid-pack, deterministically).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pipeline/packer.h"

namespace seqgate::testing {

class MemorySink : public pipeline::PackSink {
 public:
  Status OnFrame(const pipeline::FrameRecord& r, ByteView bytes) override {
    if (r.output_offset != base + bytes_.size()) return Internal("frames out of order");
    records.push_back(r);
    bytes_.append(AsChars(bytes));
    if (on_frame) on_frame(r.index);
    return Status::Ok();
  }
  Status OnTrailer(ByteView bytes) override {
    trailer.assign(AsChars(bytes));
    return Status::Ok();
  }
  std::string stream() const { return bytes_ + trailer; }
  const std::string& frames() const { return bytes_; }

  uint64_t base = 0;  // output offset of the first frame expected (Repack)
  std::vector<pipeline::FrameRecord> records;
  std::string trailer;
  std::function<void(uint32_t)> on_frame;

 private:
  std::string bytes_;
};

}  // namespace seqgate::testing
