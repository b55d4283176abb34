#include "ctl/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace seqgate::ctl {

Result<std::unique_ptr<OutputFileSink>> OutputFileSink::Create(Env& env, const std::string& path,
                                                               uint32_t mode) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp = dir + "." + base + ".partial-" + std::to_string(::getpid());
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.CreateWritable(tmp, mode));
  return std::unique_ptr<OutputFileSink>(new OutputFileSink(path, std::move(tmp), std::move(file)));
}

OutputFileSink::~OutputFileSink() {
  if (!committed_) {
    file_->Close().IgnoreError();  // best effort: the temporary is being discarded
    std::remove(tmp_.c_str());
  }
}

Status OutputFileSink::OnFrame(const pipeline::FrameRecord&, ByteView bytes) {
  return file_->Append(bytes);
}

Status OutputFileSink::OnTrailer(ByteView bytes) { return file_->Append(bytes); }

Status OutputFileSink::Append(ByteView bytes) { return file_->Append(bytes); }

Status OutputFileSink::Commit() {
  SEQGATE_RETURN_IF_ERROR(file_->Close());
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) return ErrnoStatus(errno, "rename to", path_);
  committed_ = true;
  return Status::Ok();
}

}  // namespace seqgate::ctl
