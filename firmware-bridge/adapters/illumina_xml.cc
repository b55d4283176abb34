#include "adapters/illumina_xml.h"

#include <pugixml.hpp>

#include <charconv>
#include <cstdio>
#include <initializer_list>

namespace seqgate::bridge {
namespace {

Status LoadXml(std::string_view xml, pugi::xml_document* doc) {
  // parse_default does not resolve DTDs or external entities, so hostile XML cannot make us
  // read other files or expand entity bombs.
  const pugi::xml_parse_result r =
      doc->load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_auto);
  if (!r) {
    return Corruption("malformed XML at byte " + std::to_string(r.offset) + ": " + r.description());
  }
  if (!doc->document_element()) return Corruption("XML has no root element");
  return Status::Ok();
}

// Text of the first element anywhere under `root` whose name is one of `names`.
std::string FirstText(const pugi::xml_node& root, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    pugi::xml_node found = root.find_node(
        [name](const pugi::xml_node& n) { return std::string_view(n.name()) == name; });
    if (found) {
      std::string_view t = found.child_value();
      while (!t.empty() &&
             (t.front() == ' ' || t.front() == '\n' || t.front() == '\r' || t.front() == '\t')) {
        t.remove_prefix(1);
      }
      while (!t.empty() &&
             (t.back() == ' ' || t.back() == '\n' || t.back() == '\r' || t.back() == '\t')) {
        t.remove_suffix(1);
      }
      if (!t.empty()) return std::string(t);
    }
  }
  return {};
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int ToInt(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool ValidYmd(int y, int m, int d) {
  return y >= 1990 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

std::string Ymd(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

}  // namespace

Result<std::string> NormalizeIlluminaDate(std::string_view date) {
  auto bad = [&] { return InvalidArgument("unrecognised date '" + std::string(date) + "'"); };
  if (date.size() == 6 && AllDigits(date)) {  // YYMMDD (MiSeq, NextSeq, NovaSeq 6000)
    const int y = 2000 + ToInt(date.substr(0, 2)), m = ToInt(date.substr(2, 2)),
              d = ToInt(date.substr(4, 2));
    if (!ValidYmd(y, m, d)) return bad();
    return Ymd(y, m, d);
  }
  if (date.size() == 8 && AllDigits(date)) {  // YYYYMMDD (NovaSeq X, MiSeq i100)
    const int y = ToInt(date.substr(0, 4)), m = ToInt(date.substr(4, 2)),
              d = ToInt(date.substr(6, 2));
    if (!ValidYmd(y, m, d)) return bad();
    return Ymd(y, m, d);
  }
  if (date.size() >= 10 && date[4] == '-' && date[7] == '-') {  // ISO-8601
    const int y = ToInt(date.substr(0, 4)), m = ToInt(date.substr(5, 2)),
              d = ToInt(date.substr(8, 2));
    if (!AllDigits(date.substr(0, 4)) || !AllDigits(date.substr(5, 2)) ||
        !AllDigits(date.substr(8, 2)) || !ValidYmd(y, m, d)) {
      return bad();
    }
    if (date.size() == 10) return Ymd(y, m, d);
    if (date[10] != 'T' && date[10] != ' ') return bad();
    std::string out = Ymd(y, m, d);
    out += 'T';
    out += date.substr(11);
    return out;
  }
  // "M/d/yyyy h:mm:ss AM" (older instruments, US locale).
  unsigned mo = 0, da = 0, ye = 0, hh = 0, mi = 0, ss = 0;
  char ampm[3] = {0, 0, 0};
  const std::string copy(date);
  const int n =
      std::sscanf(copy.c_str(), "%u/%u/%u %u:%u:%u %2s", &mo, &da, &ye, &hh, &mi, &ss, ampm);
  if (n == 7 || n == 3) {
    if (!ValidYmd(static_cast<int>(ye), static_cast<int>(mo), static_cast<int>(da))) {
      return bad();
    }
    std::string out = Ymd(static_cast<int>(ye), static_cast<int>(mo), static_cast<int>(da));
    if (n == 3) return out;
    const std::string_view ap(ampm);
    if (hh < 1 || hh > 12 || mi > 59 || ss > 60 || (ap != "AM" && ap != "PM")) return bad();
    if (ap == "AM" && hh == 12) hh = 0;
    if (ap == "PM" && hh != 12) hh += 12;
    char buf[16];
    std::snprintf(buf, sizeof buf, "T%02u:%02u:%02u", hh, mi, ss);
    return out + buf;
  }
  return bad();
}

Result<IlluminaRunInfo> ParseRunInfo(std::string_view xml) {
  pugi::xml_document doc;
  SEQGATE_RETURN_IF_ERROR(LoadXml(xml, &doc));
  const pugi::xml_node run = doc.child("RunInfo").child("Run");
  if (!run) return InvalidArgument("no <RunInfo><Run> element");
  IlluminaRunInfo info;
  info.run_id = run.attribute("Id").as_string();
  if (info.run_id.empty()) return InvalidArgument("<Run> has no Id attribute");
  info.run_number = run.attribute("Number").as_string();
  info.flow_cell = FirstText(run, {"Flowcell"});
  info.instrument = FirstText(run, {"Instrument"});
  const std::string raw_date = FirstText(run, {"Date"});
  if (!raw_date.empty()) {
    auto d = NormalizeIlluminaDate(raw_date);
    info.date = d.ok() ? *d : raw_date;
  }
  for (const pugi::xml_node& r : run.child("Reads").children("Read")) {
    IlluminaRead read;
    read.number = r.attribute("Number").as_int();
    read.cycles = r.attribute("NumCycles").as_int();
    read.indexed = std::string_view(r.attribute("IsIndexedRead").as_string()) == "Y";
    info.reads.push_back(read);
  }
  info.lane_count = run.child("FlowcellLayout").attribute("LaneCount").as_int();
  return info;
}

Result<IlluminaRunParameters> ParseRunParameters(std::string_view xml) {
  pugi::xml_document doc;
  SEQGATE_RETURN_IF_ERROR(LoadXml(xml, &doc));
  const pugi::xml_node root = doc.document_element();
  IlluminaRunParameters p;
  p.instrument_type = FirstText(root, {"InstrumentType", "ApplicationName", "Application"});
  p.instrument_id = FirstText(root, {"InstrumentSerialNumber", "ScannerID", "InstrumentName",
                                     "InstrumentId", "InstrumentID"});
  p.experiment_name = FirstText(root, {"ExperimentName", "RunName"});
  p.side = FirstText(root, {"Side", "FCPosition"});
  p.recipe = FirstText(root, {"RecipeName", "Chemistry"});
  p.flow_cell_type = FirstText(root, {"FlowCellType", "FlowCellMode"});
  p.output_folder = FirstText(root, {"OutputFolder", "OutputRunFolder"});
  p.secondary_analysis_mode = FirstText(root, {"SecondaryAnalysisMode"});
  return p;
}

Result<IlluminaCompletion> ParseRunCompletionStatus(std::string_view xml) {
  pugi::xml_document doc;
  SEQGATE_RETURN_IF_ERROR(LoadXml(xml, &doc));
  const pugi::xml_node root = doc.document_element();
  IlluminaCompletion c;
  using M = IlluminaCompletion::Meaning;
  c.error_description = FirstText(root, {"ErrorDescription", "ErrorMessage"});
  if (std::string v = FirstText(root, {"CompletionStatus"}); !v.empty()) {
    c.value = v;
    if (v == "CompletedAsPlanned")
      c.meaning = M::kCompleted;
    else if (v == "ExceptionEndedEarly")
      c.meaning = M::kFailed;
    else if (v == "UserEndedEarly")
      c.meaning = M::kAborted;
    return c;
  }
  if (std::string v = FirstText(root, {"RunStatus"}); !v.empty()) {
    c.value = v;
    if (v == "RunCompleted")
      c.meaning = M::kCompleted;
    else if (v == "RunErrored")
      c.meaning = M::kFailed;
    else if (v == "RunStopped" || v == "RunAborted")
      c.meaning = M::kAborted;
    return c;
  }
  return InvalidArgument("neither <CompletionStatus> nor <RunStatus> present");
}

}  // namespace seqgate::bridge
