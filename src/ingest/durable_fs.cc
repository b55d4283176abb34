#include "ingest/durable_fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>

#include <openssl/rand.h>

#include "common/bytes.h"

namespace seqgate::ingest {
namespace {

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status FsyncDir(Env& env, const std::string& dir) { return env.SyncDir(dir); }

Status WriteFileAtomic(Env& env, const std::string& path, std::string_view data) {
  SEQGATE_ASSIGN_OR_RETURN(std::string suffix, RandomHex(6));
  std::string tmp = path + ".tmp-" + suffix;
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.CreateWritable(tmp, 0640, CreateMode::kExclusive));
  Status st = file->Append(AsBytes(data));
  if (st.ok()) st = file->Sync();
  if (st.ok()) st = file->Close();
  if (st.ok()) st = env.RenameFile(tmp, path, /*replace=*/true);
  if (!st.ok()) {
    env.RemoveFile(tmp).IgnoreError();
    return st;
  }
  return FsyncDir(env, ParentDir(path));
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return ErrnoStatus(errno, "open", path);
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read", path);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) return InvalidArgument("'" + path + "' is unexpectedly large");
  }
  return out;
}

Status MakeDirs(Env& env, const std::string& dir) {
  std::vector<std::string> missing;
  std::string cur = dir;
  while (!cur.empty() && cur != "/" && cur != ".") {
    struct stat st {};
    if (::lstat(cur.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return InvalidArgument("'" + cur + "' exists and is no directory");
      break;
    }
    if (errno != ENOENT) return ErrnoStatus(errno, "stat", cur);
    missing.push_back(cur);
    cur = ParentDir(cur);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    Status made = env.CreateDir(*it, 0750);
    // Someone else creating it first is fine; the fsync below still makes it durable.
    if (!made.ok() && made.code() != StatusCode::kInvalidArgument) return made;
    SEQGATE_RETURN_IF_ERROR(FsyncDir(env, ParentDir(*it)));
  }
  return Status::Ok();
}

Status RenameNoReplace(Env& env, const std::string& from, const std::string& to) {
  SEQGATE_RETURN_IF_ERROR(env.RenameFile(from, to, /*replace=*/false));
  SEQGATE_RETURN_IF_ERROR(FsyncDir(env, ParentDir(to)));
  if (ParentDir(from) != ParentDir(to)) SEQGATE_RETURN_IF_ERROR(FsyncDir(env, ParentDir(from)));
  return Status::Ok();
}

Status RemoveTree(Env& env, const std::string& path) {
  SEQGATE_RETURN_IF_ERROR(env.RemoveTree(path));
  return FsyncDir(env, ParentDir(path));
}

Result<std::string> RandomHex(size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    return Internal("the OS random generator failed");
  }
  return ToHex(ByteView(buf.data(), buf.size()));
}

}  // namespace seqgate::ingest
