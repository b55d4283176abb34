// seqgate-ingest's TOML configuration file and its HOST:PORT values. The first byte picks
// which; the rest is the text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz/fuzz_input.h"
#include "ingest/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seqgate;
  if (size < 1) return 0;
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto c = ingest::ParseConfig(text, "fuzz.toml");
    if (c.ok()) (void)ingest::ValidateConfig(*c);  // pure: cross-field rules only
  } else {
    auto hp = ingest::ParseHostPort(text);
    if (hp.ok()) {
      // What we print we parse back the same.
      auto again = ingest::ParseHostPort(hp->ToString());
      if (!again.ok() || again->host != hp->host || again->port != hp->port) std::abort();
    }
  }
  return 0;
}
