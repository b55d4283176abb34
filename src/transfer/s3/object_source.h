// Where an S3 object's bytes come from: a reader of the object stream by offset, whose total size
// is known before the upload starts. A file on disk (plain, packed or an encrypted staging
// file) is one; a stream producing part k on demand (Crypt4GH with counter nonces) plugs in the
// same way, as long as reading the same range twice gives the same bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/bytes.h"
#include "common/env.h"
#include "common/status.h"

namespace seqgate::transfer::s3 {

class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  // Total bytes of the object; fixed for the source's lifetime.
  virtual uint64_t size() const = 0;
  // Reads up to buf.size() bytes at `offset`; fewer only at the end. Thread-safe.
  virtual Result<size_t> ReadAt(uint64_t offset, MutableByteView buf) const = 0;
  // Names this version of the content: it changes whenever the bytes may have changed, so a
  // resumed upload can tell that its parts belong to another object. Stored in the state file.
  virtual std::string Fingerprint() const = 0;
  // kSourceChanged when the content may differ from what Fingerprint() described.
  virtual Status CheckUnchanged() const = 0;
  // For messages: the path or a description.
  virtual std::string Describe() const = 0;
};

// A regular file read through `env`; the fingerprint is its identity (device, inode, size,
// mtime), taken from the open descriptor.
Result<std::unique_ptr<ObjectSource>> OpenFileSource(Env& env, const std::string& path);

}  // namespace seqgate::transfer::s3
