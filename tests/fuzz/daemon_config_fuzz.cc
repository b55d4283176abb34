// seqgated's TOML configuration file (ParseDaemonConfig over toml++ and TomlReader). Only
// parsing: the checks that touch the filesystem (CheckDaemonConfig) are left out so the fuzzer
// never stats paths it made up.
#include <cstddef>
#include <cstdint>

#include "daemon/daemon_config.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seqgate;
  auto c = daemon::ParseDaemonConfig(fuzz::AsText(data, size), "fuzz.toml");
  if (c.ok()) (void)c->ControlSocketPath();
  return 0;
}
