#include <doctest/doctest.h>

#include <cerrno>

#include "common/error_class.h"
#include "common/status.h"

using namespace seqgate;

namespace {
Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}
Result<int> Quarter(int x) {
  SEQGATE_ASSIGN_OR_RETURN(const int h, Half(x));
  return Half(h);
}
}  // namespace

TEST_CASE("Status carries code and message; context is prefixed") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.ToString() == "OK");
  Status s = IoError("disk on fire").WithContext("writing '/x'");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kIoError);
  CHECK(s.ToString() == "I/O error: writing '/x': disk on fire");
}

TEST_CASE("Result propagates failures through SEQGATE_ASSIGN_OR_RETURN") {
  CHECK(Quarter(8).value() == 2);
  auto r = Quarter(6);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "3 is odd");
}

TEST_CASE("errno is mapped to codes with the path and operation named") {
  Status s = ErrnoStatus(ENOENT, "open", "/data/run1");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message().find("open '/data/run1'") != std::string::npos);
  CHECK(ErrnoStatus(EACCES, "open", "x").code() == StatusCode::kPermissionDenied);
  CHECK(ErrnoStatus(ENOSPC, "write", "x").code() == StatusCode::kResourceExhausted);
}

TEST_CASE("classification: one place decides what is retried") {
  CHECK(IsTransient(Status(StatusCode::kUnavailable, "peer down")));
  CHECK(IsTransient(Status(StatusCode::kTimeout, "slow")));
  CHECK(IsTransient(Status(StatusCode::kResourceExhausted, "disk full")));
  CHECK_FALSE(IsTransient(Corruption("bad frame")));
  CHECK_FALSE(IsTransient(SourceChanged("grew")));
  CHECK_FALSE(IsTransient(Status::Ok()));
}
