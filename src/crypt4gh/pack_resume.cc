#include "crypt4gh/pack_resume.h"

#include <algorithm>

namespace seqgate::crypt4gh {
namespace {

// Drops the first `skip` bytes of the re-packed stream (the part of the first frame that
// precedes segment k), then encrypts the rest.
class SkippingSink final : public pipeline::PackSink {
 public:
  SkippingSink(Encryptor& e, uint64_t skip) : e_(e), skip_(skip) {}
  Status OnFrame(const pipeline::FrameRecord& record, ByteView bytes) override {
    (void)record;
    return Feed(bytes);
  }
  Status Feed(ByteView bytes) {
    const uint64_t drop = std::min<uint64_t>(skip_, bytes.size());
    skip_ -= drop;
    return e_.Write(bytes.subspan(static_cast<size_t>(drop)));
  }

 private:
  Encryptor& e_;
  uint64_t skip_;
};

}  // namespace

Status ResumeEncryptedPack(Env& env, pipeline::WorkerPool& pool, const std::string& path,
                           const pipeline::PackOptions& options, pipeline::Encoding encoding,
                           const std::vector<pipeline::FrameRecord>& records,
                           const EncryptionParams& params, uint64_t first_segment, ByteSink& sink) {
  const std::vector<uint8_t> trailer = encoding == pipeline::Encoding::kZstdSeekable
                                           ? pipeline::TrailerFromRecords(records)
                                           : std::vector<uint8_t>();
  const uint64_t frames_end =
      records.empty() ? 0 : records.back().output_offset + records.back().output_size;
  const uint64_t total = frames_end + trailer.size();
  const uint64_t start = PlaintextOffsetOfSegment(first_segment);
  const uint64_t segments = (total + kSegmentSize - 1) / kSegmentSize;
  if (first_segment > segments) {  // == segments: nothing is left to send
    return InvalidArgument("segment " + std::to_string(first_segment) +
                           " is beyond the end of the " + std::to_string(total) +
                           "-byte packed stream");
  }
  SEQGATE_ASSIGN_OR_RETURN(auto enc, Encryptor::Create(params, sink, first_segment));
  if (first_segment == segments) {
    // Everything was sent already (an empty stream still gets its header at segment 0).
  } else if (start < frames_end) {
    // The frame holding plaintext offset `start`: the last one starting at or before it.
    const auto it = std::upper_bound(
        records.begin(), records.end(), start,
        [](uint64_t off, const pipeline::FrameRecord& r) { return off < r.output_offset; });
    const auto first = static_cast<uint32_t>(std::distance(records.begin(), it) - 1);
    SkippingSink skip(*enc, start - records[first].output_offset);
    SEQGATE_RETURN_IF_ERROR(pipeline::Repack(env, pool, path, options, encoding, records, first,
                                             static_cast<uint32_t>(records.size() - 1), skip));
    SEQGATE_RETURN_IF_ERROR(enc->Write(trailer));
  } else {  // segment k starts inside the seek table
    SEQGATE_RETURN_IF_ERROR(
        enc->Write(ByteView(trailer).subspan(static_cast<size_t>(start - frames_end))));
  }
  return enc->Finish();
}

}  // namespace seqgate::crypt4gh
