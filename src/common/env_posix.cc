// The real Env: POSIX calls, retried on EINTR, errors mapped to Status with path and operation.
#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/env.h"

#include "common/direct_rw_file.h"

namespace seqgate {
namespace {

FileIdentity IdentityOf(const struct stat& st) {
  FileIdentity id;
  id.device = static_cast<uint64_t>(st.st_dev);
  id.inode = static_cast<uint64_t>(st.st_ino);
  id.size = static_cast<uint64_t>(st.st_size);
  id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  id.type = FileTypeFromMode(st.st_mode);
  return id;
}

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Result<size_t> ReadAt(uint64_t offset, MutableByteView buf) const override {
    size_t done = 0;
    while (done < buf.size()) {
      const ssize_t n =
          ::pread(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "read", path_);
      }
      if (n == 0) break;  // end of file
      done += static_cast<size_t>(n);
    }
    return done;
  }

  Result<FileIdentity> Stat() const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return ErrnoStatus(errno, "fstat", path_);
    return IdentityOf(st);
  }

  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(ByteView data) override {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "write", path_);
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Status Sync() override {
    // No retry on failure: after a failed fsync the page cache may have dropped the data
    // (the PostgreSQL fsync lesson), so the caller must treat the file as lost.
    if (::fdatasync(fd_) != 0) return ErrnoStatus(errno, "fdatasync", path_);
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoStatus(errno, "close", path_);
    return Status::Ok();
  }

  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
};

class PosixRandomRWFile final : public RandomRWFile {
 public:
  PosixRandomRWFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomRWFile() override { ::close(fd_); }

  Status WriteAt(uint64_t offset, ByteView data) override {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n =
          ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "write", path_);
      }
      done += static_cast<size_t>(n);
    }
    // Start writeback now, so a Sync soon after has little left to wait for and the disk
    // works while the caller goes on.
    ::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(data.size()),
                      SYNC_FILE_RANGE_WRITE);
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return ErrnoStatus(errno, "truncate", path_);
    }
    return Status::Ok();
  }

  Status Sync() override {
    // As PosixWritableFile::Sync: a failed fdatasync is final.
    if (::fdatasync(fd_) != 0) return ErrnoStatus(errno, "fdatasync", path_);
    return Status::Ok();
  }

  int fd() const override { return fd_; }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
};

// EEXIST as the contract states it: the caller asked for a name that is taken.
Status ExistsOr(int err, std::string_view operation, const std::string& path) {
  if (err == EEXIST) return InvalidArgument("'" + path + "' exists");
  return ErrnoStatus(err, operation, path);
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    // O_NONBLOCK so that opening a FIFO without a writer does not hang; it is refused below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return ErrnoStatus(errno, "open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "fstat", path);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return InvalidArgument("'" + path + "' is a " +
                             std::string(FileTypeName(FileTypeFromMode(st.st_mode))) +
                             ", not a regular file");
    }
    // Regular files ignore O_NONBLOCK for reads, but clear it so nothing depends on that.
    ::fcntl(fd, F_SETFL, 0);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
  }

  Result<std::unique_ptr<WritableFile>> CreateWritable(const std::string& path, uint32_t mode,
                                                       CreateMode how) override {
    const int flags = how == CreateMode::kExclusive ? O_EXCL : O_TRUNC;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode);
    if (fd < 0) return ExistsOr(errno, "create", path);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  Result<std::unique_ptr<RandomRWFile>> OpenReadWrite(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return ErrnoStatus(errno, "open", path);
    return std::unique_ptr<RandomRWFile>(new PosixRandomRWFile(path, fd));
  }

  Result<std::unique_ptr<RandomRWFile>> OpenUncached(const std::string& path) override {
    auto direct = OpenDirectRW(path);
    if (direct.ok() || direct.status().code() != StatusCode::kUnsupported) return direct;
    return OpenReadWrite(path);
  }

  Status CreateDir(const std::string& path, uint32_t mode) override {
    if (::mkdir(path.c_str(), mode) != 0) return ExistsOr(errno, "mkdir", path);
    return Status::Ok();
  }

  Status SyncDir(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "open directory", path);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus(err, "fsync directory", path);
    return Status::Ok();
  }

  Status RenameFile(const std::string& from, const std::string& to, bool replace) override {
    const int rc =
        replace ? ::rename(from.c_str(), to.c_str())
                : ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
    if (rc != 0) return ExistsOr(errno, "rename '" + from + "' to", to);
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus(errno, "unlink", path);
    return Status::Ok();
  }

  Status RemoveTree(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return IoError("remove '" + path + "': " + ec.message());
    return Status::Ok();
  }

  Result<FileIdentity> Stat(const std::string& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", path);
    return IdentityOf(st);
  }

  Result<uint64_t> AvailableBytes(const std::string& path) override {
    struct statvfs vfs {};
    if (::statvfs(path.c_str(), &vfs) != 0) return ErrnoStatus(errno, "statvfs", path);
    return static_cast<uint64_t>(vfs.f_bavail) * static_cast<uint64_t>(vfs.f_frsize);
  }
};

}  // namespace

FileType FileTypeFromMode(uint32_t m) {
  if (S_ISREG(m)) return FileType::kRegular;
  if (S_ISDIR(m)) return FileType::kDirectory;
  if (S_ISLNK(m)) return FileType::kSymlink;
  if (S_ISFIFO(m)) return FileType::kFifo;
  if (S_ISSOCK(m)) return FileType::kSocket;
  if (S_ISCHR(m) || S_ISBLK(m)) return FileType::kDevice;
  return FileType::kOther;
}

std::string_view FileTypeName(FileType t) {
  switch (t) {
    case FileType::kRegular:
      return "regular file";
    case FileType::kDirectory:
      return "directory";
    case FileType::kSymlink:
      return "symbolic link";
    case FileType::kFifo:
      return "FIFO";
    case FileType::kSocket:
      return "socket";
    case FileType::kDevice:
      return "device";
    case FileType::kOther:
      return "special file";
  }
  return "special file";
}

std::string FileIdentity::DescribeChange(const FileIdentity& now) const {
  std::string d;
  auto add = [&d](const std::string& part) {
    if (!d.empty()) d += ", ";
    d += part;
  };
  if (size != now.size) add("size " + std::to_string(size) + " -> " + std::to_string(now.size));
  if (mtime_ns != now.mtime_ns) add("mtime changed");
  if (inode != now.inode || device != now.device) add("replaced by another file (inode)");
  if (type != now.type) add("type changed");
  return d;
}

Env* Env::Default() {
  static PosixEnv* const env = new PosixEnv();  // never destroyed: used until exit
  return env;
}

}  // namespace seqgate
