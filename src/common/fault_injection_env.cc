#include "common/fault_injection_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace seqgate {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// A file's fsync as the model sees it: what the sync covered becomes durable, then the clock
// of cut points ticks (a cut right after it keeps those bytes).
template <typename File>
Status SyncTracked(PowerCutModel& model, File& base, int handle) {
  auto lock = model.Lock();
  Status st = base.Sync();
  if (st.ok()) model.AfterSync(handle);
  model.Tick(DurabilityOp::kSync, base.path());
  return st;
}

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(std::unique_ptr<WritableFile> base, PowerCutModel* model, int handle)
      : base_(std::move(base)), model_(model), handle_(handle) {}
  ~FaultWritableFile() override { Release(); }

  Status Append(ByteView data) override {
    auto lock = model_->Lock();
    // Appending never overwrites durable bytes: nothing to save, the cut truncates.
    Status st = base_->Append(data);
    model_->Tick(DurabilityOp::kWrite, path());
    return st;
  }
  Status Sync() override { return SyncTracked(*model_, *base_, handle_); }
  Status Close() override {
    Status st = base_->Close();
    Release();
    return st;
  }
  const std::string& path() const override { return base_->path(); }

 private:
  void Release() {
    if (handle_ < 0) return;
    auto lock = model_->Lock();
    model_->Untrack(std::exchange(handle_, -1));
  }

  std::unique_ptr<WritableFile> base_;
  PowerCutModel* model_;
  int handle_;
};

class FaultRandomRWFile final : public RandomRWFile {
 public:
  FaultRandomRWFile(std::unique_ptr<RandomRWFile> base, PowerCutModel* model, int handle)
      : base_(std::move(base)), model_(model), handle_(handle) {}
  ~FaultRandomRWFile() override {
    auto lock = model_->Lock();
    model_->Untrack(handle_);
  }

  Status WriteAt(uint64_t offset, ByteView data) override {
    auto lock = model_->Lock();
    model_->BeforeWrite(handle_, offset, data.size());
    Status st = base_->WriteAt(offset, data);
    model_->Tick(DurabilityOp::kWrite, path());
    return st;
  }
  Status Truncate(uint64_t size) override {
    auto lock = model_->Lock();
    model_->BeforeTruncate(handle_, size);
    Status st = base_->Truncate(size);
    model_->Tick(DurabilityOp::kTruncate, path());
    return st;
  }
  Status Sync() override { return SyncTracked(*model_, *base_, handle_); }
  int fd() const override { return base_->fd(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<RandomRWFile> base_;
  PowerCutModel* model_;
  int handle_;
};

}  // namespace

Env* FaultInjectionEnv::FromEnvironment() {
  static Env* const env = []() -> Env* {
    PowerCutModel* model = PowerCutModel::FromEnvironment();
    if (model == nullptr) return Env::Default();
    return new FaultInjectionEnv(Env::Default(), model);  // lives until the process dies
  }();
  return env;
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::CreateWritable(const std::string& path,
                                                                        uint32_t mode,
                                                                        CreateMode how) {
  auto lock = model_->Lock();
  const bool existed = Exists(path);
  int handle = -1;
  if (existed && how == CreateMode::kTruncate) {
    // Truncating an existing file destroys durable bytes: save them before the open does.
    handle = model_->Track(-1, path);
    model_->BeforeTruncate(handle, 0);
  }
  auto file = base_->CreateWritable(path, mode, how);
  if (!file.ok()) {
    if (handle >= 0) model_->Untrack(handle);
    return file.status();
  }
  if (!existed) {
    model_->Created(path);
    handle = model_->Track(-1, path);
  }
  model_->Tick(existed ? DurabilityOp::kTruncate : DurabilityOp::kCreate, path);
  return std::unique_ptr<WritableFile>(new FaultWritableFile(std::move(*file), model_, handle));
}

Result<std::unique_ptr<RandomRWFile>> FaultInjectionEnv::TrackRW(
    Result<std::unique_ptr<RandomRWFile>> file, const std::string& path) {
  if (!file.ok()) return file.status();
  const int handle = model_->Track((*file)->fd(), path);
  return std::unique_ptr<RandomRWFile>(new FaultRandomRWFile(std::move(*file), model_, handle));
}

Result<std::unique_ptr<RandomRWFile>> FaultInjectionEnv::OpenReadWrite(const std::string& path) {
  auto lock = model_->Lock();
  return TrackRW(base_->OpenReadWrite(path), path);
}

Result<std::unique_ptr<RandomRWFile>> FaultInjectionEnv::OpenUncached(const std::string& path) {
  auto lock = model_->Lock();
  return TrackRW(base_->OpenUncached(path), path);
}

Status FaultInjectionEnv::CreateDir(const std::string& path, uint32_t mode) {
  auto lock = model_->Lock();
  SEQGATE_RETURN_IF_ERROR(base_->CreateDir(path, mode));
  model_->Created(path);
  model_->Tick(DurabilityOp::kMkdir, path);
  return Status::Ok();
}

Status FaultInjectionEnv::SyncDir(const std::string& path) {
  auto lock = model_->Lock();
  SEQGATE_RETURN_IF_ERROR(base_->SyncDir(path));
  model_->DirSynced(path);
  model_->Tick(DurabilityOp::kSyncDir, path);
  return Status::Ok();
}

Result<std::string> FaultInjectionEnv::Park(const std::string& path) {
  if (!Exists(path)) return std::string();
  std::string grave = model_->GravePath();
  // A hard link keeps `path` in place, so the rename that replaces it stays atomic; a
  // directory cannot be linked and is moved.
  if (::link(path.c_str(), grave.c_str()) != 0 && ::rename(path.c_str(), grave.c_str()) != 0) {
    return ErrnoStatus(errno, "park (power-cut test hook)", path);
  }
  return grave;
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to, bool replace) {
  auto lock = model_->Lock();
  std::string grave;
  if (replace) {
    SEQGATE_ASSIGN_OR_RETURN(grave, Park(to));
  }
  Status st = base_->RenameFile(from, to, replace);
  if (!st.ok()) {
    if (!grave.empty()) ::unlink(grave.c_str());
    return st;
  }
  model_->Renamed(from, to, grave);
  model_->Tick(DurabilityOp::kRename, to);
  return Status::Ok();
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  auto lock = model_->Lock();
  if (!Exists(path)) return base_->RemoveFile(path);  // the real error
  std::string grave = model_->GravePath();
  if (::rename(path.c_str(), grave.c_str()) != 0) return ErrnoStatus(errno, "unlink", path);
  model_->Removed(path, grave);
  model_->Tick(DurabilityOp::kRemove, path);
  return Status::Ok();
}

Status FaultInjectionEnv::RemoveTree(const std::string& path) {
  auto lock = model_->Lock();
  if (!Exists(path)) return Status::Ok();
  std::string grave = model_->GravePath();
  if (::rename(path.c_str(), grave.c_str()) != 0) return ErrnoStatus(errno, "remove", path);
  model_->Removed(path, grave);
  model_->Tick(DurabilityOp::kRemove, path);
  return Status::Ok();
}

}  // namespace seqgate
