// The one place that decides whether a failure is worth retrying. Every retry loop in seqgate
// (uploads, ingest storage, watchers) asks here instead of inspecting codes itself.
#pragma once

#include <string_view>

#include "common/status.h"

namespace seqgate {

enum class Retryability {
  kTransient,  // try again later with backoff: the same request may succeed
  kPermanent,  // give up on this item with a clear reason: retrying cannot help
};

Retryability Classify(const Status& status);

inline bool IsTransient(const Status& status) {
  return !status.ok() && Classify(status) == Retryability::kTransient;
}

// An HTTP answer the uploader did not want. Transient: 5xx, 408, 423, 429 and tus's 460
// (checksum mismatch: the chunk was damaged on the way). Everything else — other 4xx, 413,
// unexpected 1xx/3xx — is permanent for that file.
Retryability ClassifyHttpStatus(int http_status);

// A failed HTTP exchange as a Status whose code Classify() treats as ClassifyHttpStatus()
// does: kUnavailable (transient), kNotFound (404/410), kPermissionDenied (401/403),
// kInvalidArgument (other 4xx, 413), kUnsupported (anything else).
Status HttpStatusError(int http_status, std::string_view what);

// An S3 error answer as a Status, from its <Error><Code> (`s3_code`, may be empty) and HTTP status
// (200 when the error came inside a 200 body, as CompleteMultipartUpload may send). Transient
// (kUnavailable): SlowDown, InternalError, ServiceUnavailable, RequestTimeout, Throttling,
// OperationAborted, and the in-transit damage codes BadDigest, XAmzContentSHA256Mismatch,
// IncompleteBody (the part is re-sent). Permanent: AccessDenied, SignatureDoesNotMatch,
// InvalidAccessKeyId, ExpiredToken, InvalidToken (kPermissionDenied); NoSuchUpload, NoSuchBucket,
// NoSuchKey (kNotFound); InvalidPart, InvalidPartOrder, EntityTooSmall, MalformedXML,
// RequestTimeTooSkewed and other request errors (kInvalidArgument). Unknown codes fall back to
// the HTTP status; an unknown code in a 200 is kUnsupported (permanent: never loop on it).
Status S3ErrorStatus(int http_status, std::string_view s3_code, std::string_view what);

// A failed libcurl transfer (a CURLcode value; `detail` is curl's text for it) as a Status: connect
// failures, resets, empty replies → kUnavailable; timeouts and stalls → kTimeout; certificate, key
// or pin problems → kPermissionDenied; aborted by us → kAborted; bad options or URLs →
// kInvalidArgument.
Status CurlError(int curl_code, std::string_view detail);

}  // namespace seqgate
