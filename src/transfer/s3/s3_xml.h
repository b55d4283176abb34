// The few S3 XML documents the multipart client reads and writes. Parsing is defensive: bodies
// come from the network, so anything malformed, oversized or missing a required element is a
// kCorruption naming the document, never a crash or a silently wrong value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace seqgate::transfer::s3 {

// An S3 <Error> document.
struct S3Error {
  std::string code;     // "SlowDown", "AccessDenied", … (empty when the body was not XML)
  std::string message;  // the server's text, truncated to a sane length
};

// Parses `body` as <Error><Code>…</Code><Message>…</Message></Error>; nullopt when the body is
// not such a document (empty, HTML, another root).
std::optional<S3Error> ParseS3Error(std::string_view body);

// CreateMultipartUpload's answer: the UploadId.
Result<std::string> ParseInitiateUpload(std::string_view body);

struct ListedPart {
  uint32_t number = 0;
  uint64_t size = 0;
  std::string etag;  // normalised: no quotes, lower case
};
struct ListPartsPage {
  std::vector<ListedPart> parts;
  bool truncated = false;
  uint32_t next_marker = 0;  // NextPartNumberMarker, when truncated
};
// One ListParts page. Part numbers outside 1..10000, sizes that are not numbers, or a truncated
// page without a marker beyond `marker` (the one asked with: a server that would loop) → error.
Result<ListPartsPage> ParseListParts(std::string_view body, uint32_t marker);

// One ListMultipartUploads page: the unfinished uploads (key, upload id) under a prefix.
struct ListedUpload {
  std::string key;
  std::string upload_id;
};
struct ListUploadsPage {
  std::vector<ListedUpload> uploads;
  bool truncated = false;
  std::string next_key_marker, next_upload_id_marker;  // when truncated
};
// A page whose uploads lack a key or id, or a truncated page without markers → kCorruption.
Result<ListUploadsPage> ParseListUploads(std::string_view body);

// One ListObjectsV2 entry (GET /bucket?list-type=2&prefix=…): the SDA inbox allows listing
// where it refuses HeadObject, so this is how an object's ETag and size are looked up.
struct ListedObject {
  std::string key;
  std::string etag;  // as listed (quoted or not; compare through NormalizeEtag)
  uint64_t size = 0;
};
// The objects of one ListObjectsV2 page; an entry without a key or with a size that is not a
// number, or another root element → kCorruption.
Result<std::vector<ListedObject>> ParseListObjects(std::string_view body);

// CompleteMultipartUpload's answer: either the object's ETag or the <Error> S3 can send with
// a 200 status after it started answering.
struct CompleteResult {
  std::optional<S3Error> error;
  std::string etag;  // normalised, when no error
};
Result<CompleteResult> ParseCompleteUpload(std::string_view body);

// The CompleteMultipartUpload request body for (part number, ETag) pairs in ascending order.
std::string BuildCompleteBody(const std::vector<std::pair<uint32_t, std::string>>& parts);

}  // namespace seqgate::transfer::s3
