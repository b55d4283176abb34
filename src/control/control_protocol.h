// The control socket's wire protocol: one JSON object per line each way.
//   request  {"cmd":"status"|"runs"|"files"|"retry"|"pause"|"resume"|"mark-complete","arg":"…"}
//   response {"ok":true,"result":{…}}  or  {"ok":false,"error":"…","code":"not found"}
// Shared by the server (which answers lines) and the client (which sends and decodes them).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "control/control_target.h"

namespace seqgate::control {

// Longest request line the server reads (without its '\n'); longer ones get an error response.
inline constexpr size_t kMaxRequestBytes = 64 * 1024;
// Longest response line the client accepts (a Files() of a very large run stays well below).
inline constexpr size_t kMaxResponseBytes = 256 * 1024 * 1024;

// Answers one request line (no trailing newline) by calling `target`. Never throws: malformed
// requests, unknown commands and exceptions escaping the target become error responses.
nlohmann::json HandleRequest(ControlTarget& target, std::string_view line);

// {"ok":false,"error":message,"code":StatusCodeName(code)} for a failed `status`.
nlohmann::json ErrorResponse(const Status& status);

// `j` serialised on one line with its '\n'. Invalid UTF-8 (file names are bytes on Linux) is
// replaced rather than thrown on, so a hostile name cannot break a response.
std::string DumpLine(const nlohmann::json& j);

// The request line for `cmd` (with `arg` when not empty), newline included.
std::string EncodeRequest(std::string_view cmd, std::string_view arg = {});

// The result of a response line, or its error as a Status (code restored from "code"); a line
// that is not a response at all is kCorruption.
Result<nlohmann::json> DecodeResponse(std::string_view line);

}  // namespace seqgate::control
