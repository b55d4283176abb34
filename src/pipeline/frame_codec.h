// One zstd frame in, one zstd frame out, with parameters pinned so the same input always
// gives the same bytes (for a given zstd version). Each worker thread owns one codec.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace seqgate::pipeline {

class FrameCompressor {
 public:
  explicit FrameCompressor(int level);
  ~FrameCompressor();
  FrameCompressor(const FrameCompressor&) = delete;
  FrameCompressor& operator=(const FrameCompressor&) = delete;

  // Worst-case output size for `input_size` bytes.
  static size_t Bound(size_t input_size);

  // Compresses `in` as one complete frame (content size and XXH64 content checksum in the
  // frame) into `out` (at least Bound(in.size()) bytes); returns the frame's size.
  Result<size_t> Compress(ByteView in, MutableByteView out);

 private:
  ZSTD_CCtx_s* cctx_;
};

}  // namespace seqgate::pipeline
