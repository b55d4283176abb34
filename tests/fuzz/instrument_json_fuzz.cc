// The JSON instruments write: Element AVITI RunParameters.json and RunUploaded.json, DRAGEN
// Error_Summary.json, Ultima UploadCompleted.json (parsed as generic JSON by its adapter).
// The first byte picks the file, the rest is its text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/json_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seqgate::bridge;
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0:
      (void)ParseElementRunParameters(text);
      break;
    case 1:
      (void)ParseElementOutcome(text);
      break;
    case 2:
      (void)ParseDragenErrorSummary(text);
      break;
    default: {
      auto j = ParseJsonText(text);
      // The Ultima adapter only insists it is whole; a parsed document must also print.
      if (j.ok() && j->is_object()) (void)j->dump();
      break;
    }
  }
  return 0;
}
