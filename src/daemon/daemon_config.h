// seqgated's configuration: the TOML file (/etc/seqgate/seqgated.toml by default) with the
// command line on top. Every key is checked; `seqgated --check-config` prints every problem
// with file, line and key. Secrets (the client key) must not be readable by others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/adapter.h"
#include "common/status.h"
#include "daemon/s3_config.h"
#include "pipeline/pipeline_config.h"
#include "transfer/bandwidth_schedule.h"
#include "transfer/tls_config.h"

namespace seqgate::daemon {

// One watched instrument root.
struct WatchRoot {
  std::string path;
  bool generic = false;  // unclaimed folders directly below are generic runs
  int depth = 4;
  std::vector<std::string> include, exclude;  // ship-policy overrides
  std::vector<std::string> expected;          // MGI/generic completion
  std::string marker;
};

struct DaemonConfig {
  std::string source = "(defaults)";  // the file it came from, for messages

  // [gateway]
  std::string site;  // this lab's name, for manifests and messages (the centre trusts the cert)
  std::string state_dir = "/var/lib/seqgate";
  std::string log_level = "info";
  std::string control_socket;              // "" = <state_dir>/control.sock
  std::string metrics = "127.0.0.1:9465";  // "" = off
  std::string delivered_dir;               // SeqgateDelivered.json per run goes here; "" = off
  bool delivered_in_run_folder = false;    // write it into the run folder instead (opt-in only)
  bool ship_failed_runs = true;            // failed/aborted runs: deliver what exists

  // [centre]
  std::string protocol = "tus";  // tus (seqgate-ingest or any tus server) | s3 (an S3 inbox)
  std::string endpoint;
  transfer::TlsConfig tls;  // client_cert, client_key, ca, pin, proxy

  // [transfer]
  unsigned parallel = 2;
  uint64_t patch_size = 64ull << 20;
  uint64_t max_patch_size = 1ull << 30;  // UploadSpec::max_patch_size
  std::string bandwidth;  // BandwidthSchedule text; "" = unlimited
  double stall_seconds = 60;
  double connect_timeout_seconds = 20;
  bool md5_from_centre = true;  // a verifying centre's receipt supplies the original's MD5

  // [watch]
  double interval_seconds = 60;
  double settle_seconds = 120;
  double stall_hours = 6;
  std::vector<WatchRoot> roots;

  // [pipeline]
  pipeline::PipelineConfig pipeline;

  // [s3] and [crypt4gh], used when protocol = "s3"
  S3Settings s3;

  std::string ControlSocketPath() const;
  std::string JournalPath() const { return state_dir + "/journal.sqlite"; }
};

// Command-line values; each set one wins over the file.
struct ConfigOverrides {
  std::string config_path;
  std::vector<std::string> watch;
  std::string endpoint, client_cert, client_key, ca, state_dir, site;
};

// Reads the file named by `o.config_path` (none: defaults), applies the overrides and checks
// the result. kInvalidArgument with every problem, one per line, each naming where.
Result<DaemonConfig> LoadDaemonConfig(const ConfigOverrides& o);
// Parses TOML text (tests); `source` names it in messages. No overrides, no final checks.
Result<DaemonConfig> ParseDaemonConfig(std::string_view text, const std::string& source);
// The checks that need the whole picture and the filesystem: endpoint and TLS files present,
// key not readable by others, at least one watch root, roots are directories.
Status CheckDaemonConfig(const DaemonConfig& c);

}  // namespace seqgate::daemon
