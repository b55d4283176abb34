#include "daemon/journal_upload_state.h"

#include "pipeline/encoding.h"

namespace seqgate::daemon {

std::optional<transfer::UploadState> ResumeState(const journal::FileRecord& f,
                                                 std::vector<pipeline::FrameRecord> frames,
                                                 const std::string& source_path,
                                                 const std::string& endpoint) {
  if (!f.shape || f.shape->endpoint != endpoint) return std::nullopt;
  auto enc = pipeline::ParseEncoding(f.shape->encoding);
  if (!enc) return std::nullopt;
  transfer::UploadState s;
  s.source_path = source_path;
  s.source = f.identity;
  s.source.type = FileType::kRegular;
  s.endpoint = endpoint;
  s.upload_url = f.upload_url.value_or("");
  s.level = f.shape->level;
  s.frame_size = f.shape->frame_size;
  s.md5 = f.shape->md5;
  s.encoding = *enc;
  s.records = std::move(frames);
  if (f.packed) {
    s.packed = true;
    s.trailer_size = f.packed->trailer_size;
    s.packed_size = f.packed->packed_size;
    s.original_size = f.packed->original_size;
    s.original_sha256 = f.packed->original_sha256;
    s.original_md5 = f.packed->original_md5.value_or("");
  }
  s.acked_offset = f.acked_offset;
  s.complete = f.upload_complete;
  return s;
}

journal::UploadProgress ProgressOf(const transfer::UploadState& s) {
  journal::UploadProgress p;
  p.shape.endpoint = s.endpoint;
  p.shape.encoding = std::string(pipeline::EncodingName(s.encoding));
  p.shape.level = s.level;
  p.shape.frame_size = s.frame_size;
  p.shape.md5 = s.md5;
  p.upload_url = s.upload_url;
  p.acked_offset = s.acked_offset;
  p.complete = s.complete;
  if (s.packed) {
    journal::PackedInfo k;
    k.encoding = p.shape.encoding;
    k.original_sha256 = s.original_sha256;
    if (!s.original_md5.empty()) k.original_md5 = s.original_md5;
    k.packed_size = s.packed_size;
    k.frame_size = s.frame_size;
    k.level = s.level;
    k.original_size = s.original_size;
    k.trailer_size = s.trailer_size;
    p.packed = std::move(k);
  }
  p.frames = &s.records;
  return p;
}

}  // namespace seqgate::daemon
