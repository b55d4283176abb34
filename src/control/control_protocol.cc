#include "control/control_protocol.h"

#include <exception>

namespace seqgate::control {
namespace {

using nlohmann::json;

json OkResponse(json result) { return {{"ok", true}, {"result", std::move(result)}}; }

json FromResult(Result<json> r) {
  if (!r.ok()) return ErrorResponse(r.status());
  return OkResponse(std::move(r).value());
}

StatusCode CodeFromName(std::string_view name) {
  for (int c = static_cast<int>(StatusCode::kInvalidArgument);
       c <= static_cast<int>(StatusCode::kInternal); ++c) {
    if (StatusCodeName(static_cast<StatusCode>(c)) == name) return static_cast<StatusCode>(c);
  }
  return StatusCode::kInternal;  // an unknown name still has to be a failure
}

// The commands whose argument names something; the others ignore "arg".
bool NeedsArg(std::string_view cmd) {
  return cmd == "files" || cmd == "retry" || cmd == "mark-complete";
}

json Dispatch(ControlTarget& target, const std::string& cmd, const std::string& arg) {
  if (cmd == "status") return OkResponse(target.Status());
  if (cmd == "runs") return OkResponse(target.Runs());
  if (cmd == "files") return FromResult(target.Files(arg));
  if (cmd == "retry") return FromResult(target.Retry(arg));
  if (cmd == "pause") return FromResult(target.Pause());
  if (cmd == "resume") return FromResult(target.Resume());
  if (cmd == "mark-complete") return FromResult(target.MarkComplete(arg));
  return ErrorResponse(
      InvalidArgument("unknown command '" + cmd +
                      "' (expected status, runs, files, retry, pause, resume or mark-complete)"));
}

}  // namespace

json ErrorResponse(const Status& status) {
  return {{"ok", false},
          {"error", status.message().empty() ? std::string(StatusCodeName(status.code()))
                                             : status.message()},
          {"code", std::string(StatusCodeName(status.code()))}};
}

json HandleRequest(ControlTarget& target, std::string_view line) {
  if (line.size() > kMaxRequestBytes) {
    return ErrorResponse(
        InvalidArgument("request longer than " + std::to_string(kMaxRequestBytes) + " bytes"));
  }
  json req = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded()) return ErrorResponse(InvalidArgument("request is not valid JSON"));
  if (!req.is_object()) return ErrorResponse(InvalidArgument("request must be a JSON object"));
  auto cmd_it = req.find("cmd");
  if (cmd_it == req.end() || !cmd_it->is_string()) {
    return ErrorResponse(InvalidArgument("request needs \"cmd\" (a string)"));
  }
  const std::string cmd = cmd_it->get<std::string>();
  std::string arg;
  if (auto a = req.find("arg"); a != req.end() && !a->is_null()) {
    if (!a->is_string()) return ErrorResponse(InvalidArgument("\"arg\" must be a string"));
    arg = a->get<std::string>();
  }
  if (NeedsArg(cmd) && arg.empty()) {
    return ErrorResponse(InvalidArgument(cmd + " needs \"arg\""));
  }
  // The server thread is a program boundary: a throwing target must not take the daemon down.
  try {
    return Dispatch(target, cmd, arg);
  } catch (const std::exception& e) {
    return ErrorResponse(Internal(cmd + " failed: " + e.what()));
  }
}

std::string DumpLine(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string EncodeRequest(std::string_view cmd, std::string_view arg) {
  json req = {{"cmd", std::string(cmd)}};
  if (!arg.empty()) req["arg"] = std::string(arg);
  return DumpLine(req);
}

Result<json> DecodeResponse(std::string_view line) {
  json res = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (res.is_discarded() || !res.is_object() || !res.contains("ok") || !res["ok"].is_boolean()) {
    return Corruption("the control socket answered something that is not a response");
  }
  if (res["ok"].get<bool>()) {
    auto r = res.find("result");
    return r == res.end() ? json::object() : std::move(*r);
  }
  std::string message = "request failed";
  if (auto e = res.find("error"); e != res.end() && e->is_string()) message = e->get<std::string>();
  StatusCode code = StatusCode::kInternal;
  if (auto c = res.find("code"); c != res.end() && c->is_string()) {
    code = CodeFromName(c->get<std::string>());
  }
  return Status(code, std::move(message));
}

}  // namespace seqgate::control
