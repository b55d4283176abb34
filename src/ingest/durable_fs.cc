#include "ingest/durable_fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
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

Status FsyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open directory", dir);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync directory", dir);
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  SEQGATE_ASSIGN_OR_RETURN(std::string suffix, RandomHex(6));
  std::string tmp = path + ".tmp-" + suffix;
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (fd.get() < 0) return ErrnoStatus(errno, "create", tmp);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = ErrnoStatus(errno, "write", tmp);
      ::unlink(tmp.c_str());
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    Status st = ErrnoStatus(errno, "fsync", tmp);
    ::unlink(tmp.c_str());
    return st;
  }
  ::close(fd.release());
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = ErrnoStatus(errno, "rename to", path);
    ::unlink(tmp.c_str());
    return st;
  }
  return FsyncDir(ParentDir(path));
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

Status MakeDirs(const std::string& dir) {
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
    if (::mkdir(it->c_str(), 0750) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir", *it);
    }
    SEQGATE_RETURN_IF_ERROR(FsyncDir(ParentDir(*it)));
  }
  return Status::Ok();
}

Status RenameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) return InvalidArgument("'" + to + "' exists");
    return ErrnoStatus(errno, "rename '" + from + "' to", to);
  }
  SEQGATE_RETURN_IF_ERROR(FsyncDir(ParentDir(to)));
  if (ParentDir(from) != ParentDir(to)) SEQGATE_RETURN_IF_ERROR(FsyncDir(ParentDir(from)));
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return IoError("remove '" + path + "': " + ec.message());
  return FsyncDir(ParentDir(path));
}

Result<uint64_t> AvailableBytes(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0) return ErrnoStatus(errno, "statvfs", path);
  return static_cast<uint64_t>(vfs.f_bavail) * static_cast<uint64_t>(vfs.f_frsize);
}

Result<std::string> RandomHex(size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    return Internal("the OS random generator failed");
  }
  return ToHex(ByteView(buf.data(), buf.size()));
}

}  // namespace seqgate::ingest
