// Where in the packed stream an upload stands, in terms of the pipeline's frames: turns a
// server's Upload-Offset into "re-create frame k and skip its first s bytes".
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pipeline/frame_record.h"

namespace seqgate::transfer {

struct ResumePoint {
  // First frame to (re)produce; == records.size() when the offset lies in the trailer.
  uint32_t frame = 0;
  uint64_t skip = 0;  // bytes of that frame (or of the trailer) the server already holds
  // True when the offset is exactly on a frame boundary (what a checksumming server gives).
  bool aligned() const { return skip == 0; }
};

// Maps `offset` (bytes the server holds) onto `records` (every frame, in order, contiguous
// from 0) followed by `trailer_size` bytes of seek table. nullopt when the offset is past the
// end of the stream or the records are not contiguous: the server holds something else.
std::optional<ResumePoint> LocateOffset(const std::vector<pipeline::FrameRecord>& records,
                                        uint64_t trailer_size, uint64_t offset);

// Total bytes of the packed stream the records describe (frames + trailer).
uint64_t StreamSize(const std::vector<pipeline::FrameRecord>& records, uint64_t trailer_size);

}  // namespace seqgate::transfer
