#include "common/error_class.h"

#include <curl/curl.h>  // only the CURLcode values; nothing here calls libcurl

#include <string>

namespace seqgate {

Retryability Classify(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kTimeout:
    case StatusCode::kIoError:            // a failed read may be a flaky share
    case StatusCode::kResourceExhausted:  // disk space and descriptors come back
      return Retryability::kTransient;
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
    case StatusCode::kSourceChanged:  // the caller restarts the file from scratch instead
    case StatusCode::kCorruption:
    case StatusCode::kUnsupported:
    case StatusCode::kAborted:
    case StatusCode::kInternal:
      return Retryability::kPermanent;
  }
  return Retryability::kPermanent;
}

Retryability ClassifyHttpStatus(int http_status) {
  if (http_status >= 500 && http_status <= 599) return Retryability::kTransient;
  switch (http_status) {
    case 408:  // request timeout: the server gave up waiting for our body
    case 423:  // locked: a stale request of ours still holds the upload
    case 429:  // too many requests / uploads: come back later
    case 460:  // tus checksum mismatch: the chunk was damaged in transit, resend it
      return Retryability::kTransient;
    default:
      return Retryability::kPermanent;
  }
}

Status HttpStatusError(int http_status, std::string_view what) {
  std::string msg = std::string(what) + ": HTTP " + std::to_string(http_status);
  if (ClassifyHttpStatus(http_status) == Retryability::kTransient) {
    return {StatusCode::kUnavailable, std::move(msg)};
  }
  switch (http_status) {
    case 404:
    case 410:
      return {StatusCode::kNotFound, std::move(msg)};
    case 401:
    case 403:
      return {StatusCode::kPermissionDenied, std::move(msg)};
    default:
      break;
  }
  if (http_status >= 400 && http_status <= 499) return {StatusCode::kInvalidArgument, msg};
  return {StatusCode::kUnsupported, std::move(msg) + " (unexpected)"};
}

Status S3ErrorStatus(int http_status, std::string_view s3_code, std::string_view what) {
  std::string msg = std::string(what) + ": HTTP " + std::to_string(http_status);
  if (!s3_code.empty()) msg += " " + std::string(s3_code);
  static constexpr std::string_view kTransient[] = {
      "SlowDown",  "InternalError",     "ServiceUnavailable", "RequestTimeout",
      "Throttling", "ThrottlingException", "OperationAborted", "BadDigest",
      "XAmzContentSHA256Mismatch", "IncompleteBody"};
  static constexpr std::string_view kDenied[] = {
      "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "ExpiredToken",
      "InvalidToken", "TokenRefreshRequired", "AccountProblem"};
  static constexpr std::string_view kMissing[] = {"NoSuchUpload", "NoSuchBucket", "NoSuchKey"};
  static constexpr std::string_view kInvalid[] = {
      "InvalidPart",      "InvalidPartOrder", "EntityTooSmall",  "EntityTooLarge",
      "InvalidArgument",  "InvalidRequest",   "MalformedXML",    "InvalidDigest",
      "KeyTooLongError",  "MissingContentLength", "RequestTimeTooSkewed", "InvalidBucketName"};
  for (auto c : kTransient) {
    if (c == s3_code) return {StatusCode::kUnavailable, std::move(msg)};
  }
  for (auto c : kDenied) {
    if (c == s3_code) return {StatusCode::kPermissionDenied, std::move(msg)};
  }
  for (auto c : kMissing) {
    if (c == s3_code) return {StatusCode::kNotFound, std::move(msg)};
  }
  for (auto c : kInvalid) {
    if (c == s3_code) return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  if (http_status >= 200 && http_status <= 299) {
    return {StatusCode::kUnsupported, std::move(msg) + " (unknown error in a success answer)"};
  }
  return HttpStatusError(http_status, msg.substr(0, msg.find(": HTTP ")) +
                                          (s3_code.empty() ? "" : " (" + std::string(s3_code) + ")"));
}

Status CurlError(int curl_code, std::string_view detail) {
  const auto code = static_cast<CURLcode>(curl_code);
  // The caller passes curl_easy_strerror()/the error buffer: common does not link libcurl.
  std::string msg = "curl error " + std::to_string(curl_code);
  if (!detail.empty()) msg += ": " + std::string(detail);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:  // also a handshake cut by a reset; a bad cert fails elsewhere
    case CURLE_PROXY:
    case CURLE_HTTP2_STREAM:
    case CURLE_SEND_FAIL_REWIND:
      return {StatusCode::kUnavailable, std::move(msg)};
    case CURLE_OPERATION_TIMEDOUT:  // connect timeout and the low-speed (stall) watchdog
      return {StatusCode::kTimeout, std::move(msg)};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_CLIENTCERT:
      return {StatusCode::kPermissionDenied, std::move(msg)};
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_READ_ERROR:  // our read callback refused: the cause is reported separately
      return {StatusCode::kAborted, std::move(msg)};
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return {StatusCode::kInvalidArgument, std::move(msg)};
    default:
      return {StatusCode::kInternal, std::move(msg)};
  }
}

}  // namespace seqgate
