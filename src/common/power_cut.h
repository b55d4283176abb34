// PowerCutModel: what a disk would hold after a power cut, for crash-consistency tests.
//
// A TEST HOOK. The fault-injecting seams (FaultInjectionEnv for files, the journal's SQLite VFS
// shim) report every write, truncation, fsync, creation, rename and removal here. The model
// remembers what is not durable yet — per file the size at the last fsync and the old bytes of
// anything overwritten since; per directory the entries changed since its last fsync — and
// PowerCut() puts the disk back to the durable state, as LevelDB's fault_injection_test does.
// A removed or replaced entry is parked in a "graveyard" folder (same filesystem) so that an
// un-fsynced removal can be undone.
//
// Programs arm it only from the environment (FromEnvironment): SEQGATE_POWER_CUT_AFTER=<N> and
// SEQGATE_POWER_CUT_DIR=<graveyard>. At the N-th operation the model performs it, reverts the
// disk, notes the cut in <graveyard>/cut and SIGKILLs the process: what remains on disk is what
// a power cut at that moment would have left. Every operation is listed in <graveyard>/trace
// ("<n> <kind> <path>"), so a test can run once uncut and choose the points worth cutting at.
// Nothing in a config file or on the network can arm it, and an armed process says so loudly at
// start-up.
//
// Simplifications (stricter or equal to ext4/xfs unless noted): all unsynced data is lost,
// never part of it; a directory entry is durable only after an fsync of its directory (of both
// directories for a rename); removing a tree is one step.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace seqgate {

enum class DurabilityOp { kWrite, kTruncate, kSync, kCreate, kMkdir, kRename, kRemove, kSyncDir };

class PowerCutModel {
 public:
  // `graveyard` must exist on the same filesystem as the files tracked. `cut_after` is the
  // operation after which the power fails (0: never; tests then call PowerCut themselves).
  PowerCutModel(std::string graveyard, uint64_t cut_after);
  ~PowerCutModel();
  PowerCutModel(const PowerCutModel&) = delete;
  PowerCutModel& operator=(const PowerCutModel&) = delete;

  // The process-wide model armed by SEQGATE_POWER_CUT_AFTER / SEQGATE_POWER_CUT_DIR, or
  // nullptr when they are not set. Logs a warning when armed; exits on malformed values.
  static PowerCutModel* FromEnvironment();

  // Every call below requires the lock: a seam holds it from recording through performing the
  // operation to Tick(), so no write lands between a revert and the kill.
  std::unique_lock<std::mutex> Lock() { return std::unique_lock<std::mutex>(mu_); }

  // ---- file content (handles name an inode, whatever it is renamed to)
  // Starts tracking the open file `fd` (or, with fd < 0, the file at `path`); its current size
  // counts as durable when the inode is new to the model. Returns a handle, or -1 on failure.
  int Track(int fd, const std::string& path);
  // The seam closed its file; the model forgets it once nothing about it is pending.
  void Untrack(int handle);
  // Before writing [offset, offset+len) / truncating to `size`: saves what they destroy.
  void BeforeWrite(int handle, uint64_t offset, uint64_t len);
  void BeforeTruncate(int handle, uint64_t size);
  // After a successful fsync/fdatasync: the file's content and size are durable.
  void AfterSync(int handle);

  // ---- directory entries (after the operation succeeded)
  void Created(const std::string& path);  // a new file or directory
  // A rename; `replaced_grave` is where the replaced `to` was parked ("" if none).
  void Renamed(const std::string& from, const std::string& to, const std::string& replaced_grave);
  // `path` was moved to `grave` instead of being removed.
  void Removed(const std::string& path, const std::string& grave);
  void DirSynced(const std::string& dir);
  // A fresh name in the graveyard to park a removed or replaced entry under.
  std::string GravePath();

  // Counts one durability operation; at the armed count, cuts the power and SIGKILLs.
  void Tick(DurabilityOp op, const std::string& path);
  // Reverts the disk to its durable state (all pending undo, newest first).
  void PowerCut();

  uint64_t ops() const { return ops_; }
  // Lists every operation counted from now on in `path` (appended; not synced: test output).
  void TraceTo(const std::string& path);

 private:
  struct Undo {
    uint64_t offset;
    std::string bytes;
  };
  struct FileState {
    int fd = -1;  // the model's own read-write descriptor of the inode
    std::string path;
    uint64_t synced_size = 0;
    std::vector<Undo> undo;  // old bytes below synced_size, oldest first
    int users = 0;
  };
  struct EntryChange {
    enum Kind { kCreated, kRenamed, kRemoved } kind;
    std::string a, b, grave;         // created a | renamed a → b | removed a (parked at grave)
    std::set<std::string> unsynced;  // directories whose fsync makes it durable
  };
  FileState* State(int handle);
  void SaveOld(FileState& f, uint64_t offset, uint64_t len);
  void CutAndKill(DurabilityOp op, const std::string& path);

  std::mutex mu_;
  std::string graveyard_;
  uint64_t cut_after_;
  uint64_t ops_ = 0;
  uint64_t graves_ = 0;
  int trace_fd_ = -1;
  int next_handle_ = 0;
  std::map<std::pair<uint64_t, uint64_t>, int> by_inode_;  // (dev, ino) → handle
  std::map<int, FileState> files_;
  std::vector<EntryChange> entries_;
};

// The directory an entry lives in, normalised the way the model compares directories.
std::string PowerCutParentDir(const std::string& path);

}  // namespace seqgate
