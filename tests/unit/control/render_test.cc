#include "control/render.h"

#include <cmath>
#include <limits>

#include <doctest/doctest.h>

#include "unit/control/fake_target.h"

namespace seqgate::control {
namespace {

using nlohmann::json;
using testing::FakeTarget;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("render: progress bars, rates and durations") {
  CHECK(ProgressBar(0.0, 10) == "[          ]   0%");
  CHECK(ProgressBar(0.45, 10) == "[====>     ]  45%");
  CHECK(ProgressBar(1.0, 10) == "[==========] 100%");
  CHECK(ProgressBar(7.0, 4) == "[====] 100%");
  CHECK(ProgressBar(-1.0, 4) == "[    ]   0%");
  CHECK(ProgressBar(std::nan(""), 4) == "[    ]    -");
  CHECK(FormatRate(41000000.0) == "39.10 MiB/s");
  CHECK(FormatRate(-1) == "-");
  CHECK(FormatRate(std::numeric_limits<double>::infinity()) == "-");
  CHECK(FormatDuration(12.4) == "12s");
  CHECK(FormatDuration(245) == "4m05s");
  CHECK(FormatDuration(7380) == "2h03m");
  CHECK(FormatDuration(3 * 86400 + 4 * 3600) == "3d04h");
  CHECK(FormatDuration(std::nan("")) == "-");
}

TEST_CASE("render: strings from the daemon cannot drive the terminal") {
  CHECK(TerminalSafe("run\x1b[2Jname\n") == "run?[2Jname?");
  CHECK(TerminalSafe("csi\xc2\x9b"
                     "31m") == "csi?31m");
  CHECK(TerminalSafe("ünïcode ok") == "ünïcode ok");
  json st = FakeTarget::StatusJson();
  st["uploads"][0]["path"] = "evil\x1b]0;pwned\x07.fastq";
  CHECK_FALSE(Has(RenderStatus(st), "\x1b"));
}

TEST_CASE("render: the status screen shows counts, progress, rate, uploads and the last error") {
  std::string s = RenderStatus(FakeTarget::StatusJson(), {80, 10});
  CHECK(Has(s, "seqgated 0.1.0  running since 2024-05-01T08:00:00Z\n"));
  CHECK(Has(s, "runs      1 active   1 delivered   0 failed\n"));
  CHECK(Has(s, "files     0 pending   0 packing   1 uploading   1 delivered   1 failed\n"));
  CHECK(Has(s, "progress  [====>     ]  42%  150 B of 350 B\n"));
  CHECK(Has(s, "rate      39.10 MiB/s   ETA 13s\n"));
  CHECK(Has(s, "error     2024-05-01T09:00:00Z  connection reset\n"));
  CHECK(Has(s, "uploads (1)\n  RUN_A  Data/a.fastq  [====>     ]  40%  40 B / 100 B  1000 B/s\n"));
}

TEST_CASE("render: the status screen survives missing, null and mistyped keys") {
  std::string empty = RenderStatus(json::object());
  CHECK(Has(empty, "seqgated ?  running\n"));
  CHECK(Has(empty, "runs      0 active"));
  CHECK(Has(empty, "ETA -"));
  CHECK(Has(empty, "delivered never"));
  json odd = {{"paused", true},         {"runs", "many"},        {"bytes_total", -5},
              {"eta_seconds", nullptr}, {"last_error", nullptr}, {"uploads", {{{"size", "x"}}}}};
  std::string s = RenderStatus(odd);
  CHECK(Has(s, "PAUSED"));
  CHECK(Has(s, "ETA -"));
  CHECK_FALSE(Has(s, "error "));
  CHECK(Has(s, "uploads (1)"));
  CHECK_FALSE(RenderStatus(json::array()).empty());
}

TEST_CASE("render: long upload paths keep their end within the width") {
  json st = FakeTarget::StatusJson();
  st["uploads"][0]["path"] = std::string(200, 'd') + "/L001_R1.fastq.gz";
  std::string s = RenderStatus(st, {80, 10});
  size_t at = s.find("  RUN_A  ");
  REQUIRE(at != std::string::npos);
  std::string line = s.substr(at, s.find('\n', at) - at);
  CHECK(line.size() <= 80);
  CHECK(Has(line, "...dddd"));
  CHECK(Has(line, "/L001_R1.fastq.gz  ["));
}

TEST_CASE("render: the runs table") {
  FakeTarget t;
  std::string s = RenderRuns(t.Runs());
  CHECK(s.rfind("ID  NAME   FAMILY    STATE", 0) == 0);
  CHECK(Has(s, "\n 1  RUN_A  illumina  completed"));
  CHECK(Has(s, "delivered (completed)"));
  CHECK(Has(s, "100 B / 300 B"));
  CHECK(Has(s, "complete  2024-05-02T10:00:00Z\n"));
  CHECK(RenderRuns(json::object()) == "no runs yet\n");
  CHECK(RenderRuns({{"runs", {{{"name", 5}}}}}).find("5") != std::string::npos);
}

TEST_CASE("render: the files table") {
  FakeTarget t;
  std::string s = RenderFiles(*t.Files("RUN_A"), {80, 20});
  CHECK(s.rfind("run RUN_A: 2 files\n", 0) == 0);
  CHECK(Has(s, "uploading  200 B   100 B   40 B  [====>     ]  40%"));
  CHECK(Has(s, "zstd-seekable  Data/a.fastq\n"));
  CHECK(Has(s, "Data/b.fastq\n      error: connection reset\n"));
  CHECK(RenderFiles({{"run", "X"}, {"files", json::array()}}) == "run X: no files\n");
}

}  // namespace
}  // namespace seqgate::control
