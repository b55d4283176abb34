// Random access into a zstd-seekable file: finds the frames holding an original byte range
// through the seek table and decompresses only those. What the centre uses to serve or check a
// slice of a file without reading all of it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/env.h"
#include "common/status.h"
#include "pipeline/seek_table.h"

namespace seqgate::pipeline {

class SeekableReader {
 public:
  // Opens `path` and parses its seek table (kCorruption if it has none or it is malformed).
  static Result<std::unique_ptr<SeekableReader>> Open(Env& env, const std::string& path);

  const SeekTable& table() const { return table_; }

  // Delivers original bytes [offset, offset + length) to `out`, in order, in pieces. Each frame
  // touched is checked against its seek-table checksum. kInvalidArgument past the end.
  Status ReadRange(uint64_t offset, uint64_t length,
                   const std::function<Status(ByteView)>& out) const;

 private:
  SeekableReader(std::unique_ptr<RandomAccessFile> file, SeekTable table)
      : file_(std::move(file)), table_(std::move(table)) {}
  std::unique_ptr<RandomAccessFile> file_;
  SeekTable table_;
};

}  // namespace seqgate::pipeline
