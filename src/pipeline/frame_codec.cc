#include "pipeline/frame_codec.h"

#include <zstd.h>

#include <new>
#include <string>

namespace seqgate::pipeline {

FrameCompressor::FrameCompressor(int level) : cctx_(ZSTD_createCCtx()) {
  if (cctx_ == nullptr) throw std::bad_alloc();
  // Pinned: every parameter that changes the output bytes is set explicitly, and no internal
  // multithreading (which would make frame layout depend on timing).
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_dictIDFlag, 0);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_nbWorkers, 0);
}

FrameCompressor::~FrameCompressor() { ZSTD_freeCCtx(cctx_); }

size_t FrameCompressor::Bound(size_t input_size) { return ZSTD_compressBound(input_size); }

Result<size_t> FrameCompressor::Compress(ByteView in, MutableByteView out) {
  const size_t n = ZSTD_compress2(cctx_, out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) {
    return Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  }
  return n;
}

}  // namespace seqgate::pipeline
