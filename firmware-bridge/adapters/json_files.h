// Parsers for the JSON that instruments write: Element AVITI RunParameters.json and
// RunUploaded.json, Illumina DRAGEN Error_Summary.json, Ultima UploadCompleted.json.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace seqgate::bridge {

// Parses JSON text, refusing nesting deeper than 64 levels before the parser sees it (deep
// nesting is never legitimate here and would cost stack). kCorruption with the byte offset.
[[nodiscard]] Result<nlohmann::json> ParseJsonText(std::string_view text);

// Element AVITI RunParameters.json, reduced to the identifying fields (empty when absent).
struct ElementRunParameters {
  std::string run_name;
  std::string run_id;
  std::string flow_cell;
  std::string instrument;
  std::string side;
  std::string run_type;  // Sequencing | Cytoprofiling | wash | prime | ...
  std::string date;
};
[[nodiscard]] Result<ElementRunParameters> ParseElementRunParameters(std::string_view text);

// The "outcome" of Element's RunUploaded.json ("OutcomeCompleted", "OutcomeFailed", ...);
// empty when the file has none. kCorruption when the file is not a JSON object.
[[nodiscard]] Result<std::string> ParseElementOutcome(std::string_view text);

// Whether a DRAGEN Error_Summary.json reports a failed analysis ({"result": "error"}).
[[nodiscard]] Result<bool> ParseDragenErrorSummary(std::string_view text);

}  // namespace seqgate::bridge
