// The real seqgatectl binary against a control server with the fake target.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <doctest/doctest.h>

#include "control/control_server.h"
#include "support/temp_dir.h"
#include "unit/control/fake_target.h"

namespace seqgate::control {
namespace {

using nlohmann::json;
using testing::FakeTarget;
using testing::TempDir;

struct Output {
  int exit_code = -1;
  std::string out;
};

// Runs seqgatectl with `args` (and `env` assignments before it); stderr folded into stdout.
Output Ctl(const std::string& args, const std::string& env = "") {
  Output o;
  std::string cmd = env + " " + SEQGATECTL_PATH + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) o.out.append(buf, n);
  int status = ::pclose(p);
  REQUIRE(WIFEXITED(status));
  o.exit_code = WEXITSTATUS(status);
  return o;
}

struct Served {
  TempDir dir;
  FakeTarget target;
  std::string path = dir.File("control.sock");
  ControlServer server{target, ControlServerOptions{path}};
  Served() { REQUIRE(server.Start().ok()); }
};

TEST_CASE("seqgatectl: status --json prints the daemon's answer") {
  Served s;
  Output o = Ctl("status --json --socket " + s.path);
  CHECK(o.exit_code == 0);
  json expected = FakeTarget::StatusJson();
  CHECK(json::parse(o.out) == expected);
}

TEST_CASE("seqgatectl: human output for status, runs and files") {
  Served s;
  Output st = Ctl("status --socket " + s.path);
  CHECK(st.exit_code == 0);
  CHECK(st.out.find("files     0 pending   0 packing   1 uploading") != std::string::npos);
  Output runs = Ctl("runs --socket " + s.path);
  CHECK(runs.exit_code == 0);
  CHECK(runs.out.find("RUN_B") != std::string::npos);
  Output files = Ctl("files RUN_A --socket " + s.path);
  CHECK(files.exit_code == 0);
  CHECK(files.out.rfind("run RUN_A: 2 files\n", 0) == 0);
}

TEST_CASE("seqgatectl: commands that change things, and their failures") {
  Served s;
  Output pause = Ctl("pause --socket " + s.path);
  CHECK(pause.exit_code == 0);
  CHECK(pause.out == "paused\n");
  CHECK(s.target.paused());
  Output again = Ctl("pause --socket " + s.path);
  CHECK(again.exit_code == 1);
  CHECK(again.out == "seqgatectl pause: already paused\n");
  CHECK(Ctl("resume --json --socket " + s.path).out == "{\"message\":\"resumed\",\"ok\":true}\n");
  CHECK(Ctl("retry all --socket " + s.path).exit_code == 0);
  CHECK(s.target.retried() == std::vector<std::string>{"all"});
  CHECK(Ctl("mark-complete /data/RUN_C --socket " + s.path).out == "marked /data/RUN_C complete\n");
  Output missing = Ctl("files NOPE --socket " + s.path);
  CHECK(missing.exit_code == 1);
  CHECK(missing.out == "seqgatectl files: no run 'NOPE'\n");
}

TEST_CASE("seqgatectl: watch --count redraws as plain text when not on a terminal") {
  Served s;
  Output o = Ctl("watch --count 3 --interval 0.05 --socket " + s.path);
  CHECK(o.exit_code == 0);
  CHECK(o.out.find("\x1b") == std::string::npos);
  size_t screens = 0;
  for (size_t at = 0; (at = o.out.find("seqgated 0.1.0", at)) != std::string::npos; ++at) {
    ++screens;
  }
  CHECK(screens == 3);
  Output j = Ctl("watch --json --count 2 --interval 0.05 --socket " + s.path);
  CHECK(j.exit_code == 0);
  size_t nl = j.out.find('\n');
  REQUIRE(nl != std::string::npos);
  CHECK(json::parse(j.out.substr(0, nl))["version"] == "0.1.0");
}

TEST_CASE("seqgatectl: no daemon means exit 2 and says so") {
  TempDir dir;
  const std::string path = dir.File("nothing.sock");
  Output o = Ctl("status --socket " + path);
  CHECK(o.exit_code == 2);
  CHECK(o.out ==
        "seqgatectl status: seqgated is not running (no control socket at " + path + ")\n");
  Output watch = Ctl("watch --count 1", "SEQGATE_CONTROL_SOCKET=" + path);
  CHECK(watch.exit_code == 2);
  CHECK(watch.out ==
        "seqgatectl watch: seqgated is not running (no control socket at " + path + ")\n");
}

TEST_CASE("seqgatectl: the socket comes from SEQGATE_CONTROL_SOCKET without --socket") {
  Served s;
  Output o = Ctl("runs --json", "SEQGATE_CONTROL_SOCKET=" + s.path);
  CHECK(o.exit_code == 0);
  CHECK(json::parse(o.out)["runs"].size() == 2);
}

}  // namespace
}  // namespace seqgate::control
