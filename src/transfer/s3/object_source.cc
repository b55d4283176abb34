#include "transfer/s3/object_source.h"

namespace seqgate::transfer::s3 {
namespace {

class FileSource final : public ObjectSource {
 public:
  FileSource(std::unique_ptr<RandomAccessFile> file, FileIdentity id)
      : file_(std::move(file)), id_(id) {}

  uint64_t size() const override { return id_.size; }
  Result<size_t> ReadAt(uint64_t offset, MutableByteView buf) const override {
    return file_->ReadAt(offset, buf);
  }
  std::string Fingerprint() const override {
    return "file:" + std::to_string(id_.device) + ":" + std::to_string(id_.inode) + ":" +
           std::to_string(id_.size) + ":" + std::to_string(id_.mtime_ns);
  }
  Status CheckUnchanged() const override {
    SEQGATE_ASSIGN_OR_RETURN(FileIdentity now, file_->Stat());
    if (now != id_) {
      return SourceChanged(file_->path() + " changed during upload: " + id_.DescribeChange(now));
    }
    return Status::Ok();
  }
  std::string Describe() const override { return file_->path(); }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  FileIdentity id_;
};

}  // namespace

Result<std::unique_ptr<ObjectSource>> OpenFileSource(Env& env, const std::string& path) {
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.OpenForRead(path));
  SEQGATE_ASSIGN_OR_RETURN(FileIdentity id, file->Stat());
  return std::unique_ptr<ObjectSource>(std::make_unique<FileSource>(std::move(file), id));
}

}  // namespace seqgate::transfer::s3
