// Illumina run-folder XML as an instrument (or anyone with write access to the run folder)
// may write it: RunInfo.xml, RunParameters.xml, RunCompletionStatus.xml, and the <Date> forms.
// The first byte picks the parser, the rest is the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/illumina_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seqgate::bridge;
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto info = ParseRunInfo(text);
      if (info.ok() && info->run_id.empty()) std::abort();  // documented: Id is required
      break;
    }
    case 1:
      (void)ParseRunParameters(text);
      break;
    case 2:
      (void)ParseRunCompletionStatus(text);
      break;
    default: {
      // A normalised date is a fixed point: normalising it again gives it back.
      auto d = NormalizeIlluminaDate(text);
      if (d.ok()) {
        auto again = NormalizeIlluminaDate(*d);
        if (!again.ok() || *again != *d) std::abort();
      }
      break;
    }
  }
  return 0;
}
