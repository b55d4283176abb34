// Test support for the bridge: build run folders in a temp dir with chosen mtimes, scan them
// with the real scanner, and replay them through a RunTracker at chosen times.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "adapters/adapter.h"
#include "adapters/run_tracker.h"
#include "watch/scanner.h"

namespace seqgate::bridge::testing {

inline int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int64_t kSec = kSecondNs;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;

// A temp directory with helpers to lay out run folders. `now` is fixed at construction;
// mtimes are given as ages relative to it, so tests choose "time" freely.
class Fixture {
 public:
  Fixture() : now(WallNowNs()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "seqgate-bridge-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  std::string Path(const std::string& rel) const { return rel.empty() ? root_ : root_ + "/" + rel; }

  // Writes `content` at `rel` (parents created) with mtime `age_ns` before `now`.
  void Write(const std::string& rel, const std::string& content, int64_t age_ns = kHour) const {
    const std::filesystem::path p = Path(rel);
    std::filesystem::create_directories(p.parent_path());
    {
      std::ofstream f(p, std::ios::binary | std::ios::trunc);
      f.write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    SetAge(rel, age_ns);
    // Creating a file touches its directories; make them look as old as the write.
    for (std::string d = DirOf(rel); !d.empty(); d = DirOf(d)) SetAge(d, age_ns);
  }
  static std::string DirOf(const std::string& rel) {
    const size_t slash = rel.rfind('/');
    return slash == std::string::npos ? std::string() : rel.substr(0, slash);
  }
  void Append(const std::string& rel, const std::string& content, int64_t age_ns) const {
    {
      std::ofstream f(Path(rel), std::ios::binary | std::ios::app);
      f.write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    SetAge(rel, age_ns);
  }
  void SetAge(const std::string& rel, int64_t age_ns) const {
    const int64_t t = now - age_ns;
    struct timespec ts[2];
    ts[0].tv_sec = ts[1].tv_sec = t / kSec;
    ts[0].tv_nsec = ts[1].tv_nsec = t % kSec;
    if (::utimensat(AT_FDCWD, Path(rel).c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) {
      throw std::runtime_error("utimensat " + rel);
    }
  }
  void Mkdir(const std::string& rel) const { std::filesystem::create_directories(Path(rel)); }
  void Remove(const std::string& rel) const { std::filesystem::remove_all(Path(rel)); }

  RunSnapshot Snap(const std::string& run_rel, int64_t at) const {
    auto s = ScanRun(ScanFs::Default(), Path(run_rel), at);
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    return std::move(s).value();
  }

  const int64_t now;

 private:
  std::string root_;
};

// One-shot assessment of a run folder at time `at`.
inline Assessment AssessAt(const Fixture& fx, Family family, const std::string& run_rel, int64_t at,
                           const FamilyConfig& cfg = {}) {
  auto adapter = MakeAdapter(family);
  RunSnapshot snap = fx.Snap(run_rel, at);
  AssessContext ctx;
  ctx.env = Env::Default();
  ctx.now_ns = at;
  ctx.last_activity_ns = snap.NewestMtime(at);
  ctx.config = &cfg;
  return adapter->Assess(snap, ctx);
}

inline const FileVerdict* VerdictFor(const Assessment& a, const std::string& path) {
  for (const FileVerdict& v : a.files) {
    if (v.path == path) return &v;
  }
  return nullptr;
}

// A tracker over one run folder of a fixture, stepping through time.
class TrackerHarness {
 public:
  TrackerHarness(const Fixture& fx, Family family, std::string run_rel, FamilyConfig cfg = {},
                 TrackerOptions opts = {})
      : fx_(fx),
        run_rel_(std::move(run_rel)),
        config_(std::move(cfg)),
        adapter_(MakeAdapter(family)),
        tracker_(adapter_.get(), &config_, opts) {}

  // Scans and updates at `at`; returns the events' Brief() strings.
  std::vector<std::string> Step(int64_t at) {
    last_events = tracker_.Update(fx_.Snap(run_rel_, at), Env::Default(), at);
    std::vector<std::string> out;
    for (const Event& e : last_events) out.push_back(e.Brief());
    return out;
  }
  RunTracker& tracker() { return tracker_; }
  std::vector<Event> last_events;

 private:
  const Fixture& fx_;
  std::string run_rel_;
  FamilyConfig config_;
  std::unique_ptr<Adapter> adapter_;
  RunTracker tracker_;
};

// Whether `events` contains `brief` exactly.
inline bool Has(const std::vector<std::string>& events, const std::string& brief) {
  for (const std::string& e : events) {
    if (e == brief) return true;
  }
  return false;
}

// The last event, or "" (so a failed expectation never indexes an empty list).
inline std::string Last(const std::vector<std::string>& events) {
  return events.empty() ? std::string() : events.back();
}

// Index of `brief` in `events`, or -1.
inline int IndexOf(const std::vector<std::string>& events, const std::string& brief) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i] == brief) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace seqgate::bridge::testing

// Event lists print readably when an expectation fails.
template <>
struct doctest::StringMaker<std::vector<std::string>> {
  static doctest::String convert(const std::vector<std::string>& v) {
    std::string s = "[";
    for (const std::string& e : v) s += (s.size() > 1 ? " | " : "") + e;
    s += "]";
    return s.c_str();
  }
};
