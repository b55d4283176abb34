// Watching: the scanner's refusals (symlinks, unreadable entries, runaway trees), the
// tracker's settle/re-announce/future-mtime rules, and the reconciler's renames, vanished
// shares and QC filtering.
#include <doctest/doctest.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <string>

#include "bridge_fixture.h"
#include "watch/reconciler.h"

namespace seqgate::bridge::testing {
namespace {

WatchConfig Watch(const std::string& root, bool trust_old_mtime = false) {
  WatchConfig c;
  c.root = root;
  c.tracker.trust_old_mtime = trust_old_mtime;
  return c;
}

// The real filesystem, except that names in `deny` cannot be opened or stat'ed (root can read
// anything, so permissions cannot fake this).
class DenyingScanFs final : public ScanFs {
 public:
  std::set<std::string> deny_open, deny_stat;
  Result<int> OpenDir(const std::string& path) override { return real_->OpenDir(path); }
  Result<int> OpenDirAt(int dir, std::string_view name) override {
    if (deny_open.count(std::string(name))) return ErrnoStatus(EACCES, "open directory", name);
    return real_->OpenDirAt(dir, name);
  }
  Status ReadDir(int dir, const std::function<void(std::string_view, FileType)>& fn) override {
    return real_->ReadDir(dir, fn);
  }
  Result<FileIdentity> StatAt(int dir, std::string_view name) override {
    if (deny_stat.count(std::string(name))) return ErrnoStatus(EIO, "stat", name);
    return real_->StatAt(dir, name);
  }
  void Close(int dir) override { real_->Close(dir); }

 private:
  ScanFs* real_ = ScanFs::Default();
};

std::string RunInfo(const std::string& id, const std::string& fc) {
  return "<RunInfo><Run Id=\"" + id + "\"><Flowcell>" + fc +
         "</Flowcell><Instrument>LH00217</Instrument><Date>20240202</Date></Run></RunInfo>";
}

const std::string kRun = "20240202_LH00217_0044_A2255J2LT3";

void CompletedIllumina(const Fixture& fx, const std::string& dir, int64_t age = kHour) {
  fx.Write(dir + "/RunInfo.xml", RunInfo(kRun, "2255J2LT3"), age);
  fx.Write(dir + "/RTAComplete.txt", "", age);
  fx.Write(dir + "/CopyComplete.txt", "", age);
  fx.Write(dir + "/Analysis/1/Data/fastq/S1_R1_001.fastq.gz", "@r", age);
  fx.Write(dir + "/Analysis/1/CopyComplete.txt", "", age);
}

std::vector<std::string> Briefs(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.Brief());
  return out;
}

}  // namespace

TEST_CASE("scanner: symlinks are listed, never followed, so nothing outside the root is read") {
  Fixture fx;
  fx.Write("outside/secret.fastq.gz", "secret");
  fx.Write("run/RunInfo.xml", RunInfo(kRun, "FC"));
  std::filesystem::create_directory_symlink(fx.Path("outside"), fx.Path("run/link_dir"));
  std::filesystem::create_symlink(fx.Path("outside/secret.fastq.gz"), fx.Path("run/x.fastq.gz"));
  RunSnapshot s = fx.Snap("run", fx.now);
  REQUIRE(s.entries.size() == 3);
  CHECK(s.Find("link_dir")->type == FileType::kSymlink);
  CHECK(s.Find("link_dir/secret.fastq.gz") == nullptr);
  CHECK(s.Find("x.fastq.gz")->type == FileType::kSymlink);
  Assessment a = AssessAt(fx, Family::kIllumina, "run", fx.now);
  CHECK_FALSE(VerdictFor(a, "x.fastq.gz")->wanted);
  // The watch root itself must not be a symlink either.
  std::filesystem::create_directory_symlink(fx.Path("run"), fx.Path("root_link"));
  CHECK(ScanRun(ScanFs::Default(), fx.Path("root_link"), fx.now).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("scanner: unreadable entries are reported and the scan goes on - limits hold") {
  Fixture fx;
  fx.Write("run/a/1.fastq.gz", "1");
  fx.Write("run/locked/2.fastq.gz", "2");
  fx.Write("run/broken.fastq.gz", "3");
  fx.Write("run/z.fastq.gz", "4");
  DenyingScanFs fs;
  fs.deny_open = {"locked"};
  fs.deny_stat = {"broken.fastq.gz"};
  auto s = ScanRun(&fs, fx.Path("run"), fx.now);
  REQUIRE(s.ok());
  CHECK(s->HasFile("a/1.fastq.gz"));
  CHECK(s->HasFile("z.fastq.gz"));
  CHECK(s->Find("broken.fastq.gz") == nullptr);
  REQUIRE(s->problems.size() == 2);
  std::set<std::string> paths = {s->problems[0].path, s->problems[1].path};
  CHECK(paths == std::set<std::string>{"locked", "broken.fastq.gz"});
  for (const ScanProblem& p : s->problems) {
    if (p.path == "locked") CHECK(p.message.find("Permission denied") != std::string::npos);
  }
  auto limited =
      ScanRun(ScanFs::Default(), fx.Path("run"), fx.now, {.max_depth = 0, .max_entries = 100});
  REQUIRE(limited.ok());
  CHECK(limited->Find("a/1.fastq.gz") == nullptr);
  CHECK(limited->problems.size() == 2);  // "a" and "locked" not descended
  CHECK(ScanRun(ScanFs::Default(), fx.Path("nope"), fx.now).status().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("tracker: ready only after the settle window - changes are announced again") {
  Fixture fx;
  CompletedIllumina(fx, kRun);
  TrackerHarness h(fx, Family::kIllumina, kRun);
  const std::string fq = "file_ready Analysis/1 Analysis/1/Data/fastq/S1_R1_001.fastq.gz";
  CHECK(h.Step(fx.now) == std::vector<std::string>{
                              "run_discovered", "unit_changed Analysis/1 completed/CopyComplete"});
  CHECK(h.tracker().Settling("Analysis/1/Data/fastq/S1_R1_001.fastq.gz"));
  CHECK(h.Step(fx.now + 119 * kSec).empty());
  auto e = h.Step(fx.now + 121 * kSec);
  CHECK(Has(e, fq));
  CHECK(Last(e) == "run_completed completed/Completed");

  // Appended after announcement: changed now, announced again once it settles.
  fx.Append(kRun + "/Analysis/1/Data/fastq/S1_R1_001.fastq.gz", "more", 0);
  e = h.Step(fx.now + 3 * kMin);
  CHECK(e == std::vector<std::string>{"file_changed Analysis/1/Data/fastq/S1_R1_001.fastq.gz"});
  CHECK(h.last_events[0].detail.find("size 2 -> 6") == 0);
  CHECK(h.Step(fx.now + 4 * kMin).empty());
  CHECK(h.Step(fx.now + 6 * kMin) == std::vector<std::string>{fq});

  // Replaced by a new inode with the same size and mtime: still a change.
  const std::string p = fx.Path(kRun + "/Analysis/1/Data/fastq/S1_R1_001.fastq.gz");
  std::filesystem::copy_file(p, p + ".tmp");
  std::filesystem::rename(p + ".tmp", p);
  fx.SetAge(kRun + "/Analysis/1/Data/fastq/S1_R1_001.fastq.gz", 0);
  e = h.Step(fx.now + 7 * kMin);
  REQUIRE(e.size() == 1);
  CHECK(h.last_events[0].detail.find("inode changed") != std::string::npos);

  fx.Remove(kRun + "/Analysis/1/Data/fastq/S1_R1_001.fastq.gz");
  e = h.Step(fx.now + 8 * kMin);
  CHECK(e.empty());  // the replaced file was never re-announced, so its loss is not news
}

TEST_CASE("tracker: a future mtime is reported once and stability is judged by observation") {
  Fixture fx;
  CompletedIllumina(fx, kRun);
  fx.SetAge(kRun + "/Analysis/1/Data/fastq/S1_R1_001.fastq.gz", -2 * kHour);
  TrackerHarness h(fx, Family::kIllumina, kRun, {}, {.trust_old_mtime = true});
  auto e = h.Step(fx.now);
  CHECK(Has(e, "problem Analysis/1/Data/fastq/S1_R1_001.fastq.gz"));
  CHECK_FALSE(Has(e, "file_ready Analysis/1 Analysis/1/Data/fastq/S1_R1_001.fastq.gz"));
  CHECK(Has(e, "file_ready RunInfo.xml"));  // old mtime, trusted in this mode
  e = h.Step(fx.now + 3 * kMin);
  CHECK(e ==
        std::vector<std::string>{"file_ready Analysis/1 Analysis/1/Data/fastq/S1_R1_001.fastq.gz",
                                 "run_completed completed/Completed"});
}

TEST_CASE("reconciler: finds runs of several families at their depths") {
  Fixture fx;
  CompletedIllumina(fx, "watch/" + kRun);
  fx.Write("watch/ont/proj/s1/20240101_1200_PC24B123_PAK12345_abcdef12/fastq_pass/x.fastq.gz", "@");
  fx.Write("watch/pacbio/r84001_20240101_120000/1_A01/metadata/m.transferdone", "");
  fx.Write("watch/aviti/AV1/20240101_AV1_run/RunParameters.json", R"({"RunID":"AV1-1"})");
  fx.Write("watch/.snapshot/" + kRun + "/RunInfo.xml", RunInfo("other", "x"));
  Reconciler r(ScanFs::Default(), Env::Default(), Watch(fx.Path("watch")));
  auto events = r.Reconcile(fx.now);
  std::set<std::string> families;
  for (const Event& e : events) {
    if (e.kind == EventKind::kRunDiscovered)
      families.insert(std::string(FamilyName(e.identity.family)));
  }
  CHECK(families == std::set<std::string>{"illumina", "ont", "pacbio", "element"});
  CHECK(r.Runs().size() == 4);
}

TEST_CASE("reconciler: a renamed run folder is the same run - nothing is announced twice") {
  Fixture fx;
  CompletedIllumina(fx, "watch/" + kRun);
  Reconciler r(ScanFs::Default(), Env::Default(), Watch(fx.Path("watch"), true));
  auto e = Briefs(r.Reconcile(fx.now));
  CHECK(Has(e, "file_ready Analysis/1 Analysis/1/Data/fastq/S1_R1_001.fastq.gz"));
  std::filesystem::rename(fx.Path("watch/" + kRun), fx.Path("watch/" + kRun + "_renamed"));
  auto moved = r.Reconcile(fx.now + kMin);
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].kind == EventKind::kRunMoved);
  CHECK(moved[0].run_root == fx.Path("watch/" + kRun + "_renamed"));
  CHECK(moved[0].detail == "moved from " + fx.Path("watch/" + kRun));
  CHECK(r.Runs().size() == 1);
}

TEST_CASE("reconciler: a vanished share makes runs unavailable, not deleted") {
  Fixture fx;
  CompletedIllumina(fx, "watch/" + kRun);
  Reconciler r(ScanFs::Default(), Env::Default(), Watch(fx.Path("watch"), true));
  auto first = r.Reconcile(fx.now);
  std::filesystem::rename(fx.Path("watch"), fx.Path("gone"));
  auto e = Briefs(r.Reconcile(fx.now + kMin));
  CHECK(e == std::vector<std::string>{"problem", "run_unavailable"});
  CHECK(Briefs(r.Reconcile(fx.now + 2 * kMin)).empty());  // said once
  std::filesystem::rename(fx.Path("gone"), fx.Path("watch"));
  e = Briefs(r.Reconcile(fx.now + 3 * kMin));
  CHECK(e == std::vector<std::string>{"run_available"});  // and no file announced twice

  // One run folder disappearing (root still there) is also "unavailable".
  std::filesystem::rename(fx.Path("watch/" + kRun), fx.Path("elsewhere"));
  auto gone = r.Reconcile(fx.now + 4 * kMin);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].kind == EventKind::kRunUnavailable);
  CHECK(gone[0].detail == "run folder no longer found under the watch root");
}

TEST_CASE("reconciler: QC/test runs are announced once and then ignored - mark complete") {
  Fixture fx;
  fx.Write("watch/qc/s/20240101_1200_MN12345_CTC00001_abcdef12/fastq_pass/x.fastq.gz", "@");
  fx.Write("watch/V300012345/L01/V300012345_L01_read_1.fq.gz", "@", 10 * kHour);
  Reconciler r(ScanFs::Default(), Env::Default(), Watch(fx.Path("watch")));
  auto e = r.Reconcile(fx.now);
  int qc = 0;
  for (const Event& ev : e) {
    if (ev.identity.flow_cell == "CTC00001") {
      ++qc;
      CHECK(ev.detail.find("ignored (QC/test runs are filtered)") != std::string::npos);
    }
  }
  CHECK(qc == 1);
  CHECK(r.MarkComplete("V300012345"));
  CHECK_FALSE(r.MarkComplete("nope"));
  auto later = Briefs(r.Reconcile(fx.now + 10 * kMin));
  CHECK(Has(later, "file_ready L01/V300012345_L01_read_1.fq.gz"));
  CHECK(Last(later) == "run_completed completed/MarkedComplete");
}

}  // namespace seqgate::bridge::testing

namespace seqgate::bridge::testing {

TEST_CASE("reconciler: finished quiet runs are rescanned every Nth pass, hints at once") {
  Fixture fx;
  CompletedIllumina(fx, "watch/" + kRun);
  WatchConfig cfg = Watch(fx.Path("watch"), true);
  cfg.quiet_rescan_every = 3;
  Reconciler r(ScanFs::Default(), Env::Default(), cfg);
  CHECK(Last(Briefs(r.Reconcile(fx.now))) == "run_completed completed/Completed");
  CHECK(r.Reconcile(fx.now + kMin).empty());  // scanned: nothing new, so the run is quiet
  const std::string fq = kRun + "/Analysis/1/Data/fastq/S1_R1_001.fastq.gz";
  fx.Append("watch/" + fq, "late", 0);
  CHECK(r.Reconcile(fx.now + 2 * kMin).empty());    // skipped
  CHECK(r.Reconcile(fx.now + 3 * kMin).empty());    // skipped
  auto e = Briefs(r.Reconcile(fx.now + 4 * kMin));  // third pass: scanned again
  CHECK(e == std::vector<std::string>{"file_changed Analysis/1/Data/fastq/S1_R1_001.fastq.gz"});

  // A hint rescans the run whatever the pass count.
  CHECK(Briefs(r.Reconcile(fx.now + 10 * kMin)) ==
        std::vector<std::string>{"file_ready Analysis/1 Analysis/1/Data/fastq/S1_R1_001.fastq.gz"});
  r.Reconcile(fx.now + 11 * kMin);  // quiet again
  fx.Append("watch/" + fq, "later", 0);
  const std::string root = r.RunRootOf(fx.Path("watch/" + fq));
  REQUIRE(root == fx.Path("watch/" + kRun));
  CHECK(Briefs(r.ReconcileRuns(fx.now + 12 * kMin, {root})) ==
        std::vector<std::string>{"file_changed Analysis/1/Data/fastq/S1_R1_001.fastq.gz"});
}

}  // namespace seqgate::bridge::testing
