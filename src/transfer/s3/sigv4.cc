#include "transfer/s3/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>

#include "common/bytes.h"
#include "common/hashing.h"

namespace seqgate::transfer::s3 {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// SigV4 canonical header values: leading/trailing spaces trimmed, inner runs collapsed.
std::string TrimValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

bool HasLineBreak(std::string_view v) {
  return v.find_first_of("\r\n") != std::string_view::npos ||
         v.find('\0') != std::string_view::npos;
}

}  // namespace

std::string UriEncode(std::string_view raw, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

namespace {
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& raw) {
  // Encoded names and values sorted by name, then value; "uploads" becomes "uploads=".
  std::vector<std::pair<std::string, std::string>> q;
  q.reserve(raw.size());
  for (const auto& [k, v] : raw) q.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(q.begin(), q.end());
  std::string query;
  for (const auto& [k, v] : q) {
    if (!query.empty()) query += '&';
    query += k + "=" + v;
  }
  return query;
}
}  // namespace

std::string CanonicalTarget(std::string_view raw_path,
                            const std::vector<std::pair<std::string, std::string>>& query) {
  const std::string q = CanonicalQuery(query);
  const std::string path = UriEncode(raw_path, true);
  return q.empty() ? path : path + "?" + q;
}

std::string AmzDate(int64_t unix_time) {
  const auto t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  const std::string k_date = HmacSha256("AWS4" + std::string(secret), date);
  const std::string k_region = HmacSha256(k_date, region);
  const std::string k_service = HmacSha256(k_region, service);
  return HmacSha256(k_service, "aws4_request");
}

Result<SignedRequest> SignV4(const SignInput& in, const Credentials& creds) {
  if (creds.access_key.empty() || creds.secret_key.empty()) {
    return InvalidArgument("S3 signing needs an access key and a secret key");
  }
  if (in.path.empty() || in.path.front() != '/') {
    return InvalidArgument("S3 request path must start with '/'");
  }
  if (HasLineBreak(in.host) || HasLineBreak(creds.session_token) ||
      HasLineBreak(creds.access_key) || HasLineBreak(in.payload_sha256)) {
    return InvalidArgument("S3 request field contains a line break");
  }
  const std::string amz_date = AmzDate(in.unix_time);
  const std::string date = amz_date.substr(0, 8);

  const std::string query = CanonicalQuery(in.query);

  // Headers: the extras plus host and the x-amz-* ones, lower-case names, sorted.
  std::vector<std::pair<std::string, std::string>> h;
  h.emplace_back("host", in.host);
  h.emplace_back("x-amz-content-sha256", in.payload_sha256);
  h.emplace_back("x-amz-date", amz_date);
  if (!creds.session_token.empty()) h.emplace_back("x-amz-security-token", creds.session_token);
  for (const auto& [k, v] : in.headers) {
    if (HasLineBreak(k) || HasLineBreak(v)) {
      return InvalidArgument("S3 header '" + k + "' contains a line break");
    }
    h.emplace_back(Lower(k), TrimValue(v));
  }
  std::sort(h.begin(), h.end());
  for (size_t i = 1; i < h.size(); ++i) {
    if (h[i].first == h[i - 1].first)
      return InvalidArgument("S3 header '" + h[i].first + "' twice");
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : h) {
    canonical_headers += k + ":" + v + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += k;
  }

  SignedRequest out;
  const std::string path = UriEncode(in.path, true);
  out.target = query.empty() ? path : path + "?" + query;
  out.canonical_request = in.method + "\n" + path + "\n" + query + "\n" + canonical_headers + "\n" +
                          signed_headers + "\n" + in.payload_sha256;
  const std::string scope = date + "/" + in.region + "/" + in.service + "/aws4_request";
  out.string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" +
      ComputeDigest(DigestAlgorithm::kSha256, AsBytes(out.canonical_request)).hex();
  const std::string key = SigningKey(creds.secret_key, date, in.region, in.service);
  const std::string signature = ToHex(AsBytes(HmacSha256(key, out.string_to_sign)));
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + creds.access_key + "/" + scope +
                      ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
  out.headers.push_back("Authorization: " + out.authorization);
  for (const auto& [k, v] : h) {
    if (k != "host") out.headers.push_back(k + ": " + v);
  }
  return out;
}

}  // namespace seqgate::transfer::s3
