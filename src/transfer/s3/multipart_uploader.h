// Uploads one object to S3 with multipart upload, in the plain dialect the SDA s3inbox accepts:
// path-style URLs, SigV4 (or a bearer token), Content-MD5 and a signed x-amz-content-sha256 on
// every part, no aws-chunked bodies, trailers or flexible checksums. Parts go up in parallel;
// a state store (a file, or the daemon's journal) makes the upload resumable after any restart
// (ListParts decides what the server already holds), an upload whose source changed is aborted,
// an upload created but never recorded (a crash between the request and the record) is found
// with ListMultipartUploads and aborted, and the final ETag is checked against
// md5(md5(p1)‖…‖md5(pN))-N computed here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

#include "common/status.h"
#include "transfer/retry_policy.h"
#include "transfer/s3/access_token.h"
#include "transfer/s3/multipart_state.h"
#include "transfer/s3/object_source.h"
#include "transfer/s3/s3_transport.h"
#include "transfer/s3/sigv4.h"

namespace seqgate::transfer::s3 {

enum class TokenMode {
  kNone,           // plain SigV4 with access and secret keys
  kSecurityToken,  // the JWT as x-amz-security-token, signed (s3cmd's access_token)
  kBearer,         // the JWT as "Authorization: Bearer"; no SigV4 signature
};

struct MultipartOptions {
  std::string endpoint;  // "https://host[:port]" (a trailing '/' is allowed, no other path)
  std::string bucket;    // the inbox user id
  std::string key;       // object path inside the bucket; checked against the inbox's rules
  std::string region = "us-east-1";
  Credentials credentials;  // access and secret key; the session token comes from token_file
  TokenMode token_mode = TokenMode::kNone;
  TokenFile* token_file = nullptr;  // required unless token_mode is kNone
  uint64_t part_size = 0;           // requested; 0 = 16 MiB (grown to stay ≤ 10,000 parts)
  unsigned parallel = 4;            // parts in flight
  RetryPolicy retry;
  S3TransportOptions transport;
  std::string state_path;  // the resume state file, unless state_store is set
  // Where the resume state lives instead of state_path (the daemon's journal); not owned.
  MultipartStateStore* state_store = nullptr;
  // Whether the token gate logs the 24 h / 2 h expiry warnings; a daemon that warns once per
  // token for all its uploads switches them off here.
  bool warn_token_expiry = true;
  std::stop_token stop;  // a stop request cancels in-flight requests (kAborted)
  // How often an expired token's file is looked at again while the upload waits.
  std::chrono::milliseconds token_poll{1000};
  // Progress and status notes for humans ("needs a new token: …"); may be empty.
  std::function<void(const std::string&)> note;
  // After each part is recorded: object bytes the server holds, of `size` (from a part worker's
  // thread; may be empty). For progress bars and status screens.
  std::function<void(uint64_t held, uint64_t size)> progress;
  // Seconds since the epoch; a seam for tests. Empty = the system clock.
  std::function<int64_t()> now;
};

struct MultipartResult {
  std::string etag;  // the object's ETag, as checked (quoted "hex-N")
  uint64_t object_size = 0;
  uint32_t part_count = 0;
  uint64_t part_size = 0;
  uint32_t parts_sent = 0;  // parts uploaded by this run
  uint32_t parts_kept = 0;  // parts the server already held (resume)
  uint64_t bytes_sent = 0;  // request body bytes sent by this run, retries included
  unsigned retries = 0;
  bool already_complete = false;  // the state file said the object was delivered before
  std::string upload_id;
};

// Uploads `source` as described. Failures: kInvalidArgument for bad names or options (before
// any request), kPermissionDenied (credentials, a token the server refuses with no token file
// to wait on), kSourceChanged (the upload was aborted), kCorruption (ETag mismatch, nonsense
// answers), kAborted (stopped), or the last transient error once max_attempts ran out.
Result<MultipartResult> UploadMultipart(const ObjectSource& source,
                                        const MultipartOptions& options);

// Aborts the upload a state file describes (AbortMultipartUpload) and marks the state empty.
Status AbortMultipart(const MultipartOptions& options);

}  // namespace seqgate::transfer::s3
