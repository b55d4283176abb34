// seqgated: the gateway daemon. Parses the command line, loads and checks the configuration,
// and runs the loop (daemon.cc). Exceptions stop here (CLI11 reports usage errors by exception).
#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "daemon/daemon.h"
#include "daemon/daemon_config.h"
#include "journal/power_cut_vfs.h"

int main(int argc, char** argv) {
  using namespace seqgate::daemon;
  CLI::App app{
      "seqgated — watches instrument run folders and delivers every finished file, verified, to "
      "the national genome centre"};
  ConfigOverrides o;
  bool check = false, once = false;
  o.config_path = "/etc/seqgate/seqgated.toml";
  app.add_option("--config", o.config_path, "TOML configuration (/etc/seqgate/seqgated.toml)");
  app.add_option("--watch", o.watch,
                 "Instrument folder to watch (repeatable; replaces the "
                 "config's roots; family detected per run)");
  app.add_option("--endpoint", o.endpoint, "The centre's tus URL (https://host:port/files/)");
  app.add_option("--client-cert", o.client_cert, "PEM client certificate issued by the centre");
  app.add_option("--client-key", o.client_key, "PEM private key (mode 0600 or stricter)");
  app.add_option("--ca", o.ca, "PEM CA bundle that verifies the centre");
  app.add_option("--state-dir", o.state_dir, "Journal and control socket directory");
  app.add_option("--site", o.site, "This lab's name (manifests, messages)");
  app.add_flag("--check-config", check, "Check the configuration, print every problem, exit");
  app.add_flag("--once", once, "Deliver every run that is complete now, then exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  // Relative folders from the command line are resolved once, here: the daemon's events and
  // journal name absolute paths.
  for (std::string& w : o.watch) {
    w = std::filesystem::absolute(w).lexically_normal().string();
  }
  if (!o.state_dir.empty()) {
    o.state_dir = std::filesystem::absolute(o.state_dir).lexically_normal().string();
  }
  if (!std::filesystem::exists(o.config_path) && o.config_path == "/etc/seqgate/seqgated.toml" &&
      !app.get_option("--config")->count()) {
    o.config_path.clear();  // no default file: the command line alone configures
  }
  auto config = LoadDaemonConfig(o);
  if (!config.ok()) {
    std::fprintf(stderr, "seqgated: configuration has problems:\n%s\n",
                 config.status().message().c_str());
    return 2;
  }
  if (check) {
    std::printf("%s: OK (%zu watch roots, endpoint %s)\n",
                o.config_path.empty() ? "command line" : o.config_path.c_str(),
                config->roots.size(), config->endpoint.c_str());
    return 0;
  }
  // Nothing unless the power-cut test hook is armed from the environment.
  if (auto st = seqgate::journal::InstallPowerCutVfsFromEnvironment(); !st.ok()) {
    std::fprintf(stderr, "seqgated: %s\n", st.ToString().c_str());
    return 1;
  }
  RunOptions ro;
  ro.once = once;
  ro.overrides = o;
  return RunDaemon(std::move(*config), ro);
}
