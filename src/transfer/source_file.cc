#include "transfer/source_file.h"

#include <algorithm>
#include <vector>

namespace seqgate::transfer {

SourceFile::SourceFile(Env& env, std::string path, FileIdentity expected)
    : env_(env), path_(std::move(path)), expected_(expected) {}

Result<const RandomAccessFile*> SourceFile::Checked() {
  if (!file_) {
    SEQGATE_ASSIGN_OR_RETURN(file_, env_.OpenForRead(path_));
  }
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity now, file_->Stat());
  FileIdentity then = expected_;
  then.type = now.type;  // saved upload states do not keep the type
  if (!(then == now)) {
    return SourceChanged("'" + path_ + "' changed after it was packed (" +
                         then.DescribeChange(now) + "): its bytes are no longer the ones hashed");
  }
  return file_.get();
}

Result<Digest> SourceFile::Sha256Of(uint64_t offset, uint64_t length) {
  SEQGATE_ASSIGN_OR_RETURN(const RandomAccessFile* f, Checked());
  Hasher h(DigestAlgorithm::kSha256);
  std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(length, 1u << 20)));
  for (uint64_t at = offset, end = offset + length; at < end;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - at));
    SEQGATE_ASSIGN_OR_RETURN(const size_t got, f->ReadAt(at, {buf.data(), want}));
    if (got != want) {
      return SourceChanged("'" + path_ + "' ends at " + std::to_string(at + got) +
                           ", before the bytes that were packed");
    }
    h.Update({buf.data(), got});
    at += got;
  }
  return h.Finish();
}

}  // namespace seqgate::transfer
