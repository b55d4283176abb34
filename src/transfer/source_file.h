// The source file an identity upload's chunks are read from as they are sent (ChunkQueue's
// from_source chunks): the packer read and hashed these bytes moments before, and the uploader
// reads them again into the connection instead of keeping a copy. What proves they are still
// the bytes that were hashed: the file's identity, checked before each chunk goes out, and the
// chunk's Upload-Checksum, which the centre checks; after a 460 the chunk is hashed again here,
// to tell damage in transit (resend) from a file changed in place (fail the file).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/env.h"
#include "common/hashing.h"
#include "common/status.h"

namespace seqgate::transfer {

class SourceFile {
 public:
  // `expected` is the identity the file had when it was packed; `env` must outlive this.
  SourceFile(Env& env, std::string path, FileIdentity expected);

  // The open file (opened on first use), once it still is the file that was packed: same
  // device, inode, size and mtime as `expected`; else kSourceChanged saying what changed.
  Result<const RandomAccessFile*> Checked();

  // SHA-256 of [offset, offset + length) as the file holds it now, read in 1 MiB pieces.
  // kSourceChanged if the file ends before.
  Result<Digest> Sha256Of(uint64_t offset, uint64_t length);

 private:
  Env& env_;
  const std::string path_;
  const FileIdentity expected_;
  std::unique_ptr<RandomAccessFile> file_;
};

}  // namespace seqgate::transfer
