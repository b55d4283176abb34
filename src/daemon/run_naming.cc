#include "daemon/run_naming.h"

#include <nlohmann/json.hpp>

namespace seqgate::daemon {
namespace {

bool Allowed(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '+' || c == '-';
}
bool Alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string CentreRunName(const bridge::RunIdentity& id) {
  std::string name = id.run_id;
  if (!id.flow_cell.empty() && name.find(id.flow_cell) == std::string::npos) {
    name += (name.empty() ? "" : "_") + id.flow_cell;
  }
  for (char& c : name) {
    if (!Allowed(c)) c = '_';
  }
  if (name.empty() || !Alnum(name.front())) name = "run_" + name;
  if (name.size() > 128) name.resize(128);
  return name;
}

std::string MetadataJson(const bridge::RunIdentity& id) {
  nlohmann::json j = nlohmann::json::object();
  if (!id.model.empty()) j["model"] = id.model;
  for (const auto& [k, v] : id.metadata) j[k] = v;
  // Instrument files are not guaranteed UTF-8: replace rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace seqgate::daemon
