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

// Where an upload's state lives: a state file (seqgatectl) or the daemon's journal. Save is
// called after every step worth surviving a crash (the intent before CreateMultipartUpload,
// the upload id, every acknowledged part, completion); calls come from several part workers,
// one at a time (the uploader serialises them).
class MultipartStateStore {
 public:
  virtual ~MultipartStateStore() = default;
  // The stored state; nullopt when none was ever saved.
  virtual Result<std::optional<MultipartState>> Load() = 0;
  // Replaces the stored state durably enough that a crash keeps what the server acknowledged.
  virtual Status Save(const MultipartState& s) = 0;
  // For messages: the state file's path or "journal".
  virtual std::string Describe() const = 0;
};

// The JSON state file at `path` (LoadMultipartState / SaveMultipartState).
class FileStateStore final : public MultipartStateStore {
 public:
  explicit FileStateStore(std::string path) : path_(std::move(path)) {}
  Result<std::optional<MultipartState>> Load() override { return LoadMultipartState(path_); }
  Status Save(const MultipartState& s) override { return SaveMultipartState(path_, s); }
  std::string Describe() const override { return "state file " + path_; }

 private:
  std::string path_;
};

}  // namespace seqgate::transfer::s3
