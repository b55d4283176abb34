// A PackSink writing the packed stream to a file, atomically: bytes go to a hidden temporary
// beside the target and are renamed over it only when the pack succeeded, so a failed or
// interrupted pack never leaves a plausible-looking output behind.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/env.h"
#include "pipeline/packer.h"

namespace seqgate::ctl {

class OutputFileSink final : public pipeline::PackSink {
 public:
  // Creates the temporary file next to `path`, with `mode` (before the umask).
  static Result<std::unique_ptr<OutputFileSink>> Create(Env& env, const std::string& path,
                                                        uint32_t mode = 0644);
  ~OutputFileSink() override;  // removes the temporary unless Commit() succeeded

  Status OnFrame(const pipeline::FrameRecord& record, ByteView bytes) override;
  Status OnTrailer(ByteView bytes) override;
  // Appends bytes that are not frames (e.g. a Crypt4GH object wrapping the packed stream).
  Status Append(ByteView bytes);
  // Closes the temporary and renames it to the target path.
  Status Commit();

 private:
  OutputFileSink(std::string path, std::string tmp, std::unique_ptr<WritableFile> file)
      : path_(std::move(path)), tmp_(std::move(tmp)), file_(std::move(file)) {}
  std::string path_, tmp_;
  std::unique_ptr<WritableFile> file_;
  bool committed_ = false;
};

}  // namespace seqgate::ctl
