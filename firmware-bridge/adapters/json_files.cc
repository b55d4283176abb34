#include "adapters/json_files.h"

#include <initializer_list>

namespace seqgate::bridge {
namespace {

constexpr int kMaxDepth = 64;

// Depth of [ and { outside strings, stopping as soon as it exceeds kMaxDepth.
bool TooDeep(std::string_view text, size_t* at) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        *at = i;
        return true;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::string StringField(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = j.find(k);
    if (it == j.end()) continue;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
  }
  return {};
}

}  // namespace

Result<nlohmann::json> ParseJsonText(std::string_view text) {
  size_t at = 0;
  if (TooDeep(text, &at)) {
    return Corruption("JSON nested deeper than " + std::to_string(kMaxDepth) + " levels at byte " +
                      std::to_string(at));
  }
  // nlohmann reports errors by exception; this is the boundary where we turn it into a Status.
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    return Corruption("malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: a number too large for a double ("1e999") is out_of_range.
    return Corruption(std::string("unreadable JSON: ") + e.what());
  }
}

Result<ElementRunParameters> ParseElementRunParameters(std::string_view text) {
  SEQGATE_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonText(text));
  if (!j.is_object()) return Corruption("top level is not a JSON object");
  ElementRunParameters p;
  p.run_name = StringField(j, {"RunName"});
  p.run_id = StringField(j, {"RunID", "RunId"});
  p.flow_cell = StringField(j, {"FlowcellID", "FlowCellID"});
  p.instrument = StringField(j, {"InstrumentName", "InstrumentSerialNumber"});
  p.side = StringField(j, {"Side"});
  p.run_type = StringField(j, {"RunType"});
  p.date = StringField(j, {"Date"});
  if (p.run_id.empty() && p.run_name.empty()) return InvalidArgument("no RunID or RunName");
  return p;
}

Result<std::string> ParseElementOutcome(std::string_view text) {
  SEQGATE_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonText(text));
  if (!j.is_object()) return Corruption("top level is not a JSON object");
  return StringField(j, {"outcome", "Outcome"});
}

Result<bool> ParseDragenErrorSummary(std::string_view text) {
  SEQGATE_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonText(text));
  if (!j.is_object()) return Corruption("top level is not a JSON object");
  return StringField(j, {"result", "Result"}) == "error";
}

}  // namespace seqgate::bridge
