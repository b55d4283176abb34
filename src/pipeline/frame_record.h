// The record the pipeline keeps for each frame (zstd) or chunk (identity) of its output.
//
// With these records the uploader can resume at any frame boundary: it knows where frame k
// starts in the output, which input bytes produce it, and can check that re-compressing them
// after a restart gives back exactly the bytes the centre already holds.
#pragma once

#include <cstdint>

namespace seqgate::pipeline {

struct FrameRecord {
  uint32_t index = 0;
  uint64_t input_offset = 0;   // where the frame's original bytes start in the source file
  uint32_t input_size = 0;     // how many original bytes it holds
  uint64_t output_offset = 0;  // where the frame starts in the output stream
  uint32_t output_size = 0;    // its size in the output stream
  // Low 32 bits of XXH64 of the original bytes: the seek table's checksum, and for zstd frames
  // also the frame's own content checksum (so it is read from the frame, not computed twice).
  uint32_t input_checksum = 0;
  uint64_t output_xxh64 = 0;  // XXH64 of the output bytes: proves a re-pack is identical

  bool operator==(const FrameRecord&) const = default;
};

}  // namespace seqgate::pipeline
