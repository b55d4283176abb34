#include "transfer/s3/multipart_options.h"

#include "transfer/s3/inbox_path.h"

namespace seqgate::transfer::s3 {

Result<Endpoint> ParseEndpoint(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) {
    return InvalidArgument("endpoint '" + std::string(url) + "' must start with https://");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ \t\r\n") != std::string_view::npos) {
    return InvalidArgument("endpoint '" + std::string(url) +
                           "' must be https://host[:port] (path-style buckets; no path, "
                           "query or user info)");
  }
  return Endpoint{std::string(kScheme) + std::string(rest), std::string(rest)};
}

Status CheckMultipartOptions(const MultipartOptions& o) {
  SEQGATE_RETURN_IF_ERROR(CheckInboxBucket(o.bucket));
  SEQGATE_RETURN_IF_ERROR(CheckInboxKey(o.key));
  if (o.state_path.empty() && o.state_store == nullptr) {
    return InvalidArgument("a state file is required");
  }
  if (o.parallel < 1 || o.parallel > 64) return InvalidArgument("parallel must be 1..64");
  if (o.token_mode != TokenMode::kNone && o.token_file == nullptr) {
    return InvalidArgument("a token mode needs a token file");
  }
  if (o.token_mode != TokenMode::kBearer &&
      (o.credentials.access_key.empty() || o.credentials.secret_key.empty())) {
    return InvalidArgument("SigV4 needs an access key and a secret key");
  }
  if (o.token_file != nullptr) {
    auto t = o.token_file->Current();  // unreadable or malformed at the start: fail now
    if (!t.ok()) return t.status();
  }
  return o.transport.Validate();
}

}  // namespace seqgate::transfer::s3
