#include "control/control_protocol.h"

#include <doctest/doctest.h>

#include "unit/control/fake_target.h"

namespace seqgate::control {
namespace {

using nlohmann::json;
using testing::FakeTarget;

json Ask(FakeTarget& t, const std::string& line) { return HandleRequest(t, line); }

TEST_CASE("protocol: every command reaches the target and wraps its result") {
  FakeTarget t;
  json r = Ask(t, R"({"cmd":"status"})");
  CHECK(r["ok"] == true);
  CHECK(r["result"]["version"] == "0.1.0");
  CHECK(Ask(t, R"({"cmd":"runs"})")["result"]["runs"].size() == 2);
  CHECK(Ask(t, R"({"cmd":"files","arg":"RUN_A"})")["result"]["files"].size() == 2);
  CHECK(Ask(t, R"({"cmd":"retry","arg":"all"})")["result"]["message"] ==
        "retrying failed files of all");
  CHECK(t.retried() == std::vector<std::string>{"all"});
  CHECK(Ask(t, R"({"cmd":"pause"})")["ok"] == true);
  CHECK(t.paused());
  CHECK(Ask(t, R"({"cmd":"resume"})")["ok"] == true);
  CHECK_FALSE(t.paused());
  CHECK(Ask(t, R"({"cmd":"mark-complete","arg":"/data/RUN_C"})")["ok"] == true);
  CHECK(t.marked() == std::vector<std::string>{"/data/RUN_C"});
}

TEST_CASE("protocol: the target's failures come back with their code") {
  FakeTarget t;
  json r = Ask(t, R"({"cmd":"files","arg":"NOPE"})");
  CHECK(r["ok"] == false);
  CHECK(r["error"] == "no run 'NOPE'");
  CHECK(r["code"] == "not found");
  CHECK(Ask(t, R"({"cmd":"pause"})")["ok"] == true);
  CHECK(Ask(t, R"({"cmd":"pause"})")["error"] == "already paused");
}

TEST_CASE("protocol: malformed requests get a reason, not a crash") {
  FakeTarget t;
  auto error_of = [&](const std::string& line) {
    json r = Ask(t, line);
    REQUIRE(r["ok"] == false);
    CHECK(r["code"] == "invalid argument");
    return r["error"].get<std::string>();
  };
  CHECK(error_of("{not json") == "request is not valid JSON");
  CHECK(error_of("[1,2]") == "request must be a JSON object");
  CHECK(error_of(R"({"arg":"x"})") == "request needs \"cmd\" (a string)");
  CHECK(error_of(R"({"cmd":7})") == "request needs \"cmd\" (a string)");
  CHECK(error_of(R"({"cmd":"files","arg":3})") == "\"arg\" must be a string");
  CHECK(error_of(R"({"cmd":"files"})") == "files needs \"arg\"");
  CHECK(error_of(R"({"cmd":"mark-complete","arg":""})") == "mark-complete needs \"arg\"");
  CHECK(error_of(R"({"cmd":"reboot"})").find("unknown command 'reboot'") == 0);
  CHECK(error_of(std::string(kMaxRequestBytes + 1, ' ')).find("request longer than") == 0);
}

TEST_CASE("protocol: an exception escaping the target becomes an internal error") {
  FakeTarget t;
  t.throw_on_runs = true;
  json r = Ask(t, R"({"cmd":"runs"})");
  CHECK(r["ok"] == false);
  CHECK(r["code"] == "internal error");
  CHECK(r["error"] == "runs failed: journal is locked");
}

TEST_CASE("protocol: responses decode back into results and statuses") {
  auto ok = DecodeResponse(R"({"ok":true,"result":{"a":1}})");
  REQUIRE(ok.ok());
  CHECK((*ok)["a"] == 1);
  auto nf = DecodeResponse(DumpLine(ErrorResponse(NotFound("no run 'X'"))));
  REQUIRE_FALSE(nf.ok());
  CHECK(nf.status().code() == StatusCode::kNotFound);
  CHECK(nf.status().message() == "no run 'X'");
  auto unknown = DecodeResponse(R"({"ok":false,"error":"x","code":"gremlins"})");
  CHECK(unknown.status().code() == StatusCode::kInternal);
  CHECK(DecodeResponse("HTTP/1.1 200 OK").status().code() == StatusCode::kCorruption);
  CHECK(DecodeResponse(R"({"result":{}})").status().code() == StatusCode::kCorruption);
}

TEST_CASE("protocol: requests are one line and invalid UTF-8 cannot break a response") {
  std::string req = EncodeRequest("files", "RUN\nB");
  CHECK(req.back() == '\n');
  CHECK(req.find('\n') == req.size() - 1);
  CHECK(json::parse(req)["arg"] == "RUN\nB");
  CHECK(EncodeRequest("status") == "{\"cmd\":\"status\"}\n");
  json bad = {{"path", std::string("run/\xff\xfe.fastq")}};
  std::string line = DumpLine(bad);
  CHECK(json::parse(line)["path"] == "run/\xEF\xBF\xBD\xEF\xBF\xBD.fastq");
}

}  // namespace
}  // namespace seqgate::control
