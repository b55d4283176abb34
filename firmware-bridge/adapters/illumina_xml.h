// Parsers for Illumina's run-folder XML: RunInfo.xml, RunParameters.xml (both spellings) and
// RunCompletionStatus.xml (both schemas). Pure functions over the file's text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace seqgate::bridge {

struct IlluminaRead {
  int number = 0;
  int cycles = 0;
  bool indexed = false;
};

// What RunInfo.xml says about a run. Written at run start, so always there for a real run.
struct IlluminaRunInfo {
  std::string run_id;
  std::string run_number;
  std::string flow_cell;
  std::string instrument;
  std::string date;  // normalized: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[zone]"
  std::vector<IlluminaRead> reads;
  int lane_count = 0;
};

// Fields of RunParameters.xml that identify the instrument and the run; empty when absent.
// Key names vary across instrument generations; the parser tries each known spelling.
struct IlluminaRunParameters {
  std::string instrument_type;  // InstrumentType / ApplicationName
  std::string instrument_id;    // InstrumentSerialNumber / ScannerID / InstrumentName / ...
  std::string experiment_name;
  std::string side;
  std::string recipe;
  std::string flow_cell_type;
  std::string output_folder;
  std::string secondary_analysis_mode;
};

// RunCompletionStatus.xml, either schema, reduced to what it means.
struct IlluminaCompletion {
  enum class Meaning { kCompleted, kFailed, kAborted, kUnknown };
  Meaning meaning = Meaning::kUnknown;
  std::string value;  // CompletedAsPlanned, ExceptionEndedEarly, UserEndedEarly, RunCompleted,
                      // RunErrored, or whatever new word the instrument wrote
  std::string error_description;
};

// Parses RunInfo.xml. Fails with kCorruption (malformed XML, with byte offset) or
// kInvalidArgument (no <Run Id=...>); an unparseable <Date> is kept verbatim, not an error.
[[nodiscard]] Result<IlluminaRunInfo> ParseRunInfo(std::string_view xml);

// Parses RunParameters.xml / runParameters.xml; missing fields stay empty.
[[nodiscard]] Result<IlluminaRunParameters> ParseRunParameters(std::string_view xml);

// Parses RunCompletionStatus.xml: <CompletionStatus> (NextSeq/MiSeq) or <RunStatus>
// (NovaSeq X). Unknown values give kUnknown ("ended, outcome unknown"), not an error.
[[nodiscard]] Result<IlluminaCompletion> ParseRunCompletionStatus(std::string_view xml);

// Normalizes the four historical <Date> formats: YYMMDD, YYYYMMDD, "M/d/yyyy h:mm:ss AM|PM"
// and ISO-8601. kInvalidArgument for anything else.
[[nodiscard]] Result<std::string> NormalizeIlluminaDate(std::string_view date);

}  // namespace seqgate::bridge
