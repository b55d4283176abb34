#include "common/direct_rw_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace seqgate {
namespace {

constexpr size_t kBufferSize = 1u << 20;
// The buffer's alignment, and the most a filesystem may ask of offsets and memory.
constexpr size_t kMaxAlign = 4096;

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<uint8_t, FreeDeleter>;

class DirectRWFile final : public RandomRWFile {
 public:
  DirectRWFile(std::string path, int fd, size_t align)
      : path_(std::move(path)), fd_(fd), align_(align) {}

  ~DirectRWFile() override {
    (void)Flush();  // best effort: what was written reaches the file, as with ordinary writes
    CloseDirect();
    ::close(fd_);
  }

  Status WriteAt(uint64_t offset, ByteView data) override {
    if (data.empty()) return Status::Ok();
    if (!buf_ || offset != start_ + len_) {
      SEQGATE_RETURN_IF_ERROR(Flush());
      SEQGATE_RETURN_IF_ERROR(Seed(offset));
    }
    size_t done = 0;
    while (done < data.size()) {
      const size_t take = std::min(data.size() - done, kBufferSize - len_);
      std::memcpy(buf_.get() + len_, data.data() + done, take);
      len_ += take;
      done += take;
      size_ = std::max(size_, start_ + len_);
      if (len_ == kBufferSize) {
        SEQGATE_RETURN_IF_ERROR(WriteOut(kBufferSize));
        start_ += kBufferSize;
        len_ = clean_ = 0;
      }
    }
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    if (buf_ && size < start_ + len_) {  // gathered bytes past the cut never go out
      len_ = static_cast<size_t>(size > start_ ? size - start_ : 0);
      clean_ = std::min(clean_, len_);
    }
    SEQGATE_RETURN_IF_ERROR(Flush());
    Forget();  // the next write reads its block's head back from the file
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return ErrnoStatus(errno, "truncate", path_);
    return Status::Ok();
  }

  Status Sync() override {
    SEQGATE_RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) return ErrnoStatus(errno, "fdatasync", path_);
    // Between bodies an upload keeps only its partial last block, not the whole buffer, and
    // one descriptor: a centre may hold tens of thousands of incomplete uploads open.
    if (buf_) {
      tail_.assign(buf_.get(), buf_.get() + len_);
      buf_.reset();
    }
    CloseDirect();
    return Status::Ok();
  }

  int fd() const override { return fd_; }
  const std::string& path() const override { return path_; }

 private:
  uint64_t AlignDown(uint64_t v) const { return v / align_ * align_; }

  // Starts gathering at `offset`: the buffer begins at the aligned offset below it, holding the
  // bytes already there (kept from the last Sync, or read back from the file).
  Status Seed(uint64_t offset) {
    if (!buf_) {
      void* p = std::aligned_alloc(kMaxAlign, kBufferSize);
      if (p == nullptr) return Status(StatusCode::kResourceExhausted, "out of memory");
      buf_.reset(static_cast<uint8_t*>(p));
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return ErrnoStatus(errno, "fstat", path_);
    size_ = static_cast<uint64_t>(st.st_size);
    const uint64_t start = AlignDown(offset);
    const size_t head = static_cast<size_t>(offset - start);
    if (head > 0 && start == start_ && tail_.size() == head) {
      std::memcpy(buf_.get(), tail_.data(), head);
    } else if (head > 0) {
      SEQGATE_RETURN_IF_ERROR(ReadBack(start, buf_.get(), head));
    }
    start_ = start;
    len_ = clean_ = head;
    tail_.clear();
    return Status::Ok();
  }

  // Reads [at, at + n) of the file into `out`; past its end (a hole to be) reads as zeros.
  Status ReadBack(uint64_t at, uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, out + got, n - got, static_cast<off_t>(at + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoStatus(errno, "read", path_);
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    std::memset(out + got, 0, n - got);
    return Status::Ok();
  }

  // Writes out the gathered bytes not yet in the file. The last block is padded to the
  // alignment with what the file holds there (zeros past its end), and the file is cut back to
  // its true size; the partial block stays gathered so the next write completes it.
  Status Flush() {
    if (!buf_ || len_ == clean_) return Status::Ok();
    const size_t out = static_cast<size_t>((len_ + align_ - 1) / align_ * align_);
    if (out > len_) SEQGATE_RETURN_IF_ERROR(ReadBack(start_ + len_, buf_.get() + len_, out - len_));
    SEQGATE_RETURN_IF_ERROR(WriteOut(out));
    if (start_ + out > size_ && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      const Status st = ErrnoStatus(errno, "truncate", path_);
      Forget();
      return st;
    }
    const size_t full = static_cast<size_t>(AlignDown(len_));
    std::memmove(buf_.get(), buf_.get() + full, len_ - full);
    start_ += full;
    len_ -= full;
    clean_ = len_;
    return Status::Ok();
  }

  // The O_DIRECT descriptor, opened for a body's writes and closed at its Sync. Re-opened
  // through /proc/self/fd, which names this very file even after a rename; where that fails
  // (no /proc) the ordinary descriptor writes, through the page cache.
  int DirectFd() {
    if (dfd_ >= 0) return dfd_;
    if (direct_failed_) return fd_;
    const std::string self = "/proc/self/fd/" + std::to_string(fd_);
    const int d = ::open(self.c_str(), O_RDWR | O_CLOEXEC | O_DIRECT);
    struct stat a {}, b {};
    if (d >= 0 && ::fstat(fd_, &a) == 0 && ::fstat(d, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino) {
      dfd_ = d;
      return dfd_;
    }
    if (d >= 0) ::close(d);
    direct_failed_ = true;
    return fd_;
  }
  void CloseDirect() {
    if (dfd_ >= 0) ::close(dfd_);
    dfd_ = -1;
  }

  Status WriteOut(size_t n) {
    const int out = DirectFd();
    size_t done = 0;
    while (done < n) {
      const ssize_t w =
          ::pwrite(out, buf_.get() + done, n - done, static_cast<off_t>(start_ + done));
      if (w < 0 && errno == EINTR) continue;
      Status st;
      if (w < 0) {
        st = ErrnoStatus(errno, "write", path_);
      } else if (w == 0 || static_cast<size_t>(w) % align_ != 0) {
        st = IoError("short direct write to '" + path_ + "'");
      }
      if (!st.ok()) {
        Forget();  // what the file holds is unknown now: read it back before writing again
        return st;
      }
      done += static_cast<size_t>(w);
    }
    return Status::Ok();
  }

  // Drops everything gathered; the next write starts from what the file holds.
  void Forget() {
    buf_.reset();
    len_ = clean_ = 0;
    tail_.clear();
  }

  std::string path_;
  int fd_;        // ordinary: reads, truncation, fdatasync
  int dfd_ = -1;  // O_DIRECT: writes, while a body is being written (DirectFd)
  bool direct_failed_ = false;
  size_t align_;
  AlignedBuffer buf_;     // gathered bytes for [start_, start_ + len_); null between bodies
  uint64_t start_ = 0;    // aligned file offset of buf_[0]
  size_t len_ = 0;        // bytes gathered
  size_t clean_ = 0;      // leading gathered bytes the file already holds
  uint64_t size_ = 0;     // the file's true size, padding aside
  // The partial block kept over a Sync: [start_, start_ + tail_.size()) as the file holds it.
  std::vector<uint8_t> tail_;
};

}  // namespace

Result<std::unique_ptr<RandomRWFile>> OpenDirectRW(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  size_t align = kMaxAlign;
#ifdef STATX_DIOALIGN
  struct statx sx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 &&
      (sx.stx_mask & STATX_DIOALIGN) != 0) {
    if (sx.stx_dio_offset_align == 0) {
      ::close(fd);
      return Unsupported("'" + path + "': the filesystem has no direct I/O");
    }
    align = std::max<size_t>(sx.stx_dio_offset_align, sx.stx_dio_mem_align);
  }
#endif
  if (align > kMaxAlign || kMaxAlign % align != 0) {
    ::close(fd);
    return Unsupported("'" + path + "': direct I/O alignment " + std::to_string(align));
  }
  const int dfd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_DIRECT);
  if (dfd < 0) {
    const int err = errno;
    ::close(fd);
    if (err == EINVAL) return Unsupported("'" + path + "': the filesystem has no direct I/O");
    return ErrnoStatus(err, "open", path);
  }
  // Both descriptors must name one file: the path may have been replaced in between. The
  // direct one only showed that the filesystem takes O_DIRECT; writes open their own.
  struct stat a {}, b {};
  const bool same = ::fstat(fd, &a) == 0 && ::fstat(dfd, &b) == 0 && a.st_dev == b.st_dev &&
                    a.st_ino == b.st_ino && S_ISREG(a.st_mode);
  ::close(dfd);
  if (!same) {
    ::close(fd);
    return IoError("'" + path + "' changed while being opened");
  }
  return std::unique_ptr<RandomRWFile>(new DirectRWFile(path, fd, align));
}

}  // namespace seqgate
