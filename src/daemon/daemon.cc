#include "daemon/daemon.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>

#include "common/clock.h"
#include "common/log.h"
#include "common/sd_notify.h"
#include "control/control_server.h"
#include "control/metrics_http.h"
#include "daemon/delivery.h"
#include "daemon/intake.h"
#include "daemon/operator_view.h"
#include "daemon/watcher.h"
#include "journal/journal.h"

namespace seqgate::daemon {
namespace {

// Commands from control threads, run on the main loop.
class CommandQueue {
 public:
  explicit CommandQueue(int wake_fd) : wake_fd_(wake_fd) {}
  Result<nlohmann::json> Post(OperatorView::Command cmd) {
    auto task = std::make_shared<std::packaged_task<Result<nlohmann::json>()>>(std::move(cmd));
    auto fut = task->get_future();
    {
      std::lock_guard lock(mu_);
      if (closed_) return Status(StatusCode::kUnavailable, "seqgated is stopping");
      q_.push_back(task);
    }
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    return fut.get();
  }
  void RunAll() {
    std::deque<std::shared_ptr<std::packaged_task<Result<nlohmann::json>()>>> q;
    {
      std::lock_guard lock(mu_);
      q.swap(q_);
    }
    for (auto& t : q) (*t)();
  }
  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    RunAll();
  }

 private:
  int wake_fd_;
  std::mutex mu_;
  bool closed_ = false;
  std::deque<std::shared_ptr<std::packaged_task<Result<nlohmann::json>()>>> q_;
};

// The configured cap; the config was checked, so a parse failure here means unlimited.
std::optional<transfer::BandwidthSchedule> BandwidthOf(const DaemonConfig& c) {
  if (c.bandwidth.empty()) return std::nullopt;
  auto b = transfer::BandwidthSchedule::Parse(c.bandwidth);
  if (!b.ok()) return std::nullopt;
  return std::move(*b);
}

DeliveryOptions DeliveryOptionsOf(const DaemonConfig& c) {
  DeliveryOptions o;
  o.endpoint = c.endpoint;
  o.site = c.site;
  o.parallel = c.parallel;
  o.patch_size = c.patch_size;
  o.max_patch_size = c.max_patch_size;
  o.md5_from_centre = c.md5_from_centre;
  o.pipeline = c.pipeline;
  o.transport.tls = c.tls;
  o.transport.connect_timeout =
      std::chrono::seconds(static_cast<int64_t>(c.connect_timeout_seconds));
  o.transport.low_speed_time = std::chrono::seconds(static_cast<int64_t>(c.stall_seconds));
  o.bandwidth = BandwidthOf(c);
  o.ship_failed_runs = c.ship_failed_runs;
  o.delivered_dir = c.delivered_dir;
  o.delivered_in_run_folder = c.delivered_in_run_folder;
  return o;
}

Status EnsureStateDir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return InvalidArgument("state_dir '" + dir + "' is not a directory");
    return Status::Ok();
  }
  if (::mkdir(dir.c_str(), 0700) != 0) return ErrnoStatus(errno, "mkdir", dir);
  return Status::Ok();
}

}  // namespace

int RunDaemon(DaemonConfig config, const RunOptions& options) {
  SetLogIdentifier("seqgated");
  SetLogLevel(ParseLogLevel(config.log_level));
  auto fail = [](const std::string& what) {
    Log(LogLevel::kError, "problem", {{"reason", what}});
    std::fprintf(stderr, "seqgated: %s\n", what.c_str());
    return 1;
  };

  // Signals are taken synchronously by the loop; blocked before any thread starts so none of
  // them receives one.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  sigaddset(&sigs, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  const int sig_fd = ::signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
  const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (sig_fd < 0 || wake_fd < 0) return fail("signalfd/eventfd failed");

  if (Status s = EnsureStateDir(config.state_dir); !s.ok()) return fail(s.ToString());
  auto journal = journal::Journal::Open(config.JournalPath());
  if (!journal.ok()) return fail(journal.status().ToString());
  Log(LogLevel::kInfo, "journal_opened", {{"path", config.JournalPath()}});

  Notifier notify = Notifier::FromEnvironment();

  pipeline::WorkerPool pool(config.pipeline.threads);
  transfer::TransferLoop loop;
  DeliveryOptions dopts = DeliveryOptionsOf(config);
  dopts.once = options.once;
  if (config.protocol == "s3") {
    S3DeliveryOptions so;
    so.settings = config.s3;
    so.state_dir = config.state_dir;
    so.pipeline = config.pipeline;
    so.connect_timeout = std::chrono::seconds(static_cast<int64_t>(config.connect_timeout_seconds));
    so.stall = std::chrono::seconds(static_cast<int64_t>(config.stall_seconds));
    auto s3 = S3Delivery::Create(*Env::Default(), **journal, pool, std::move(so));
    if (!s3.ok()) return fail("S3 delivery: " + s3.status().ToString());
    dopts.s3 = std::move(*s3);
  }
  Delivery delivery(*Env::Default(), **journal, pool, loop, std::move(dopts));
  delivery.SetWake([wake_fd] {
    const uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof one);
  });
  Intake intake(*Env::Default(), **journal,
                [&delivery](int64_t file) { delivery.CancelFile(file); });
  Watcher watcher(config, options.once);

  CommandQueue commands(wake_fd);
  OperatorView view(**journal, delivery,
                    [&commands](OperatorView::Command c) { return commands.Post(std::move(c)); });
  view.SetMarkComplete([&watcher](const std::string& r) { return watcher.MarkComplete(r); });
  control::ControlServerOptions copts;
  copts.socket_path = config.ControlSocketPath();
  control::ControlServer control(view, copts);
  if (Status s = control.Start(); !s.ok()) {
    Log(LogLevel::kWarning, "problem", {{"reason", "control socket: " + s.ToString()}});
  }
  std::unique_ptr<control::MetricsServer> metrics;
  if (!config.metrics.empty() && !options.once) {
    control::MetricsServerOptions mopts;
    const size_t colon = config.metrics.rfind(':');
    mopts.host = config.metrics.substr(0, colon);
    mopts.port = static_cast<uint16_t>(std::atoi(config.metrics.c_str() + colon + 1));
    metrics = std::make_unique<control::MetricsServer>(view, mopts);
    if (Status s = metrics->Start(); !s.ok()) {
      Log(LogLevel::kWarning, "problem", {{"reason", "metrics: " + s.ToString()}});
    }
  }

  Log(LogLevel::kInfo, "daemon_started",
      {{"state", options.once ? "once" : "service"},
       {"path", config.state_dir},
       {"url",
        config.protocol == "s3" ? config.s3.endpoint + "/" + config.s3.bucket : config.endpoint},
       {"site", config.site}});

  // The first pass reconciles what the journal remembers with what is on disk now.
  bool ready = false, stopping = false;
  const auto watchdog = notify.watchdog_interval();
  auto last_ping = std::chrono::steady_clock::now();
  auto last_status = std::chrono::steady_clock::time_point{};
  int exit_code = 0;
  while (!stopping) {
    auto events = watcher.Poll(SteadyWallNs());
    if (!events.ok()) {
      exit_code = fail(events.status().ToString());
      break;
    }
    bool journal_failed = false;
    for (const bridge::Event& e : *events) {
      if (Status s = intake.Apply(e, WallClockNs()); !s.ok()) {
        exit_code = fail("cannot record in the journal: " + s.ToString());
        journal_failed = true;
        break;
      }
    }
    if (journal_failed) break;
    if (Status s = delivery.Tick(intake.TakeTouchedRuns()); !s.ok()) {
      exit_code = fail("cannot record in the journal: " + s.ToString());
      break;
    }
    commands.RunAll();
    if (!ready && watcher.settled()) {
      ready = true;
      (void)notify.Ready();
      Log(LogLevel::kInfo, "daemon_ready", {{"state", "reconciled"}});
    }
    if (options.once && ready && delivery.Quiescent()) {
      exit_code = watcher.OnceSummary(**journal, intake);
      if (const std::string w = delivery.waiting(); !w.empty()) {
        std::fprintf(stderr, "seqgated: S3 deliveries stopped: %s\n", w.c_str());
        if (exit_code == 0) exit_code = 1;
      }
      break;
    }

    const auto now = std::chrono::steady_clock::now();
    if (watchdog && now - last_ping >= *watchdog / 2) {
      (void)notify.Watchdog();
      last_ping = now;
    }
    if (now - last_status >= std::chrono::seconds(2)) {
      view.SampleRate();
      (void)notify.SetStatus(view.StatusLine());
      last_status = now;
    }

    pollfd fds[2] = {{sig_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    ::poll(fds, 2, 250);
    if (fds[1].revents & POLLIN) {
      uint64_t n;
      (void)!::read(wake_fd, &n, sizeof n);
    }
    signalfd_siginfo si{};
    while (::read(sig_fd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
        stopping = true;
      } else if (si.ssi_signo == SIGHUP) {
        (void)notify.Reloading();
        auto fresh = LoadDaemonConfig(options.overrides);
        if (!fresh.ok()) {
          Log(LogLevel::kError, "config_error",
              {{"reason",
                "reload refused, keeping the running configuration: " + fresh.status().message()}});
        } else {
          watcher.Reload(*fresh);
          delivery.SetLimits(fresh->parallel, BandwidthOf(*fresh));
          SetLogLevel(ParseLogLevel(fresh->log_level));
          Log(LogLevel::kInfo, "config_reloaded",
              {{"path", options.overrides.config_path},
               {"state", "watch roots, parallel uploads and bandwidth reloaded"}});
        }
        (void)notify.Ready();
      }
    }
  }
  (void)notify.Stopping();
  Log(LogLevel::kInfo, "daemon_stopping", {{"state", "finishing in-flight requests"}});
  commands.Close();
  if (metrics) metrics->Stop();
  control.Stop();
  delivery.Stop();
  ::close(sig_fd);
  ::close(wake_fd);
  return exit_code;
}

}  // namespace seqgate::daemon
