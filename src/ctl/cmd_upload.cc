// seqgatectl upload: packs one file and uploads it with tus exactly as the gateway does,
// resuming from its own state file when run again after an interruption; prints the receipt.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/units.h"
#include "ctl/commands.h"
#include "pipeline/worker_pool.h"
#include "transfer/bandwidth_schedule.h"
#include "transfer/http_client.h"
#include "transfer/transfer_loop.h"
#include "transfer/tus_uploader.h"
#include "transfer/upload_group.h"
#include "transfer/upload_state.h"

namespace seqgate::ctl {
namespace {

struct UploadArgs {
  std::vector<std::string> files;
  std::string endpoint, cert, key, ca, pin, proxy, run, path, state;
  std::string patch_size = "64MiB", frame_size = "8MiB", bwlimit;
  std::string max_patch_size;  // empty: UploadSpec's default
  int level = 3;
  unsigned threads = 0, max_attempts = 0, parallel = 2;
  unsigned stall_seconds = 60, connect_timeout = 20;
  bool no_md5 = false, quiet = false, no_chunk_checksum = false, local_md5 = false;
};

std::string BaseName(const std::string& p) { return p.substr(p.rfind('/') + 1); }

// The signal that asked us to stop (0 = none). Lock-free atomics are async-signal-safe; a
// stop request is not (it takes a lock), so a watcher thread turns one into the other.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void OnStopSignal(int sig) { g_stop_signal.store(sig); }

// SIGTERM/SIGINT stop the uploads cleanly (in-flight PATCHes are cut, the acknowledged
// offsets stay in the state files) instead of killing the process mid-write.
class StopOnSignal {
 public:
  StopOnSignal() {
    struct sigaction sa {};
    sa.sa_handler = &OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old_term_);
    sigaction(SIGINT, &sa, &old_int_);
    watcher_ = std::jthread([this](std::stop_token done) {
      while (!done.stop_requested()) {
        if (g_stop_signal.load() != 0) {
          source_.request_stop();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~StopOnSignal() {
    watcher_.request_stop();
    watcher_.join();
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGINT, &old_int_, nullptr);
  }
  std::stop_token token() const { return source_.get_token(); }
  int signal() const { return g_stop_signal.load(); }

 private:
  std::stop_source source_;
  struct sigaction old_term_ {
  }, old_int_{};
  std::jthread watcher_;
};

// One file: its own state file; several: one state file each, in the --state directory.
std::string StatePathFor(const UploadArgs& a, const std::string& file) {
  const std::string name = BaseName(file) + ".seqgate-upload.json";
  if (a.files.size() == 1) return a.state.empty() ? name : a.state;
  return a.state.empty() ? name : a.state + "/" + name;
}

int RunUpload(const UploadArgs& a) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "seqgatectl upload: %s\n", s.ToString().c_str());
    return 1;
  };
  if (a.files.size() > 1 && !a.path.empty()) {
    return fail(InvalidArgument("--path names one file; with several files each keeps its name"));
  }
  transfer::TransportOptions transport;
  transport.tls = {a.cert, a.key, a.ca, a.pin, a.proxy};
  transport.low_speed_time = std::chrono::seconds(a.stall_seconds);
  transport.connect_timeout = std::chrono::seconds(a.connect_timeout);
  if (Status s = transport.tls.Validate(); !s.ok()) return fail(s);

  transfer::UploadSpec base;
  base.endpoint = a.endpoint;
  base.run = a.run;
  base.rel_path = a.path;
  base.pack.level = a.level;
  base.pack.md5 = !a.no_md5;
  auto frame = ParseByteSize(a.frame_size);
  if (!frame.ok()) return fail(frame.status());
  if (*frame > UINT32_MAX) return fail(InvalidArgument("--frame-size is over 4 GiB"));
  base.pack.frame_size = static_cast<uint32_t>(*frame);
  auto patch = ParseByteSize(a.patch_size);
  if (!patch.ok()) return fail(patch.status());
  base.patch_size = *patch;
  if (!a.max_patch_size.empty()) {
    auto max_patch = ParseByteSize(a.max_patch_size);
    if (!max_patch.ok()) return fail(max_patch.status());
    base.max_patch_size = *max_patch;
  }
  base.retry.max_attempts = a.max_attempts;
  base.chunk_checksums = !a.no_chunk_checksum;
  base.md5_from_centre = !a.local_md5;
  std::optional<transfer::BandwidthSchedule> schedule;
  if (!a.bwlimit.empty()) {
    auto s = transfer::BandwidthSchedule::Parse(a.bwlimit);
    if (!s.ok()) return fail(s.status());
    schedule = std::move(*s);
    base.bandwidth = &*schedule;
  }

  std::vector<transfer::UploadJob> jobs;
  for (const std::string& file : a.files) {
    transfer::UploadJob job;
    job.spec = base;
    job.spec.source_path = file;
    const std::string state_path = StatePathFor(a, file);
    job.spec.persist = [state_path](const transfer::UploadState& s) {
      return transfer::SaveUploadState(state_path, s);
    };
    if (!a.quiet) {
      std::string tag = a.files.size() == 1 ? "" : BaseName(file) + ": ";
      job.spec.log = [tag](const std::string& m) {
        std::fprintf(stderr, "seqgatectl upload: %s%s\n", tag.c_str(), m.c_str());
      };
    }
    auto resume = transfer::LoadUploadState(state_path);
    if (!resume.ok()) return fail(resume.status());
    job.resume = std::move(*resume);
    jobs.push_back(std::move(job));
  }

  StopOnSignal stop;
  for (auto& job : jobs) job.spec.stop = stop.token();
  pipeline::WorkerPool pool(a.threads);
  transfer::TransferLoop loop;
  auto results =
      transfer::RunUploads(*Env::Default(), pool, loop, transport, std::move(jobs), a.parallel);
  if (const int sig = stop.signal(); sig != 0) {
    std::fprintf(stderr, "seqgatectl upload: %s: interrupted; run again to resume\n",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 128 + sig;  // what a shell reports for a process the signal ended
  }
  int rc = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& out = results[i];
    if (!out.ok()) {
      std::fprintf(stderr, "seqgatectl upload: %s: %s\n", a.files[i].c_str(),
                   out.status().ToString().c_str());
      rc = 1;
      continue;
    }
    std::fprintf(
        stderr,
        "seqgatectl upload: done: %s → %s, %llu bytes, %llu body bytes sent this run, "
        "%u retries%s%s\n",
        a.files[i].c_str(), out->upload_url.c_str(), static_cast<unsigned long long>(out->length),
        static_cast<unsigned long long>(out->body_bytes_sent), out->retries,
        out->receipt_status.empty() ? "" : ", receipt status ", out->receipt_status.c_str());
    std::printf("%s\n", out->receipt.c_str());
    if (out->receipt_status == "quarantined") rc = 1;
  }
  return rc;
}

}  // namespace

void AddUploadCommand(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<UploadArgs>();
  CLI::App* cmd = app.add_subcommand(
      "upload", "Pack FILE and upload it to a centre over tus + mutual TLS; prints the receipt");
  cmd->add_option("FILE", a->files, "File(s) to upload")->required();
  cmd->add_option("--parallel", a->parallel, "Files uploaded at once (2)");
  cmd->add_option("--endpoint", a->endpoint, "tus creation URL (https://host:port/files/)")
      ->required();
  cmd->add_option("--client-cert", a->cert, "PEM client certificate issued by the centre")
      ->required();
  cmd->add_option("--client-key", a->key, "PEM private key (mode 0600 or stricter)")->required();
  cmd->add_option("--ca", a->ca, "PEM CA bundle that verifies the centre")->required();
  cmd->add_option("--pin", a->pin, "Pinned server public key (sha256//BASE64 or key file)");
  cmd->add_option("--proxy", a->proxy, "HTTPS CONNECT proxy (default: https_proxy/no_proxy)");
  cmd->add_option("--run", a->run, "Run the file belongs to (verified placement)");
  cmd->add_option("--path", a->path, "Relative path inside the run (default: FILE's name)");
  cmd->add_option("--state", a->state,
                  "Resume state file (default ./<name>.seqgate-upload.json); a directory for "
                  "several files");
  cmd->add_option("--patch-size", a->patch_size, "Bytes per PATCH, whole frames (64MiB)");
  cmd->add_option("--max-patch-size", a->max_patch_size,
                  "PATCHes of identity data read from the file grow up to this while their "
                  "answers cost over 1/20 of their time (1GiB; = --patch-size: never)");
  cmd->add_option("--frame-size", a->frame_size, "Original bytes per frame (8MiB)");
  cmd->add_option("--level", a->level, "zstd level (3)");
  cmd->add_option("--threads", a->threads, "Pack threads (default: all cores)");
  cmd->add_option("--bwlimit", a->bwlimit,
                  "Bandwidth cap: RATE or 'Mon-Fri 08:00-18:00 20MB/s; unlimited'");
  cmd->add_option("--max-attempts", a->max_attempts,
                  "Consecutive failed attempts before giving up (0 = keep trying)");
  cmd->add_option("--stall-seconds", a->stall_seconds,
                  "Abort a request that moves < 1 KiB/s for this long (60)");
  cmd->add_option("--connect-timeout", a->connect_timeout, "Connect timeout in seconds (20)");
  cmd->add_flag("--no-md5", a->no_md5, "Skip the MD5 of the original");
  cmd->add_flag("--local-md5", a->local_md5,
                "Compute the MD5 here even when the centre verifies (and states it in its receipt)");
  cmd->add_flag("--no-chunk-checksum", a->no_chunk_checksum,
                "Do not send Upload-Checksum (leaves only end-to-end verification)");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress notes on stderr");
  cmd->callback([a, &exit_code] { exit_code = RunUpload(*a); });
}

}  // namespace seqgate::ctl
