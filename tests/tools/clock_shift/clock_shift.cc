// clock_shift: an LD_PRELOAD library that offsets a process's wall clock by the contents of a file,
// the test suite's stand-in for an operator or NTP stepping the clock under a running program.
//
//   SEQGATE_CLOCK_SHIFT_FILE=/path/offset LD_PRELOAD=.../libclock_shift.so program ...
//
// The file holds one signed offset: "+0", "+20h", "-20h", "-1d", "-90s", "3600" (seconds when no
// unit is given). It is re-read at most every 200 ms, so a test that rewrites it (atomically, by
// rename) sees every clock in the process step within that time. Monotonic clocks stay real, as a
// real clock step leaves them; so do file times (stat), which a clock step does not rewrite.
//
// Why not libfaketime: it initialises itself lazily on the first clock call and that is not
// thread-safe — a second thread's call during initialisation prints "Unexpected recursive calls
// to clock_gettime()" and can hang the program before main (CI saw it twice in a row). This
// library has no initialisation at all: real time comes from the clock_gettime system call (never
// dlsym, which could itself need the clock), and the offset lives in two atomics.
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kRereadNs = 200'000'000;
constexpr std::int64_t kMaxShiftSeconds = 10LL * 366 * 86400;  // beyond that: a typo, not a clock step

std::atomic<std::int64_t> g_offset_ns{0};
std::atomic<std::int64_t> g_next_read_ns{0};  // monotonic time of the next file read; 0 = never read

int RealClock(clockid_t id, timespec* ts) noexcept {
  return static_cast<int>(syscall(SYS_clock_gettime, id, ts));
}

std::int64_t MonotonicNs() noexcept {
  timespec ts{};
  if (RealClock(CLOCK_MONOTONIC, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

// Parses "[+-]digits[smhd]" (surrounding whitespace allowed) into *out_ns; false for anything else,
// including an empty file seen between a writer's truncate and write.
bool ParseOffset(const char* p, const char* end, std::int64_t* out_ns) noexcept {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
  while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')) --end;
  bool negative = false;
  if (p < end && (*p == '+' || *p == '-')) negative = *p++ == '-';
  if (p == end || *p < '0' || *p > '9') return false;
  std::int64_t value = 0;
  while (p < end && *p >= '0' && *p <= '9') {
    if (value > kMaxShiftSeconds) return false;
    value = value * 10 + (*p++ - '0');
  }
  std::int64_t unit = 1;
  if (p < end) {
    switch (*p++) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return false;
    }
  }
  if (p != end || value * unit > kMaxShiftSeconds) return false;
  *out_ns = (negative ? -value : value) * unit * kNsPerSecond;
  return true;
}

// The current offset: the file's, re-read when the last read is older than kRereadNs. Threads
// racing past the deadline each read the file; they store the same value, so no lock is needed.
// A missing, unreadable or unparsable file keeps the last good offset (0 before the first).
std::int64_t OffsetNs() noexcept {
  const std::int64_t now = MonotonicNs();
  if (now < g_next_read_ns.load(std::memory_order_relaxed)) return g_offset_ns.load(std::memory_order_relaxed);
  g_next_read_ns.store(now + kRereadNs, std::memory_order_relaxed);
  const int saved_errno = errno;  // callers of time() do not expect errno to move
  if (const char* path = std::getenv("SEQGATE_CLOCK_SHIFT_FILE"); path != nullptr && *path != '\0') {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char buf[64];
      const ssize_t n = read(fd, buf, sizeof buf);
      close(fd);
      std::int64_t parsed = 0;
      if (n > 0 && ParseOffset(buf, buf + n, &parsed)) g_offset_ns.store(parsed, std::memory_order_relaxed);
    }
  }
  errno = saved_errno;
  return g_offset_ns.load(std::memory_order_relaxed);
}

bool IsWallClock(clockid_t id) noexcept {
  return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
}

void Shift(timespec* ts, std::int64_t offset_ns) noexcept {
  std::int64_t ns = static_cast<std::int64_t>(ts->tv_sec) * kNsPerSecond + ts->tv_nsec + offset_ns;
  ts->tv_sec = static_cast<time_t>(ns / kNsPerSecond);
  ts->tv_nsec = static_cast<long>(ns % kNsPerSecond);
  if (ts->tv_nsec < 0) {
    ts->tv_nsec += kNsPerSecond;
    ts->tv_sec -= 1;
  }
}

}  // namespace

// glibc's own time(), gettimeofday() and timespec_get() call its internal clock, not this one, so
// each is replaced as well (OpenSSL checks certificates against time(); std::chrono's
// system_clock uses clock_gettime).
extern "C" {

int clock_gettime(clockid_t id, timespec* ts) noexcept {
  const int rc = RealClock(id, ts);
  if (rc == 0 && IsWallClock(id)) Shift(ts, OffsetNs());
  return rc;
}

int gettimeofday(timeval* tv, void* /*tz: obsolete, always null in practice*/) noexcept {
  if (tv == nullptr) return 0;
  timespec ts{};
  const int rc = clock_gettime(CLOCK_REALTIME, &ts);
  if (rc == 0) {
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  return rc;
}

time_t time(time_t* out) noexcept {
  timespec ts{};
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return static_cast<time_t>(-1);
  if (out != nullptr) *out = ts.tv_sec;
  return ts.tv_sec;
}

int timespec_get(timespec* ts, int base) noexcept {
  if (base != TIME_UTC || clock_gettime(CLOCK_REALTIME, ts) != 0) return 0;
  return base;
}

}  // extern "C"
