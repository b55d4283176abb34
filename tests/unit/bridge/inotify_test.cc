// inotify hints: new files and directories, queue overflow (full pass), watch limits.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bridge_fixture.h"
#include "watch/inotify_hint.h"
#include "watch/watch_loop.h"

namespace seqgate::bridge::testing {

TEST_CASE("inotify: changes are hinted per directory, new directories get watched") {
  Fixture fx;
  fx.Write("watch/run/a/x.txt", "x");
  auto h = InotifyHint::Create(fx.Path("watch"));
  REQUIRE(h.ok());
  CHECK((*h)->watch_count() == 3);
  auto idle = (*h)->Wait(0);
  REQUIRE(idle.ok());
  CHECK_FALSE(idle->changed);

  fx.Write("watch/run/a/y.fastq.gz", "y");
  auto hint = (*h)->Wait(2000);
  REQUIRE(hint.ok());
  CHECK(hint->changed);
  CHECK_FALSE(hint->overflow);
  CHECK(hint->paths.count(fx.Path("watch/run/a/y.fastq.gz")) == 1);

  fx.Mkdir("watch/run/Analysis");
  hint = (*h)->Wait(2000);
  REQUIRE(hint.ok());
  CHECK(hint->paths.count(fx.Path("watch/run/Analysis")) == 1);
  CHECK((*h)->watch_count() == 4);
  fx.Write("watch/run/Analysis/CopyComplete.txt", "");
  hint = (*h)->Wait(2000);
  CHECK(hint->paths.count(fx.Path("watch/run/Analysis/CopyComplete.txt")) == 1);

  // Symlinked directories are not watched (nor followed).
  fx.Mkdir("outside/deep");
  std::filesystem::create_directory_symlink(fx.Path("outside"), fx.Path("watch/link"));
  hint = (*h)->Wait(2000);
  CHECK((*h)->watch_count() == 4);
}

TEST_CASE("inotify: queue overflow asks for a full pass - watch limits are reported") {
  Fixture fx;
  fx.Mkdir("watch/flood");
  auto h = InotifyHint::Create(fx.Path("watch"));
  REQUIRE(h.ok());
  // More events than the kernel queues by default (fs.inotify.max_queued_events = 16384).
  std::ifstream limit("/proc/sys/fs/inotify/max_queued_events");
  size_t max_queued = 16384;
  limit >> max_queued;
  for (size_t i = 0; i < max_queued / 2 + 100; ++i) {
    std::ofstream(fx.Path("watch/flood/f" + std::to_string(i))).put('x');  // create + close
  }
  auto hint = (*h)->Wait(0);
  REQUIRE(hint.ok());
  CHECK(hint->overflow);

  fx.Write("watch/a/b/c/d.txt", "");
  auto few = InotifyHint::Create(fx.Path("watch"), 2);
  REQUIRE(few.ok());
  CHECK((*few)->watch_count() == 2);
  fx.Mkdir("watch/e");
  hint = (*few)->Wait(2000);
  REQUIRE(hint.ok());
  CHECK(hint->problem.find("inotify watch limit (2) reached") == 0);
  CHECK(InotifyHint::Create(fx.Path("missing")).status().code() == StatusCode::kNotFound);
}

}  // namespace seqgate::bridge::testing

namespace seqgate::bridge::testing {

TEST_CASE("watch loop: hints inside a run rescan that run - new folders and the interval do all") {
  Fixture fx;
  const std::string run = "watch/20240202_LH00217_0044_A2255J2LT3";
  fx.Write(run + "/RunInfo.xml",
           "<RunInfo><Run Id=\"r1\"><Flowcell>FC1</Flowcell><Instrument>LH00217</Instrument>"
           "</Run></RunInfo>");
  WatchConfig cfg;
  cfg.root = fx.Path("watch");
  Reconciler rec(ScanFs::Default(), Env::Default(), cfg);
  auto hint = InotifyHint::Create(cfg.root);
  REQUIRE(hint.ok());
  int64_t now = fx.now;
  WatchLoop loop(&rec, std::move(*hint), {.interval_ns = 60 * kSec, .debounce_ns = 2 * kSec},
                 [&] { return now; });

  auto e = loop.Step(0);
  REQUIRE(e.ok());
  CHECK(e->size() == 1);  // run_discovered
  CHECK(loop.passes() == std::pair<uint64_t, uint64_t>{1, 0});

  // Plain writes: Fixture::Write would also touch the watch root's own mtime.
  std::ofstream(fx.Path(run + "/RTAComplete.txt")).put('x');
  e = loop.Step(2000);  // the hint arrives, but waits for the debounce
  CHECK(loop.passes() == std::pair<uint64_t, uint64_t>{1, 0});
  now += 3 * kSec;
  e = loop.Step(0);
  CHECK(loop.passes() == std::pair<uint64_t, uint64_t>{1, 1});

  fx.Mkdir("watch/20240203_LH00217_0045_B2255J2LT4");
  std::ofstream(fx.Path("watch/20240203_LH00217_0045_B2255J2LT4/RunInfo.xml"))
      << "<RunInfo><Run Id=\"r2\"><Flowcell>FC2</Flowcell></Run></RunInfo>";
  e = loop.Step(2000);
  now += 3 * kSec;
  e = loop.Step(0);
  REQUIRE(e.ok());
  CHECK(loop.passes() == std::pair<uint64_t, uint64_t>{2, 1});
  bool found = false;
  for (const Event& ev : *e)
    found = found || (ev.kind == EventKind::kRunDiscovered && ev.identity.run_id == "r2");
  CHECK(found);

  e = loop.Step(0);
  CHECK(loop.passes() == std::pair<uint64_t, uint64_t>{2, 1});  // nothing due
  now += 61 * kSec;
  e = loop.Step(0);
  CHECK(loop.passes() == std::pair<uint64_t, uint64_t>{3, 1});  // the interval, hints or not
}

}  // namespace seqgate::bridge::testing
