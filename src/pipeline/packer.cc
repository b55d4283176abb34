#include "pipeline/packer.h"

#include <algorithm>
#include <limits>

#include "pipeline/pack_job.h"
#include "pipeline/seek_table.h"

namespace seqgate::pipeline {
namespace {

constexpr uint32_t kMinFrameSize = 64u << 10;

unsigned SlotsFor(const PackOptions& o, const WorkerPool& pool) {
  return o.max_in_flight != 0 ? o.max_in_flight : 2 * pool.threads() + 2;
}

Status CheckStillSame(Env& env, const RandomAccessFile& file, const FileIdentity& at_open) {
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity now, file.Stat());
  if (!(now == at_open)) {
    return SourceChanged("'" + file.path() + "' changed while being read (" +
                         at_open.DescribeChange(now) + ")");
  }
  // The open descriptor may be fine while the path now names another file (replaced by
  // rename): what we packed is no longer what the path holds.
  auto by_path = env.Stat(file.path());
  if (!by_path.ok()) {
    return SourceChanged("'" + file.path() + "' disappeared while being read");
  }
  if (by_path->inode != at_open.inode || by_path->device != at_open.device) {
    return SourceChanged("'" + file.path() + "' was replaced by another file while being read");
  }
  return Status::Ok();
}

}  // namespace

Status PackOptions::Validate() const {
  if (level < 1 || level > 19) {
    return InvalidArgument("compression level " + std::to_string(level) + " is outside 1..19");
  }
  if (frame_size < kMinFrameSize || frame_size > kMaxFrameDecompressedSize) {
    return InvalidArgument("frame size " + std::to_string(frame_size) +
                           " is outside 64 KiB .. 1 GiB");
  }
  if (max_in_flight > 1024) {
    return InvalidArgument("max_in_flight " + std::to_string(max_in_flight) + " exceeds 1024");
  }
  return Status::Ok();
}

Result<PackResult> Pack(Env& env, WorkerPool& pool, const std::string& path,
                        const PackOptions& options, PackSink& sink) {
  SEQGATE_RETURN_IF_ERROR(options.Validate());
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.OpenForRead(path));
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity id, file->Stat());

  PackResult result;
  result.source = id;
  result.original_size = id.size;

  if (options.force_encoding) {
    result.encoding = *options.force_encoding;
    if (result.encoding == Encoding::kIdentity) result.detected_format = "configured";
  } else {
    // The sniffed head is read again by the frame reader; 64 KiB from the page cache is the
    // price of deciding before the first frame is compressed.
    std::vector<uint8_t> head(static_cast<size_t>(std::min<uint64_t>(id.size, kSniffBytes)));
    SEQGATE_ASSIGN_OR_RETURN(const size_t got, file->ReadAt(0, head));
    head.resize(got);
    auto format = DetectCompressedFormat(head);
    result.encoding = format ? Encoding::kIdentity : Encoding::kZstdSeekable;
    if (format) result.detected_format = *format;
  }

  const uint64_t frames64 = (id.size + options.frame_size - 1) / options.frame_size;
  if (frames64 > std::numeric_limits<uint32_t>::max()) {
    return InvalidArgument("'" + path + "' needs more than 2^32 frames; raise the frame size");
  }

  PackJobSpec spec;
  spec.file = file.get();
  spec.identity = id;
  spec.encoding = result.encoding;
  spec.level = options.level;
  spec.frame_size = options.frame_size;
  spec.slots = SlotsFor(options, pool);
  spec.first_frame = 0;
  spec.end_frame = static_cast<uint32_t>(frames64);
  spec.hash_original = true;
  spec.md5 = options.md5;
  // Identity output is the original: its digest is already being computed.
  spec.hash_output = options.packed_sha256 && result.encoding != Encoding::kIdentity;

  PackJob job(spec, pool, sink);
  pool.Run(&job);
  job.EndSharedPass();
  SEQGATE_RETURN_IF_ERROR(job.status().WithContext("packing '" + path + "'"));
  SEQGATE_RETURN_IF_ERROR(CheckStillSame(env, *file, id));

  result.frames = spec.end_frame;
  if (result.encoding == Encoding::kZstdSeekable) {
    const std::vector<uint8_t> trailer = SerializeSeekTable(job.seek_entries(), true);
    SEQGATE_RETURN_IF_ERROR(sink.OnTrailer(trailer));
    job.HashOutputTail(trailer);
    result.trailer_size = trailer.size();
  }
  result.packed_size = job.output_end() + result.trailer_size;
  Sha256Md5::Digests original = job.FinishOriginal();
  result.original_sha256 = original.sha256;
  result.original_md5 = original.md5;
  if (result.encoding == Encoding::kIdentity) {
    result.packed_sha256 = result.original_sha256;
  } else if (spec.hash_output) {
    result.packed_sha256 = job.FinishOutputSha256();
  }
  return result;
}

Status Repack(Env& env, WorkerPool& pool, const std::string& path, const PackOptions& options,
              Encoding encoding, const std::vector<FrameRecord>& records, uint32_t first,
              uint32_t last, PackSink& sink) {
  SEQGATE_RETURN_IF_ERROR(options.Validate());
  if (first > last || last >= records.size()) {
    return InvalidArgument("frames " + std::to_string(first) + ".." + std::to_string(last) +
                           " are outside the " + std::to_string(records.size()) + " records");
  }
  for (uint32_t i = first; i <= last; ++i) {
    if (records[i].index != i) return InvalidArgument("frame records are not indexed in order");
  }
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.OpenForRead(path));
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity id, file->Stat());
  const FrameRecord& tail = records[last];
  if (id.size < tail.input_offset + tail.input_size) {
    return SourceChanged("'" + path + "' is now shorter than when it was packed");
  }

  PackJobSpec spec;
  spec.file = file.get();
  spec.identity = id;
  spec.encoding = encoding;
  spec.level = options.level;
  spec.frame_size = options.frame_size;
  spec.slots = SlotsFor(options, pool);
  spec.first_frame = first;
  spec.end_frame = last + 1;
  spec.output_base = records[first].output_offset;
  spec.hash_original = false;
  spec.md5 = false;
  spec.expected = &records;

  PackJob job(spec, pool, sink);
  pool.Run(&job);
  SEQGATE_RETURN_IF_ERROR(job.status().WithContext("re-packing '" + path + "'"));
  return CheckStillSame(env, *file, id);
}

std::vector<uint8_t> TrailerFromRecords(const std::vector<FrameRecord>& records) {
  std::vector<SeekEntry> entries;
  entries.reserve(records.size());
  for (const auto& r : records) {
    entries.push_back({r.output_size, r.input_size, r.input_checksum});
  }
  return SerializeSeekTable(entries, true);
}

}  // namespace seqgate::pipeline
