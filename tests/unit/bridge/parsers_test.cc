#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "adapters/illumina_xml.h"
#include "adapters/json_files.h"
#include "adapters/text_tables.h"

namespace seqgate::bridge {

TEST_CASE("Illumina <Date>: all four historical formats normalize") {
  CHECK(*NormalizeIlluminaDate("230224") == "2023-02-24");
  CHECK(*NormalizeIlluminaDate("20240202") == "2024-02-02");
  CHECK(*NormalizeIlluminaDate("2/24/2023 3:04:05 PM") == "2023-02-24T15:04:05");
  CHECK(*NormalizeIlluminaDate("12/1/2022 12:00:01 AM") == "2022-12-01T00:00:01");
  CHECK(*NormalizeIlluminaDate("2024-02-02T10:11:12Z") == "2024-02-02T10:11:12Z");
  CHECK(*NormalizeIlluminaDate("2024-02-02T10:11:12+01:00") == "2024-02-02T10:11:12+01:00");
  CHECK_FALSE(NormalizeIlluminaDate("231324").ok());
  CHECK_FALSE(NormalizeIlluminaDate("yesterday").ok());
  CHECK_FALSE(NormalizeIlluminaDate("13/40/2023 1:00:00 PM").ok());
}

TEST_CASE("RunInfo.xml: identity, reads, lanes - hostile input is an error, not a crash") {
  const char* xml = R"(<?xml version="1.0"?>
<RunInfo Version="6"><Run Id="20240202_LH00217_0044_A2255J2LT3" Number="44">
<Flowcell>2255J2LT3</Flowcell><Instrument>LH00217</Instrument><Date>2/2/2024 9:15:00 AM</Date>
<Reads><Read Number="1" NumCycles="151" IsIndexedRead="N" IsReverseComplement="N"/>
<Read Number="2" NumCycles="10" IsIndexedRead="Y" IsReverseComplement="N"/></Reads>
<FlowcellLayout LaneCount="8" SurfaceCount="2" SwathCount="2" TileCount="98"/></Run></RunInfo>)";
  auto info = ParseRunInfo(xml);
  REQUIRE(info.ok());
  CHECK(info->run_id == "20240202_LH00217_0044_A2255J2LT3");
  CHECK(info->flow_cell == "2255J2LT3");
  CHECK(info->instrument == "LH00217");
  CHECK(info->date == "2024-02-02T09:15:00");
  CHECK(info->lane_count == 8);
  REQUIRE(info->reads.size() == 2);
  CHECK(info->reads[1].indexed);

  auto truncated = ParseRunInfo(std::string(xml).substr(0, 120));
  CHECK(truncated.status().code() == StatusCode::kCorruption);
  CHECK(truncated.status().message().find("malformed XML at byte") != std::string::npos);
  CHECK(ParseRunInfo("<RunInfo><Run/></RunInfo>").status().code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(ParseRunInfo("").ok());
  CHECK_FALSE(ParseRunInfo(std::string("\0\0\xff\xfe", 4)).ok());
  // Entity tricks are neither expanded nor fetched.
  auto ent = ParseRunInfo(
      "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><RunInfo><Run "
      "Id=\"&x;\"/></RunInfo>");
  if (ent.ok()) CHECK(ent->run_id.find("root:") == std::string::npos);
  // Deep nesting does not exhaust the stack.
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "<a>";
  CHECK_FALSE(ParseRunInfo(deep).ok());
}

TEST_CASE("RunParameters.xml: each known spelling of the instrument fields") {
  auto x = ParseRunParameters(
      "<RunParameters><InstrumentType>NovaSeqXPlus</InstrumentType>"
      "<InstrumentSerialNumber>LH00217</InstrumentSerialNumber><Side>A</Side>"
      "<RecipeName>10B</RecipeName></RunParameters>");
  REQUIRE(x.ok());
  CHECK(x->instrument_type == "NovaSeqXPlus");
  CHECK(x->instrument_id == "LH00217");
  CHECK(x->side == "A");
  auto old = ParseRunParameters(
      "<RunParameters><Setup><ApplicationName>MiSeq Control Software</ApplicationName>"
      "<ScannerID>M02439</ScannerID></Setup><ExperimentName>exp1</ExperimentName></RunParameters>");
  REQUIRE(old.ok());
  CHECK(old->instrument_type == "MiSeq Control Software");
  CHECK(old->instrument_id == "M02439");
  CHECK(old->experiment_name == "exp1");
}

TEST_CASE("RunCompletionStatus.xml: both schemas, unknown values kept as unknown") {
  using M = IlluminaCompletion::Meaning;
  auto a = ParseRunCompletionStatus(
      "<RunCompletionStatus><CompletionStatus>ExceptionEndedEarly</CompletionStatus>"
      "<RunId>x</RunId><ErrorDescription>Fluidics</ErrorDescription></RunCompletionStatus>");
  REQUIRE(a.ok());
  CHECK(a->meaning == M::kFailed);
  CHECK(a->error_description == "Fluidics");
  CHECK(ParseRunCompletionStatus("<R><CompletionStatus>UserEndedEarly</CompletionStatus></R>")
            ->meaning == M::kAborted);
  CHECK(ParseRunCompletionStatus("<R><CompletionStatus>CompletedAsPlanned</CompletionStatus></R>")
            ->meaning == M::kCompleted);
  CHECK(ParseRunCompletionStatus("<R><RunStatus>RunCompleted</RunStatus></R>")->meaning ==
        M::kCompleted);
  CHECK(ParseRunCompletionStatus("<R><RunStatus>RunErrored</RunStatus></R>")->meaning ==
        M::kFailed);
  auto odd = ParseRunCompletionStatus("<R><RunStatus>RunPaused</RunStatus></R>");
  CHECK(odd->meaning == M::kUnknown);
  CHECK(odd->value == "RunPaused");
  CHECK_FALSE(ParseRunCompletionStatus("<R/>").ok());
}

TEST_CASE("JSON: truncated, deeply nested and non-object input are clear errors") {
  CHECK(*ParseElementOutcome(R"({"outcome": "OutcomeCompleted"})") == "OutcomeCompleted");
  auto trunc = ParseElementOutcome(R"({"outcome": "Outc)");
  CHECK(trunc.status().code() == StatusCode::kCorruption);
  CHECK(trunc.status().message().find("malformed JSON at byte") != std::string::npos);
  CHECK_FALSE(ParseElementOutcome("[1,2]").ok());
  auto deep = ParseJsonText(std::string(100000, '['));
  CHECK(deep.status().message().find("nested deeper") != std::string::npos);
  // Found by fuzzing: a number beyond a double threw out_of_range past the parse_error catch.
  CHECK(ParseElementRunParameters(R"({"RunID": "A", "Side": 1e999})").status().code() ==
        StatusCode::kCorruption);
  CHECK(*ParseDragenErrorSummary(R"({"result":"error","details":[]})"));
  CHECK_FALSE(*ParseDragenErrorSummary(R"({"result":"success"})"));
  auto p = ParseElementRunParameters(
      R"({"RunName":"r1","RunID":"AV1-42","FlowcellID":"2345","InstrumentName":"AV234","RunType":"Sequencing"})");
  REQUIRE(p.ok());
  CHECK(p->run_id == "AV1-42");
  CHECK(p->flow_cell == "2345");
}

TEST_CASE("text tables: key=value, CSV with quotes, binary refused") {
  auto kv = ParseKeyValueLines(
      "instrument=PC24B\nflow_cell_id=PAK1\nnoise\n fastq_files_in_final_dest = 3 \n");
  REQUIRE(kv.ok());
  CHECK(kv->at("flow_cell_id") == "PAK1");
  CHECK(kv->at("fastq_files_in_final_dest") == "3");
  auto t = ParseDelimited("a,b,c\n1,\"x,y\",3\n\n4,5,6\n", ',', true);
  REQUIRE(t.ok());
  CHECK(t->Column("b") == 1);
  REQUIRE(t->rows.size() == 2);
  CHECK(t->rows[0][1] == "x,y");
  CHECK_FALSE(ParseKeyValueLines(std::string("a=b\0c", 5)).ok());
  CHECK(GuessDigestAlgorithm(std::string(64, 'a')) == "sha256");
  CHECK(GuessDigestAlgorithm(std::string(32, 'F')) == "md5");
  CHECK(GuessDigestAlgorithm("xyz").empty());
}

}  // namespace seqgate::bridge

namespace seqgate::bridge {

// Mutated real samples (bytes flipped, truncated, spliced): every parser must return a value
// or an error, never crash or hang. Deterministic; the sanitizer build makes it strict.
TEST_CASE("parsers survive mutated input") {
  const std::vector<std::string> samples = {
      "<RunInfo><Run Id=\"a\" Number=\"1\"><Flowcell>F</Flowcell><Date>230224</Date><Reads>"
      "<Read Number=\"1\" NumCycles=\"151\" IsIndexedRead=\"N\"/></Reads></Run></RunInfo>",
      "<RunCompletionStatus><CompletionStatus>CompletedAsPlanned</CompletionStatus>"
      "</RunCompletionStatus>",
      R"({"outcome": "OutcomeCompleted", "RunID": "x", "Cycles": {"R1": 151}})",
      "instrument=PC\nflow_cell_id=PAK\nfastq_files_in_final_dest=3\n",
      "file_hash,file_path\n" + std::string(64, 'a') + ",fastq_pass/x.fastq.gz\n\"q,\"\"x\",y\n"};
  uint64_t state = 12345;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  size_t parsed = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string s = samples[next() % samples.size()];
    const int edits = 1 + static_cast<int>(next() % 6);
    for (int k = 0; k < edits && !s.empty(); ++k) {
      const size_t at = next() % s.size();
      switch (next() % 4) {
        case 0:
          s[at] = static_cast<char>(next() & 0xff);
          break;
        case 1:
          s.resize(at);
          break;
        case 2:
          s.insert(at, s.substr(next() % s.size(), next() % 16));
          break;
        default:
          s.erase(at, next() % 8);
          break;
      }
    }
    parsed += ParseRunInfo(s).ok();
    parsed += ParseRunParameters(s).ok();
    parsed += ParseRunCompletionStatus(s).ok();
    parsed += ParseJsonText(s).ok();
    parsed += ParseElementOutcome(s).ok();
    parsed += ParseDragenErrorSummary(s).ok();
    parsed += ParseKeyValueLines(s).ok();
    parsed += ParseDelimited(s, ',', true).ok();
    parsed += NormalizeIlluminaDate(s.substr(0, 24)).ok();
  }
  CHECK(parsed > 0);  // some mutations stay valid; the point is that none crashed
}

}  // namespace seqgate::bridge
