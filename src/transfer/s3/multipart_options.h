// The checks an upload's options get before any request: the endpoint URL's shape (path-style,
// https, no path) and the options' consistency (names, credentials, token file, TLS files).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "transfer/s3/multipart_uploader.h"

namespace seqgate::transfer::s3 {

struct Endpoint {
  std::string base;  // "https://host[:port]"
  std::string host;  // "host[:port]", the Host header
};

// "https://host[:port]" with an optional trailing '/'; anything else is kInvalidArgument.
Result<Endpoint> ParseEndpoint(std::string_view url);

// kInvalidArgument (bad names, missing credentials or state), or the token file's or the
// transport's own failure. Reads the token file once: unreadable at the start fails now.
Status CheckMultipartOptions(const MultipartOptions& o);

}  // namespace seqgate::transfer::s3
