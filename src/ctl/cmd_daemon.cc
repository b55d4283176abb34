// seqgatectl status | runs | files | watch | retry | pause | resume | mark-complete: talk to a
// running seqgated over its control socket. Exit 0 on success, 1 when the daemon refuses or
// fails a request, 2 when no daemon is listening (or usage errors, as everywhere in seqgatectl).
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "control/control_client.h"
#include "control/render.h"
#include "ctl/commands.h"

namespace seqgate::ctl {
namespace {

using nlohmann::json;

struct DaemonArgs {
  std::string socket;
  std::string arg;
  bool json = false;
  int count = 0;  // watch: refreshes before exiting; 0 = until interrupted
  double interval = 1.0;
};

int Fail(const std::string& cmd, const Status& s) {
  std::fprintf(stderr, "seqgatectl %s: %s\n", cmd.c_str(), s.message().c_str());
  return s.code() == StatusCode::kUnavailable ? 2 : 1;
}

std::string SocketPath(const DaemonArgs& a) {
  return a.socket.empty() ? control::DefaultSocketPath() : a.socket;
}

int TerminalWidth() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

void PrintJson(const json& j) {
  std::printf("%s\n", j.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
}

// One request, printed as JSON or rendered for people by `render`.
template <typename Render>
int RunOnce(const std::string& cmd, const DaemonArgs& a, Render render) {
  auto client = control::ControlClient::Connect(SocketPath(a));
  if (!client.ok()) return Fail(cmd, client.status());
  auto result = client->Call(cmd, a.arg);
  if (!result.ok()) return Fail(cmd, result.status());
  if (a.json) {
    PrintJson(*result);
  } else {
    std::fputs(render(*result).c_str(), stdout);
  }
  return 0;
}

std::string RenderMessage(const json& r) {
  auto m = r.is_object() ? r.find("message") : r.end();
  if (r.is_object() && m != r.end() && m->is_string()) {
    return control::TerminalSafe(m->get<std::string>()) + "\n";
  }
  return "ok\n";
}

// Redraws the status every interval over one connection, reconnecting if the daemon restarts.
int RunWatch(const DaemonArgs& a) {
  const std::string path = SocketPath(a);
  auto first = control::ControlClient::Connect(path);
  if (!first.ok()) return Fail("watch", first.status());
  std::optional<control::ControlClient> client(std::move(first).value());
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(a.interval > 0.05 ? a.interval : 0.05));
  for (int i = 0; a.count <= 0 || i < a.count; ++i) {
    if (i > 0) std::this_thread::sleep_for(interval);
    if (!client) {
      auto again = control::ControlClient::Connect(path);
      if (again.ok()) client.emplace(std::move(again).value());
    }
    Result<json> status = client ? client->Call("status")
                                 : Result<json>(Status(StatusCode::kUnavailable,
                                                       "seqgated is not running (waiting for it)"));
    if (!status.ok()) {
      client.reset();
      if (status.status().code() != StatusCode::kUnavailable &&
          status.status().code() != StatusCode::kTimeout) {
        return Fail("watch", status.status());
      }
    }
    std::string screen;
    if (a.json) {
      screen = status.ok() ? status->dump(-1, ' ', false, json::error_handler_t::replace) + "\n"
                           : json{{"error", status.status().message()}}.dump() + "\n";
    } else if (status.ok()) {
      control::RenderOptions o;
      o.width = tty ? TerminalWidth() : 80;
      screen = control::RenderStatus(*status, o);
    } else {
      screen = status.status().message() + "\n";
    }
    if (tty && !a.json) {
      std::fputs("\x1b[H\x1b[2J", stdout);  // home and clear: the screen is redrawn in place
    } else if (i > 0 && !a.json) {
      std::fputs("\n", stdout);
    }
    std::fputs(screen.c_str(), stdout);
    std::fflush(stdout);
  }
  return 0;
}

CLI::App* AddCommon(CLI::App& app, const char* name, const char* help,
                    std::shared_ptr<DaemonArgs> args) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_flag("--json", args->json, "Print the daemon's JSON answer instead of text");
  cmd->add_option("--socket", args->socket,
                  "Control socket (default: $SEQGATE_CONTROL_SOCKET, else "
                  "/run/seqgate/seqgated.sock)");
  return cmd;
}

}  // namespace

void AddDaemonCommands(CLI::App& app, int& exit_code) {
  using control::RenderOptions;
  {
    auto a = std::make_shared<DaemonArgs>();
    AddCommon(app, "status", "One-screen summary of a running seqgated", a)
        ->callback([a, &exit_code] {
          RenderOptions o;
          if (::isatty(STDOUT_FILENO) == 1) o.width = TerminalWidth();
          exit_code =
              RunOnce("status", *a, [o](const json& j) { return control::RenderStatus(j, o); });
        });
  }
  {
    auto a = std::make_shared<DaemonArgs>();
    AddCommon(app, "runs", "Every run seqgated's journal knows", a)->callback([a, &exit_code] {
      exit_code = RunOnce("runs", *a, [](const json& j) { return control::RenderRuns(j); });
    });
  }
  {
    auto a = std::make_shared<DaemonArgs>();
    CLI::App* cmd = AddCommon(app, "files", "The files of one run and where each stands", a);
    cmd->add_option("RUN", a->arg, "Run id, run folder name or journal id")->required();
    cmd->callback([a, &exit_code] {
      exit_code = RunOnce("files", *a, [](const json& j) { return control::RenderFiles(j); });
    });
  }
  {
    auto a = std::make_shared<DaemonArgs>();
    CLI::App* cmd = AddCommon(app, "watch", "Redraw the status every second", a);
    cmd->add_option("--count", a->count, "Stop after N refreshes (default: until interrupted)");
    cmd->add_option("--interval", a->interval, "Seconds between refreshes (default 1)");
    cmd->callback([a, &exit_code] { exit_code = RunWatch(*a); });
  }
  {
    auto a = std::make_shared<DaemonArgs>();
    CLI::App* cmd = AddCommon(app, "retry", "Retry failed files: of a run, one file, or all", a);
    cmd->add_option("WHAT", a->arg, "Run id or name, a file id, or 'all'")->required();
    cmd->callback([a, &exit_code] { exit_code = RunOnce("retry", *a, RenderMessage); });
  }
  {
    auto a = std::make_shared<DaemonArgs>();
    AddCommon(app, "pause", "Start no new work (uploads in flight finish their PATCH)", a)
        ->callback([a, &exit_code] { exit_code = RunOnce("pause", *a, RenderMessage); });
  }
  {
    auto a = std::make_shared<DaemonArgs>();
    AddCommon(app, "resume", "Undo pause", a)->callback([a, &exit_code] {
      exit_code = RunOnce("resume", *a, RenderMessage);
    });
  }
  {
    auto a = std::make_shared<DaemonArgs>();
    CLI::App* cmd = AddCommon(app, "mark-complete",
                              "Declare a run folder complete (families without a marker)", a);
    cmd->add_option("RUN_DIR", a->arg, "The run folder")->required();
    cmd->callback([a, &exit_code] { exit_code = RunOnce("mark-complete", *a, RenderMessage); });
  }
}

}  // namespace seqgate::ctl
