// inotify as a hint that a reconciliation pass is worth running now.
//
// Never the source of truth: NFS/SMB shares deliver no events for remote writers, queues
// overflow and watch limits run out. So a hint only says "something changed under these
// directories" (or "anything may have changed": overflow), and the caller still reconciles by
// scanning; periodic passes continue regardless.
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "common/status.h"

namespace seqgate::bridge {

struct Hint {
  bool changed = false;         // at least one event arrived
  bool overflow = false;        // the kernel dropped events: do a full pass
  std::set<std::string> paths;  // absolute paths that changed (an entry, or a watched dir)
  std::string problem;          // e.g. watch limit reached; empty when none
};

class InotifyHint {
 public:
  // Starts watching every directory under `root` (symlinks never followed). `max_watches`
  // caps how many this instance adds (the kernel's fs.inotify.max_user_watches also applies);
  // hitting either is reported in the Hint's `problem`, never fatal.
  [[nodiscard]] static Result<std::unique_ptr<InotifyHint>> Create(const std::string& root,
                                                                   size_t max_watches = 65536);
  ~InotifyHint();
  InotifyHint(const InotifyHint&) = delete;
  InotifyHint& operator=(const InotifyHint&) = delete;

  // Waits up to `timeout_ms` for events (0 = just drain) and returns what they say. New
  // directories are watched as they appear; after an overflow every directory is re-added.
  [[nodiscard]] Result<Hint> Wait(int timeout_ms);

  size_t watch_count() const { return by_wd_.size(); }
  int fd() const { return fd_; }

 private:
  InotifyHint(std::string root, int fd, size_t max_watches)
      : root_(std::move(root)), fd_(fd), max_watches_(max_watches) {}
  // Adds watches for `dir` and every directory below it; records limit problems in `problem`.
  void AddTree(const std::string& dir, std::string* problem);

  std::string root_;
  int fd_;
  size_t max_watches_;
  bool limit_reported_ = false;
  std::string pending_problem_;  // found while creating, reported by the next Wait
  std::unordered_map<int, std::string> by_wd_;
  std::set<std::string> watched_;
};

}  // namespace seqgate::bridge
