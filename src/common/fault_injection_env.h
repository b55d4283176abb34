// FaultInjectionEnv: an Env whose writes a simulated power cut can take back (a TEST HOOK).
//
// Every call is performed on the real filesystem through `base` and reported to a
// PowerCutModel (power_cut.h), which can revert what was not fsynced and, when armed, cuts the
// power after the N-th operation. Reads are not intercepted: like the page cache, they see
// unsynced writes until the cut. Only programs started with the power-cut environment
// variables, and tests, construct one; the production path is Env::Default() unchanged.
#pragma once

#include "common/env.h"
#include "common/power_cut.h"

namespace seqgate {

class FaultInjectionEnv final : public Env {
 public:
  // Neither pointer is owned; both must outlive the Env and every file it opened.
  FaultInjectionEnv(Env* base, PowerCutModel* model) : base_(base), model_(model) {}

  // The Env a program should use: a FaultInjectionEnv over Env::Default() when the power-cut
  // hook is armed (PowerCutModel::FromEnvironment), otherwise Env::Default().
  static Env* FromEnvironment();

  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    return base_->OpenForRead(path);
  }
  Result<FileIdentity> Stat(const std::string& path) override { return base_->Stat(path); }
  Result<uint64_t> AvailableBytes(const std::string& path) override {
    return base_->AvailableBytes(path);
  }

  Result<std::unique_ptr<WritableFile>> CreateWritable(const std::string& path, uint32_t mode,
                                                       CreateMode how) override;
  Result<std::unique_ptr<RandomRWFile>> OpenReadWrite(const std::string& path) override;
  Result<std::unique_ptr<RandomRWFile>> OpenUncached(const std::string& path) override;
  Status CreateDir(const std::string& path, uint32_t mode) override;
  Status SyncDir(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to, bool replace) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveTree(const std::string& path) override;

  PowerCutModel& model() { return *model_; }

 private:
  // Parks an existing `path` in the graveyard; "" if nothing was there.
  Result<std::string> Park(const std::string& path);
  // Wraps a freshly opened file so the model sees its writes. Called with the model locked.
  Result<std::unique_ptr<RandomRWFile>> TrackRW(Result<std::unique_ptr<RandomRWFile>> file,
                                                const std::string& path);

  Env* base_;
  PowerCutModel* model_;
};

}  // namespace seqgate
