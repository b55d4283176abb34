#include "ingest/live_upload.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "common/log.h"

namespace seqgate::ingest {

Result<std::unique_ptr<LiveUpload>> LiveUpload::Open(const UploadStore& store,
                                                     const std::string& site,
                                                     const std::string& id) {
  SEQGATE_ASSIGN_OR_RETURN(UploadInfo info, store.LoadInfo(site, id));
  SEQGATE_ASSIGN_OR_RETURN(UploadProgress progress, store.LoadProgress(site, id));
  std::string path = store.DataPath(site, id);
  // Nothing reads an upload's bytes again once the verifier has them (from memory, see
  // FeedIfInOrder): they go to the disk without passing through the page cache.
  auto data = store.env().OpenUncached(path);
  if (!data.ok()) {
    // A finalised upload's data has moved on (stored, quarantined); its state stays readable.
    bool finalised = info.length && progress.offset == *info.length;
    if (data.status().code() == StatusCode::kNotFound && finalised) {
      return std::unique_ptr<LiveUpload>(new LiveUpload(store, std::move(info), progress, nullptr));
    }
    return data.status();
  }
  const int fd = (*data)->fd();
  std::unique_ptr<LiveUpload> up(
      new LiveUpload(store, std::move(info), progress, std::move(*data)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "fstat", path);
  auto size = static_cast<uint64_t>(st.st_size);
  if (size > progress.offset) {
    SEQGATE_RETURN_IF_ERROR(up->DiscardStaged());
  } else if (size < progress.offset) {
    // Acknowledged bytes are gone: the disk lost fsync'd data. Say so and fall back to what
    // is there; the client re-sends from the offset HEAD now reports.
    Log(LogLevel::kError, "upload.data_lost",
        {{"site", site},
         {"upload", id},
         {"acknowledged", std::to_string(progress.offset)},
         {"on_disk", std::to_string(size)}});
    up->progress_.offset = size;
    SEQGATE_RETURN_IF_ERROR(store.SaveProgress(site, id, up->progress_));
  }
  return up;
}

LiveUpload::LiveUpload(const UploadStore& store, UploadInfo info, UploadProgress progress,
                       std::unique_ptr<RandomRWFile> data)
    : store_(store),
      info_(std::move(info)),
      progress_(progress),
      data_(std::move(data)),
      data_path_(store.DataPath(info_.site, info_.id)),
      verifier_(ContentVerifier::Create(info_.declaration.encoding)) {}

LiveUpload::~LiveUpload() = default;

Status LiveUpload::WriteAt(uint64_t offset, ByteView data) {
  if (!data_) return IoError("'" + data_path_ + "' has moved: cannot write");
  return data_->WriteAt(offset, data);
}

Status LiveUpload::Commit(uint64_t offset, int64_t expires_unix) {
  if (!data_) return IoError("'" + data_path_ + "' has moved: cannot commit");
  SEQGATE_RETURN_IF_ERROR(data_->Sync());
  UploadProgress next{offset, expires_unix};
  SEQGATE_RETURN_IF_ERROR(store_.SaveProgress(info_.site, info_.id, next));
  progress_ = next;
  // Durable and verified from memory: the pages are clean and nobody reads them again, so they
  // go back to the kernel for the next bytes instead of crowding out other files' cache. Bytes
  // the verifier has not had are dropped after CatchUp reads them (ReadRange). The drop starts
  // at 0: the kernel keeps a large folio that straddles the start of a narrower range.
  const uint64_t drop_end = std::min(offset, fed_end_);
  if (drop_end > uncached_) {
    ::posix_fadvise(data_->fd(), 0, static_cast<off_t>(drop_end), POSIX_FADV_DONTNEED);
    uncached_ = drop_end;
  }
  return Status::Ok();
}

Status LiveUpload::DiscardStaged() {
  if (!data_) return IoError("'" + data_path_ + "' has moved: cannot truncate");
  SEQGATE_RETURN_IF_ERROR(data_->Truncate(progress_.offset));
  if (fed_end_ > progress_.offset) {
    // The verifier has digested bytes that no longer count, and a decoder cannot be rewound:
    // start it over from the acknowledged bytes on disk.
    feed_staged_ = false;
    fed_end_ = 0;
    return Restart();
  }
  return Status::Ok();
}

bool LiveUpload::InOrder(uint64_t offset, bool staged) const {
  return (!staged || feed_staged_) && verifier_error_.ok() && offset == verifier_->consumed();
}

bool LiveUpload::FeedIfInOrder(uint64_t offset, ByteView data, bool staged) {
  if (!InOrder(offset, staged)) return false;
  verifier_error_ = verifier_->Consume(data);
  if (!verifier_error_.ok()) return false;
  fed_end_ = offset + data.size();
  return true;
}

bool LiveUpload::BeginChunkDigest(uint64_t offset) {
  return InOrder(offset, /*staged=*/true) && verifier_->BeginChunkDigest();
}

Status LiveUpload::CatchUp() {
  if (!verifier_error_.ok() || verifier_->consumed() >= progress_.offset) return Status::Ok();
  if (!data_) return IoError("'" + data_path_ + "' has moved: cannot verify again");
  return verifier_->ConsumeFileRange(data_->fd(), verifier_->consumed(), progress_.offset);
}

Status LiveUpload::Restart() {
  verifier_ = ContentVerifier::Create(info_.declaration.encoding);
  verifier_error_ = Status::Ok();
  return CatchUp();
}

}  // namespace seqgate::ingest
