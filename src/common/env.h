// Env: the seam between seqgate and the operating system's filesystem.
//
// Everything that reads instrument files or writes state goes through an Env, so tests can
// substitute one that fails, lies about sizes or drops unsynced writes (LevelDB's Env and
// ninja's DiskInterface are the models). Env::Default() is the real POSIX implementation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/bytes.h"
#include "common/status.h"

namespace seqgate {

enum class FileType { kRegular, kDirectory, kSymlink, kFifo, kSocket, kDevice, kOther };
std::string_view FileTypeName(FileType t);
// The type encoded in a stat(2) st_mode.
FileType FileTypeFromMode(uint32_t st_mode);

// What identifies a version of a file: if any field changes, the content may have changed.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  FileType type = FileType::kOther;

  bool operator==(const FileIdentity&) const = default;
  // Human description of how `now` differs from `*this` ("size 10 → 12, mtime …"); empty if equal.
  std::string DescribeChange(const FileIdentity& now) const;
};

// A file opened for positional reads. Safe to call ReadAt from several threads at once.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to buf.size() bytes at `offset`; returns how many were read. Fewer than requested
  // means end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, MutableByteView buf) const = 0;
  // The identity of the open file (fstat): cannot be fooled by a rename of the path.
  virtual Result<FileIdentity> Stat() const = 0;
  virtual const std::string& path() const = 0;
};

// A file being written sequentially. Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(ByteView data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  virtual const std::string& path() const = 0;
};

// A file opened for positional writes (the ingest's upload data). Not thread-safe.
class RandomRWFile {
 public:
  virtual ~RandomRWFile() = default;
  // Writes all of `data` at `offset`, extending the file if needed.
  virtual Status WriteAt(uint64_t offset, ByteView data) = 0;
  // Cuts (or extends with zeros) the file to `size` bytes.
  virtual Status Truncate(uint64_t size) = 0;
  // Makes every write and truncation so far durable (fdatasync).
  virtual Status Sync() = 0;
  // The descriptor, for reads and writeback hints only: writes must go through WriteAt so a
  // fault-injecting Env sees them.
  virtual int fd() const = 0;
  virtual const std::string& path() const = 0;
};

// How CreateWritable treats an existing file.
enum class CreateMode { kTruncate, kExclusive };

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Never deleted.
  static Env* Default();

  // Opens a regular file for reading. Directories, FIFOs, sockets and devices are refused
  // with kInvalidArgument naming the type; opening never blocks (a FIFO without writer).
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) = 0;

  // Creates (or truncates) a file for writing with the given permission bits.
  // With kExclusive an existing `path` is refused (kInvalidArgument "exists").
  virtual Result<std::unique_ptr<WritableFile>> CreateWritable(
      const std::string& path, uint32_t mode = 0644, CreateMode how = CreateMode::kTruncate) = 0;

  // Opens an existing regular file for positional reads and writes (symlinks refused).
  virtual Result<std::unique_ptr<RandomRWFile>> OpenReadWrite(const std::string& path) = 0;

  // As OpenReadWrite, for data written once, in order, and not read back soon (the centre's
  // uploads). Where the filesystem allows, writes bypass the page cache (common/direct_rw_file.h)
  // and reach the file at the latest on Sync or Truncate: reads through fd() see what was
  // written before the last of those. Elsewhere, and by default, it is OpenReadWrite.
  virtual Result<std::unique_ptr<RandomRWFile>> OpenUncached(const std::string& path) {
    return OpenReadWrite(path);
  }

  // The calls below change directories. None is durable until the directory holding the
  // changed entry is fsynced with SyncDir (for a rename: both directories).

  // mkdir; an existing `path` is kInvalidArgument "exists".
  virtual Status CreateDir(const std::string& path, uint32_t mode) = 0;
  // fsyncs a directory so the entries created, renamed or removed in it survive a power cut.
  virtual Status SyncDir(const std::string& path) = 0;
  // rename(2); with `replace` false an existing `to` is refused (kInvalidArgument "exists").
  virtual Status RenameFile(const std::string& from, const std::string& to, bool replace) = 0;
  // unlink(2) of a file (not a directory).
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes a file or a directory tree; a missing `path` is fine.
  virtual Status RemoveTree(const std::string& path) = 0;

  // lstat: symlinks are reported as symlinks, never followed.
  virtual Result<FileIdentity> Stat(const std::string& path) = 0;

  // Bytes an unprivileged writer may still write on the filesystem holding `path` (statvfs:
  // f_bavail × f_frsize). A seam so tests can run a writer out of space without filling a disk.
  virtual Result<uint64_t> AvailableBytes(const std::string& path) = 0;
};

}  // namespace seqgate
