// What an upload must remember to resume after any interruption, and its small JSON file:
// the upload URL, the pack options that make the stream reproducible, the frame records and
// the offset the server acknowledged. Written atomically (temp, fsync, rename, fsync dir).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "pipeline/encoding.h"
#include "pipeline/frame_record.h"

namespace seqgate::transfer {

struct UploadState {
  int version = 1;
  std::string source_path;
  FileIdentity source;  // the source as packed; a different identity invalidates the records
  std::string endpoint;
  std::string upload_url;  // empty until the server created the upload
  // Pack options that shape the stream: the same values reproduce the same bytes.
  int level = 3;
  uint32_t frame_size = 0;
  bool md5 = true;
  pipeline::Encoding encoding = pipeline::Encoding::kZstdSeekable;
  // Filled as frames are produced; complete once `packed` is true.
  std::vector<pipeline::FrameRecord> records;
  bool packed = false;
  uint64_t trailer_size = 0;
  uint64_t packed_size = 0;
  uint64_t original_size = 0;
  std::string original_sha256;  // hex, once packed
  std::string original_md5;     // hex, once packed (when md5)
  uint64_t acked_offset = 0;    // the last Upload-Offset the server acknowledged
  bool complete = false;        // the server holds the whole stream
};

// Serialises / parses the state (nlohmann JSON). kCorruption for a malformed file.
std::string UploadStateToJson(const UploadState& s);
Result<UploadState> UploadStateFromJson(const std::string& text);

// Reads the state file; nullopt when it does not exist.
Result<std::optional<UploadState>> LoadUploadState(const std::string& path);
// Replaces the state file atomically and durably (0600: it names the upload URL).
Status SaveUploadState(const std::string& path, const UploadState& s);

}  // namespace seqgate::transfer
