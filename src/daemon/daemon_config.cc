#include "daemon/daemon_config.h"

#include <sys/stat.h>

#include <toml++/toml.h>

#include "daemon/toml_reader.h"
#include "transfer/tls_config.h"

namespace seqgate::daemon {
namespace {

void ReadGateway(TomlReader& r, DaemonConfig* c) {
  r.String("site", &c->site);
  r.String("state_dir", &c->state_dir);
  if (r.String("log_level", &c->log_level) && c->log_level != "debug" && c->log_level != "info" &&
      c->log_level != "warning" && c->log_level != "error") {
    r.Error("log_level", "must be one of debug, info, warning, error");
  }
  r.String("control_socket", &c->control_socket);
  r.String("metrics", &c->metrics);
  r.String("delivered_dir", &c->delivered_dir);
  r.Bool("delivered_in_run_folder", &c->delivered_in_run_folder);
  r.Bool("ship_failed_runs", &c->ship_failed_runs);
}

void ReadCentre(TomlReader& r, DaemonConfig* c) {
  if (r.String("protocol", &c->protocol) && c->protocol != "tus" && c->protocol != "s3") {
    r.Error("protocol", "must be tus or s3");
  }
  r.String("endpoint", &c->endpoint);
  r.String("client_cert", &c->tls.client_cert);
  r.String("client_key", &c->tls.client_key);
  r.String("ca", &c->tls.ca_file);
  r.String("pin", &c->tls.pinned_public_key);
  r.String("proxy", &c->tls.proxy);
}

void ReadTransfer(TomlReader& r, DaemonConfig* c) {
  int64_t parallel = c->parallel;
  if (r.Int("parallel", 1, 64, &parallel)) c->parallel = static_cast<unsigned>(parallel);
  r.ByteSize("patch_size", 1ull << 20, 4ull << 30, &c->patch_size);
  r.ByteSize("max_patch_size", 1ull << 20, 16ull << 30, &c->max_patch_size);
  if (r.String("bandwidth", &c->bandwidth)) {
    auto s = transfer::BandwidthSchedule::Parse(c->bandwidth);
    if (!s.ok()) r.Error("bandwidth", s.status().message());
  }
  r.Seconds("stall_seconds", 5, 3600, &c->stall_seconds);
  r.Seconds("connect_timeout_seconds", 1, 600, &c->connect_timeout_seconds);
  r.Bool("md5_from_centre", &c->md5_from_centre);
}

void ReadRoot(TomlReader& r, WatchRoot* root) {
  if (!r.String("path", &root->path) || root->path.empty()) {
    r.Error("path", "every [[watch.root]] needs a path");
  }
  r.Bool("generic", &root->generic);
  int64_t depth = root->depth;
  if (r.Int("depth", 1, 16, &depth)) root->depth = static_cast<int>(depth);
  r.Strings("include", &root->include);
  r.Strings("exclude", &root->exclude);
  r.Strings("expected", &root->expected);
  r.String("marker", &root->marker);
}

void ReadWatch(TomlReader& r, DaemonConfig* c) {
  r.Seconds("interval_seconds", 1, 86400, &c->interval_seconds);
  r.Seconds("settle_seconds", 0, 86400, &c->settle_seconds);
  r.Seconds("stall_hours", 0.001, 24 * 365, &c->stall_hours);
  r.Tables("root", [&](TomlReader& rr) {
    WatchRoot root;
    ReadRoot(rr, &root);
    c->roots.push_back(std::move(root));
  });
}

Result<DaemonConfig> ParseDocument(const toml::table& doc, const std::string& source) {
  DaemonConfig c;
  c.source = source;
  ConfigErrors errors;
  {
    TomlReader top(&doc, source, "", &errors);
    top.Table("gateway", [&](TomlReader& r) { ReadGateway(r, &c); });
    top.Table("centre", [&](TomlReader& r) { ReadCentre(r, &c); });
    top.Table("transfer", [&](TomlReader& r) { ReadTransfer(r, &c); });
    top.Table("watch", [&](TomlReader& r) { ReadWatch(r, &c); });
    top.Table("s3", [&](TomlReader& r) { ReadS3Section(r, &c.s3); });
    top.Table("crypt4gh", [&](TomlReader& r) { ReadCrypt4ghSection(r, &c.s3); });
    top.Claim("pipeline");
  }
  auto pipe = pipeline::ParsePipelineConfig(doc, source);
  if (pipe.ok()) {
    c.pipeline = std::move(*pipe);
  } else {
    errors.Add(pipe.status().message());
  }
  if (!errors.empty()) return InvalidArgument(errors.Joined());
  return c;
}

bool IsDirectory(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string DaemonConfig::ControlSocketPath() const {
  return control_socket.empty() ? state_dir + "/control.sock" : control_socket;
}

Result<DaemonConfig> ParseDaemonConfig(std::string_view text, const std::string& source) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& err) {  // Debian's toml++ reports by exception
    return InvalidArgument(source + ":" + std::to_string(err.source().begin.line) + ": " +
                           std::string(err.description()));
  }
  return ParseDocument(doc, source);
}

Result<DaemonConfig> LoadDaemonConfig(const ConfigOverrides& o) {
  DaemonConfig c;
  if (!o.config_path.empty()) {
    toml::table doc;
    try {
      doc = toml::parse_file(o.config_path);
    } catch (const toml::parse_error& err) {
      const int line = static_cast<int>(err.source().begin.line);
      return InvalidArgument(o.config_path + (line > 0 ? ":" + std::to_string(line) : "") + ": " +
                             std::string(err.description()));
    }
    SEQGATE_ASSIGN_OR_RETURN(c, ParseDocument(doc, o.config_path));
  }
  if (!o.watch.empty()) {
    c.roots.clear();  // the command line names the roots: the file's are replaced, not merged
    for (const std::string& w : o.watch) {
      WatchRoot root;
      root.path = w;
      c.roots.push_back(std::move(root));
    }
  }
  if (!o.endpoint.empty()) c.endpoint = o.endpoint;
  if (!o.client_cert.empty()) c.tls.client_cert = o.client_cert;
  if (!o.client_key.empty()) c.tls.client_key = o.client_key;
  if (!o.ca.empty()) c.tls.ca_file = o.ca;
  if (!o.state_dir.empty()) c.state_dir = o.state_dir;
  if (!o.site.empty()) c.site = o.site;
  SEQGATE_RETURN_IF_ERROR(CheckDaemonConfig(c));
  return c;
}

Status CheckDaemonConfig(const DaemonConfig& c) {
  ConfigErrors errors;
  const std::string& src = c.source;
  if (c.protocol == "s3") {
    CheckS3Settings(c.s3, src, &errors);  // the inbox needs no [centre] endpoint or certificate
  } else {
    if (c.endpoint.empty()) {
      errors.Add(src + ": centre.endpoint: missing (or --endpoint URL)");
    } else if (c.endpoint.rfind("https://", 0) != 0) {
      errors.Add(src + ": centre.endpoint: must be an https:// URL ('" + c.endpoint + "')");
    }
    if (c.tls.client_cert.empty())
      errors.Add(src + ": centre.client_cert: missing (or --client-cert)");
    if (c.tls.client_key.empty())
      errors.Add(src + ": centre.client_key: missing (or --client-key)");
    if (c.tls.ca_file.empty()) errors.Add(src + ": centre.ca: missing (or --ca)");
    if (!c.tls.client_cert.empty() && !c.tls.client_key.empty() && !c.tls.ca_file.empty()) {
      if (Status s = c.tls.Validate(); !s.ok()) errors.Add(src + ": centre: " + s.message());
    }
  }
  if (c.roots.empty())
    errors.Add(src + ": watch.root: no instrument folder to watch (or --watch DIR)");
  for (const WatchRoot& r : c.roots) {
    if (!r.path.empty() && r.path.front() != '/') {
      errors.Add(src + ": watch.root.path: '" + r.path + "' must be an absolute path");
    } else if (!r.path.empty() && !IsDirectory(r.path)) {
      errors.Add(src + ": watch.root.path: '" + r.path + "' is not a directory");
    }
  }
  if (c.state_dir.empty() || c.state_dir.front() != '/') {
    errors.Add(src + ": gateway.state_dir: must be an absolute path ('" + c.state_dir + "')");
  }
  if (!c.delivered_dir.empty() && c.delivered_dir.front() != '/') {
    errors.Add(src + ": gateway.delivered_dir: must be an absolute path");
  }
  if (!errors.empty()) return InvalidArgument(errors.Joined());
  return Status::Ok();
}

}  // namespace seqgate::daemon
