#include "common/error_class.h"

#include <curl/curl.h>
#include <doctest/doctest.h>

namespace seqgate {
namespace {

TEST_CASE("HTTP statuses: the issue's transient set retries, other 4xx give up") {
  for (int s : {500, 502, 503, 504, 507, 408, 423, 429, 460}) {
    CAPTURE(s);
    CHECK(ClassifyHttpStatus(s) == Retryability::kTransient);
    CHECK(IsTransient(HttpStatusError(s, "PATCH")));
  }
  for (int s : {400, 401, 403, 404, 409, 410, 412, 413, 415, 301, 100}) {
    CAPTURE(s);
    CHECK(ClassifyHttpStatus(s) == Retryability::kPermanent);
    CHECK_FALSE(IsTransient(HttpStatusError(s, "PATCH")));
  }
  CHECK(HttpStatusError(404, "HEAD").code() == StatusCode::kNotFound);
  CHECK(HttpStatusError(410, "HEAD").code() == StatusCode::kNotFound);
  CHECK(HttpStatusError(403, "POST").code() == StatusCode::kPermissionDenied);
  CHECK(HttpStatusError(413, "POST").message() == "POST: HTTP 413");
}

TEST_CASE("curl failures: network trouble retries, TLS trust problems do not") {
  for (CURLcode c : {CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
                     CURLE_PARTIAL_FILE, CURLE_OPERATION_TIMEDOUT, CURLE_SSL_CONNECT_ERROR}) {
    CAPTURE(c);
    CHECK(IsTransient(CurlError(c, "x")));
  }
  CHECK(CurlError(CURLE_OPERATION_TIMEDOUT, "").code() == StatusCode::kTimeout);
  for (CURLcode c :
       {CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CACERT_BADFILE,
        CURLE_SSL_CERTPROBLEM, CURLE_URL_MALFORMAT, CURLE_ABORTED_BY_CALLBACK}) {
    CAPTURE(c);
    CHECK_FALSE(IsTransient(CurlError(c, "x")));
  }
  CHECK(CurlError(CURLE_PEER_FAILED_VERIFICATION, "bad cert").message() ==
        "curl error 60: bad cert");
}

}  // namespace
}  // namespace seqgate
