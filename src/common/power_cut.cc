#include "common/power_cut.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/log.h"

namespace seqgate {
namespace {

const char* OpName(DurabilityOp op) {
  switch (op) {
    case DurabilityOp::kWrite:
      return "write";
    case DurabilityOp::kTruncate:
      return "truncate";
    case DurabilityOp::kSync:
      return "fsync";
    case DurabilityOp::kCreate:
      return "create";
    case DurabilityOp::kMkdir:
      return "mkdir";
    case DurabilityOp::kRename:
      return "rename";
    case DurabilityOp::kRemove:
      return "remove";
    case DurabilityOp::kSyncDir:
      return "fsync-dir";
  }
  return "?";
}

std::string Normal(const std::string& path) {
  std::error_code ec;
  std::string p = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) p = std::filesystem::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// The revert must not give up half way: report and go on with the rest.
void Complain(const char* what, const std::string& path) {
  std::fprintf(stderr, "power cut: cannot %s '%s': %s\n", what, path.c_str(), std::strerror(errno));
}

}  // namespace

std::string PowerCutParentDir(const std::string& path) {
  std::string p = Normal(path);
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

PowerCutModel::PowerCutModel(std::string graveyard, uint64_t cut_after)
    : graveyard_(std::move(graveyard)), cut_after_(cut_after) {}

PowerCutModel::~PowerCutModel() {
  for (auto& [handle, f] : files_) ::close(f.fd);
  if (trace_fd_ >= 0) ::close(trace_fd_);
}

void PowerCutModel::TraceTo(const std::string& path) {
  trace_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (trace_fd_ < 0) Complain("open", path);
}

PowerCutModel* PowerCutModel::FromEnvironment() {
  static PowerCutModel* const armed = []() -> PowerCutModel* {
    const char* after = std::getenv("SEQGATE_POWER_CUT_AFTER");
    if (after == nullptr || *after == '\0') return nullptr;
    const char* dir = std::getenv("SEQGATE_POWER_CUT_DIR");
    char* end = nullptr;
    const unsigned long long n = std::strtoull(after, &end, 10);
    struct stat st {};
    if (*end != '\0' || n == 0 || dir == nullptr || ::stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
      std::fprintf(stderr,
                   "SEQGATE_POWER_CUT_AFTER needs a positive count and SEQGATE_POWER_CUT_DIR an "
                   "existing folder (a test hook)\n");
      std::exit(2);
    }
    Log(LogLevel::kWarning, "power_cut.armed",
        {{"after_ops", std::to_string(n)},
         {"dir", dir},
         {"note", "TEST HOOK: this process will drop unsynced writes and kill itself"}});
    auto* model = new PowerCutModel(dir, n);  // lives until the process dies
    model->TraceTo(std::string(dir) + "/trace");
    return model;
  }();
  return armed;
}

PowerCutModel::FileState* PowerCutModel::State(int handle) {
  auto it = files_.find(handle);
  return it == files_.end() ? nullptr : &it->second;
}

int PowerCutModel::Track(int fd, const std::string& path) {
  struct stat st {};
  if ((fd >= 0 ? ::fstat(fd, &st) : ::stat(path.c_str(), &st)) != 0) {
    Complain("stat", path);
    return -1;
  }
  const auto key =
      std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  if (auto it = by_inode_.find(key); it != by_inode_.end()) {
    // Known already. (Opening and closing another descriptor here would drop the process's
    // POSIX locks on the file, which SQLite relies on.)
    files_[it->second].users++;
    return it->second;
  }
  // Our own read-write descriptor of the same inode: the caller's may be write-only, and ours
  // stays valid across renames and after the caller closes.
  std::string target = fd >= 0 ? "/proc/self/fd/" + std::to_string(fd) : path;
  const int own = ::open(target.c_str(), O_RDWR | O_CLOEXEC);
  if (own < 0) {
    Complain("track", path);
    return -1;
  }
  const int handle = next_handle_++;
  FileState& f = files_[handle];
  f.fd = own;
  f.path = path;
  f.synced_size = static_cast<uint64_t>(st.st_size);
  f.users = 1;
  by_inode_[key] = handle;
  return handle;
}

void PowerCutModel::Untrack(int handle) {
  FileState* f = State(handle);
  if (f == nullptr || --f->users > 0) return;
  struct stat st {};
  const bool pending = !f->undo.empty() || ::fstat(f->fd, &st) != 0 ||
                       static_cast<uint64_t>(st.st_size) != f->synced_size;
  if (pending) return;  // a power cut still has to revert it
  for (auto it = by_inode_.begin(); it != by_inode_.end(); ++it) {
    if (it->second == handle) {
      by_inode_.erase(it);
      break;
    }
  }
  ::close(f->fd);
  files_.erase(handle);
}

void PowerCutModel::SaveOld(FileState& f, uint64_t offset, uint64_t len) {
  if (offset >= f.synced_size || len == 0) return;  // only durable bytes need saving
  const uint64_t end = std::min(offset + len, f.synced_size);
  Undo u{offset, std::string(end - offset, '\0')};
  const ssize_t n = ::pread(f.fd, u.bytes.data(), u.bytes.size(), static_cast<off_t>(offset));
  if (n < 0) {
    Complain("save old bytes of", f.path);
    return;
  }
  // Bytes past the current end were cut by an earlier truncation, whose undo restores them.
  u.bytes.resize(static_cast<size_t>(n));
  if (!u.bytes.empty()) f.undo.push_back(std::move(u));
}

void PowerCutModel::BeforeWrite(int handle, uint64_t offset, uint64_t len) {
  if (FileState* f = State(handle)) SaveOld(*f, offset, len);
}

void PowerCutModel::BeforeTruncate(int handle, uint64_t size) {
  if (FileState* f = State(handle))
    SaveOld(*f, size, f->synced_size > size ? f->synced_size - size : 0);
}

void PowerCutModel::AfterSync(int handle) {
  FileState* f = State(handle);
  if (f == nullptr) return;
  struct stat st {};
  if (::fstat(f->fd, &st) != 0) return;
  f->synced_size = static_cast<uint64_t>(st.st_size);
  f->undo.clear();
}

void PowerCutModel::Created(const std::string& path) {
  entries_.push_back({EntryChange::kCreated, Normal(path), "", "", {PowerCutParentDir(path)}});
}

void PowerCutModel::Renamed(const std::string& from, const std::string& to,
                            const std::string& replaced_grave) {
  entries_.push_back({EntryChange::kRenamed,
                      Normal(from),
                      Normal(to),
                      replaced_grave,
                      {PowerCutParentDir(from), PowerCutParentDir(to)}});
}

void PowerCutModel::Removed(const std::string& path, const std::string& grave) {
  entries_.push_back({EntryChange::kRemoved, Normal(path), "", grave, {PowerCutParentDir(path)}});
}

void PowerCutModel::DirSynced(const std::string& dir) {
  const std::string d = Normal(dir);
  std::erase_if(entries_, [&d](EntryChange& e) {
    e.unsynced.erase(d);
    return e.unsynced.empty();
  });
}

std::string PowerCutModel::GravePath() {
  return graveyard_ + "/grave-" + std::to_string(::getpid()) + "-" + std::to_string(++graves_);
}

void PowerCutModel::Tick(DurabilityOp op, const std::string& path) {
  ++ops_;
  if (trace_fd_ >= 0) {
    const std::string line = std::to_string(ops_) + " " + OpName(op) + " " + path + "\n";
    (void)!::write(trace_fd_, line.data(), line.size());
  }
  if (ops_ == cut_after_) CutAndKill(op, path);
}

void PowerCutModel::PowerCut() {
  // Content first (by descriptor, so names do not matter), then names, newest change first.
  for (auto& [handle, f] : files_) {
    for (auto it = f.undo.rbegin(); it != f.undo.rend(); ++it) {
      if (::pwrite(f.fd, it->bytes.data(), it->bytes.size(), static_cast<off_t>(it->offset)) < 0) {
        Complain("restore", f.path);
      }
    }
    if (::ftruncate(f.fd, static_cast<off_t>(f.synced_size)) != 0) Complain("truncate", f.path);
    f.undo.clear();
  }
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    std::error_code ec;
    switch (it->kind) {
      case EntryChange::kCreated:
        std::filesystem::remove_all(it->a, ec);
        if (ec) Complain("undo the creation of", it->a);
        break;
      case EntryChange::kRenamed:
        if (::rename(it->b.c_str(), it->a.c_str()) != 0) Complain("undo the rename to", it->b);
        if (!it->grave.empty() && ::rename(it->grave.c_str(), it->b.c_str()) != 0) {
          Complain("bring back", it->b);
        }
        break;
      case EntryChange::kRemoved:
        if (::rename(it->grave.c_str(), it->a.c_str()) != 0) Complain("bring back", it->a);
        break;
    }
  }
  entries_.clear();
}

void PowerCutModel::CutAndKill(DurabilityOp op, const std::string& path) {
  PowerCut();
  const std::string note =
      "power cut after operation " + std::to_string(ops_) + " (" + OpName(op) + " " + path + ")\n";
  std::fputs(note.c_str(), stderr);
  const std::string cut = graveyard_ + "/cut";
  const int fd = ::open(cut.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    (void)!::write(fd, note.data(), note.size());
    ::close(fd);
  }
  // No destructor, no atexit handler, no buffered log may write anything after the cut.
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);
}

}  // namespace seqgate
