// RefusalStatus: an unwanted HTTP answer as a classified Status with the server's short reason.
#include <doctest/doctest.h>

#include "common/error_class.h"
#include "transfer/http_client.h"

namespace seqgate::transfer {
namespace {

HttpResponse Answer(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST_CASE("refusal status: classified by the HTTP status, with the server's reason") {
  const Status busy = RefusalStatus(Answer(503, "storage busy\n"), "PATCH /files/1");
  CHECK(IsTransient(busy));
  CHECK(busy.message().find("PATCH /files/1 (storage busy)") != std::string::npos);

  const Status refused = RefusalStatus(Answer(403, "site lab-b may not write here"), "POST /files/");
  CHECK_FALSE(IsTransient(refused));
  CHECK(refused.message().find("(site lab-b may not write here)") != std::string::npos);
}

TEST_CASE("refusal status: a long or empty body is left out") {
  const Status s = RefusalStatus(Answer(400, std::string(300, 'x')), "HEAD /files/2");
  CHECK(s.message().find("xxx") == std::string::npos);
  CHECK(s.message().find("HEAD /files/2") != std::string::npos);
  CHECK(RefusalStatus(Answer(400, " \n"), "HEAD /files/3").message().find("()") == std::string::npos);
}

TEST_CASE("refusal status: control characters in a hostile body cannot forge log lines") {
  const Status s =
      RefusalStatus(Answer(409, "bad\nMESSAGE=forged\r\x1b[31mred"), "PATCH /files/4");
  const std::string m = s.message();
  CHECK(m.find('\n') == std::string::npos);
  CHECK(m.find('\r') == std::string::npos);
  CHECK(m.find('\x1b') == std::string::npos);
  CHECK(m.find("bad?MESSAGE=forged??[31mred") != std::string::npos);
}

}  // namespace
}  // namespace seqgate::transfer
