// What a multipart upload must remember to resume after any restart: which object on which
// endpoint, the upload id, the part size, the source's fingerprint, and per uploaded part its
// size, MD5 and the ETag the server answered. A small JSON file, replaced atomically and
// durably after every part (temp file, fsync, rename, fsync of the directory).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/status.h"

namespace seqgate::transfer::s3 {

struct StoredPart {
  uint64_t size = 0;
  std::string md5;   // lower-case hex of the part's bytes
  std::string etag;  // as the server answered, normalised (no quotes, lower case)
};

struct MultipartState {
  int version = 1;
  std::string endpoint;  // https://host[:port]
  std::string bucket;
  std::string key;
  std::string source;              // ObjectSource::Describe(), for humans
  std::string source_fingerprint;  // ObjectSource::Fingerprint() when the upload was created
  uint64_t object_size = 0;
  uint64_t part_size = 0;
  std::string upload_id;                 // empty until CreateMultipartUpload answered
  std::map<uint32_t, StoredPart> parts;  // by part number
  bool complete = false;
  std::string etag;  // the object's ETag once complete (normalised)
};

std::string MultipartStateToJson(const MultipartState& s);
// kCorruption for malformed JSON or fields of the wrong type, naming the field.
Result<MultipartState> MultipartStateFromJson(const std::string& text);

// Reads the state file; nullopt when it does not exist.
Result<std::optional<MultipartState>> LoadMultipartState(const std::string& path);
// Replaces the state file atomically and durably, mode 0600 (it names the upload id).
Status SaveMultipartState(const std::string& path, const MultipartState& s);

}  // namespace seqgate::transfer::s3
