// AWS Signature Version 4 for S3, written here rather than taken from libcurl: Debian 12's curl
// 7.88.1 implements CURLOPT_AWS_SIGV4 with known bugs (query parameters not sorted, curl#9717;
// `?uploads` not canonicalised as `uploads=`, curl#10129), cannot sign a session token, and
// hides the canonical request, so it could not be checked against an independent signer.
// Inputs are raw (unencoded); the signer owns every encoding rule so URL and signature agree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace seqgate::transfer::s3 {

// Long-lived keys plus the optional session token (SDA s3inbox: the JWT).
struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // sent and signed as x-amz-security-token when not empty
};

struct SignInput {
  std::string method;  // GET, PUT, POST, DELETE, HEAD
  std::string host;    // the Host header exactly as sent ("host" or "host:port")
  std::string path;    // raw path, "/bucket/key with spaces"; encoded here per segment
  std::vector<std::pair<std::string, std::string>> query;    // raw names and values
  std::vector<std::pair<std::string, std::string>> headers;  // extra signed headers (content-md5…)
  std::string payload_sha256;                                // lower-case hex SHA-256 of the body
  std::string region = "us-east-1";
  std::string service = "s3";
  int64_t unix_time = 0;  // seconds since the epoch (the request's x-amz-date)
};

struct SignedRequest {
  std::string target;  // encoded path + "?" + canonical query: what goes into the URL
  // Headers to send, "Name: value": host is left to curl (it sends the same value).
  std::vector<std::string> headers;
  std::string authorization;  // the Authorization header's value
  std::string canonical_request;
  std::string string_to_sign;
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved A-Z a-z 0-9 - _ . ~ kept, every other
// byte as %XX (upper case); '/' kept only when `keep_slash`.
std::string UriEncode(std::string_view raw, bool keep_slash);

// The request target as signed: encoded path, then "?" and the sorted, encoded query (when any).
std::string CanonicalTarget(std::string_view raw_path,
                            const std::vector<std::pair<std::string, std::string>>& query);

// "YYYYMMDDTHHMMSSZ" (UTC) for a Unix time.
std::string AmzDate(int64_t unix_time);

// Signs one request. kInvalidArgument for inputs that cannot be signed (empty keys, a header
// value with a line break, a path not starting with '/').
Result<SignedRequest> SignV4(const SignInput& in, const Credentials& creds);

// Lower-case hex HMAC-SHA256 helpers, exposed for tests.
std::string HmacSha256(std::string_view key, std::string_view data);
// The SigV4 signing key for a date ("YYYYMMDD"), region and service.
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);

}  // namespace seqgate::transfer::s3
