#include "watch/inotify_hint.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace seqgate::bridge {
namespace {

// Not IN_MODIFY: a file being written would flood the queue, and the settle window needs a
// later scan anyway. Close-after-write, creation, moves, deletion and attribute changes
// (touch, chmod) are the moments worth a pass.
constexpr uint32_t kMask = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE |
                           IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;

}  // namespace

Result<std::unique_ptr<InotifyHint>> InotifyHint::Create(const std::string& root,
                                                         size_t max_watches) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "inotify_init1", root);
  std::unique_ptr<InotifyHint> h(new InotifyHint(root, fd, max_watches));
  std::string problem;
  h->AddTree(root, &problem);
  if (h->by_wd_.empty()) return NotFound("cannot watch '" + root + "': " + problem);
  h->pending_problem_ = std::move(problem);  // handed out by the first Wait
  return h;
}

InotifyHint::~InotifyHint() { ::close(fd_); }

void InotifyHint::AddTree(const std::string& dir, std::string* problem) {
  auto add = [&](const std::string& d) {
    if (watched_.count(d) != 0) return true;
    if (by_wd_.size() >= max_watches_) {
      if (!limit_reported_) {
        *problem = "inotify watch limit (" + std::to_string(max_watches_) +
                   ") reached; directories beyond it are seen by periodic scans only";
        limit_reported_ = true;
      }
      return false;
    }
    const int wd = ::inotify_add_watch(fd_, d.c_str(), kMask);
    if (wd < 0) {
      if (errno == ENOSPC && !limit_reported_) {
        *problem =
            "kernel inotify watch limit reached (fs.inotify.max_user_watches); "
            "directories beyond it are seen by periodic scans only";
        limit_reported_ = true;
      } else if (errno != ENOENT && errno != ENOTDIR && problem->empty()) {
        *problem = "inotify_add_watch '" + d + "': " + std::strerror(errno);
      }
      return false;
    }
    by_wd_[wd] = d;
    watched_.insert(d);
    return true;
  };
  if (!add(dir)) return;
  std::error_code ec;
  // The default options never follow directory symlinks.
  std::filesystem::recursive_directory_iterator it(
      dir, std::filesystem::directory_options::skip_permission_denied, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      if (!add(it->path().string())) it.disable_recursion_pending();
    }
  }
}

Result<Hint> InotifyHint::Wait(int timeout_ms) {
  Hint hint;
  hint.problem = std::move(pending_problem_);
  pending_problem_.clear();
  struct pollfd p {
    fd_, POLLIN, 0
  };
  const int r = ::poll(&p, 1, timeout_ms);
  if (r < 0 && errno != EINTR) return ErrnoStatus(errno, "poll inotify", root_);
  alignas(struct inotify_event) char buf[64 * 1024];
  std::vector<std::string> new_dirs;
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return ErrnoStatus(errno, "read inotify", root_);
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      struct inotify_event ev;
      std::memcpy(&ev, buf + off, sizeof ev);
      const char* name = buf + off + static_cast<ssize_t>(sizeof ev);
      off += static_cast<ssize_t>(sizeof ev + ev.len);
      hint.changed = true;
      if (ev.mask & IN_Q_OVERFLOW) {
        hint.overflow = true;
        continue;
      }
      auto it = by_wd_.find(ev.wd);
      if (it == by_wd_.end()) continue;
      if (ev.mask & IN_IGNORED) {  // the directory is gone (or unmounted)
        watched_.erase(it->second);
        hint.paths.insert(it->second);
        by_wd_.erase(it);
        continue;
      }
      hint.paths.insert(ev.len > 0 ? it->second + "/" + std::string(name) : it->second);
      if ((ev.mask & IN_ISDIR) && (ev.mask & (IN_CREATE | IN_MOVED_TO)) && ev.len > 0) {
        new_dirs.push_back(it->second + "/" + std::string(name));
      }
    }
  }
  for (const std::string& d : new_dirs) AddTree(d, &hint.problem);
  // Events were lost: directories created meanwhile may be unwatched, so walk everything.
  if (hint.overflow) AddTree(root_, &hint.problem);
  return hint;
}

}  // namespace seqgate::bridge
