// ScanFs on Linux: openat(O_NOFOLLOW), getdents64 into one reusable buffer (no per-entry
// allocation, unlike readdir's DIR streams), fstatat(AT_SYMLINK_NOFOLLOW).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "watch/scan_fs.h"

namespace seqgate::bridge {
namespace {

FileType FromDType(unsigned char t) {
  switch (t) {
    case DT_REG:
      return FileType::kRegular;
    case DT_DIR:
      return FileType::kDirectory;
    case DT_LNK:
      return FileType::kSymlink;
    case DT_FIFO:
      return FileType::kFifo;
    case DT_SOCK:
      return FileType::kSocket;
    case DT_CHR:
    case DT_BLK:
      return FileType::kDevice;
    default:
      return FileType::kOther;
  }
}

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];
};

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;

class PosixScanFs final : public ScanFs {
 public:
  Result<int> OpenDir(const std::string& path) override {
    const int fd = ::open(path.c_str(), kDirFlags);
    if (fd < 0) {
      const int err = errno;
      // With O_DIRECTORY, Linux reports a symlink as ENOTDIR rather than ELOOP.
      struct stat st {};
      if ((err == ELOOP || err == ENOTDIR) && ::lstat(path.c_str(), &st) == 0 &&
          S_ISLNK(st.st_mode)) {
        return InvalidArgument("'" + path + "' is a symlink; not followed");
      }
      return ErrnoStatus(err, "open directory", path);
    }
    return fd;
  }

  Result<int> OpenDirAt(int dir, std::string_view name) override {
    const std::string n(name);
    const int fd = ::openat(dir, n.c_str(), kDirFlags);
    if (fd < 0) return ErrnoStatus(errno, "open directory", n);
    return fd;
  }

  Status ReadDir(int dir, const std::function<void(std::string_view, FileType)>& fn) override {
    thread_local std::vector<char> buf(1 << 16);
    for (;;) {
      const long n = ::syscall(SYS_getdents64, dir, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "read directory", "");
      }
      if (n == 0) return Status::Ok();
      for (long off = 0; off < n;) {
        LinuxDirent64 d;
        std::memcpy(&d, buf.data() + off, offsetof(LinuxDirent64, d_name));
        const char* name = buf.data() + off + offsetof(LinuxDirent64, d_name);
        off += d.d_reclen;
        const std::string_view nv(name);
        if (nv == "." || nv == "..") continue;
        fn(nv, FromDType(d.d_type));
      }
    }
  }

  Result<FileIdentity> StatAt(int dir, std::string_view name) override {
    char path[4096];
    if (name.size() >= sizeof path) return InvalidArgument("name too long");
    std::memcpy(path, name.data(), name.size());
    path[name.size()] = '\0';
    struct stat st {};
    if (::fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, "stat", name);
    }
    FileIdentity id;
    id.device = static_cast<uint64_t>(st.st_dev);
    id.inode = static_cast<uint64_t>(st.st_ino);
    id.size = static_cast<uint64_t>(st.st_size);
    id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    id.type = FileTypeFromMode(st.st_mode);
    return id;
  }

  void Close(int dir) override { ::close(dir); }
};

}  // namespace

ScanFs* ScanFs::Default() {
  static PosixScanFs* fs = new PosixScanFs();
  return fs;
}

}  // namespace seqgate::bridge
