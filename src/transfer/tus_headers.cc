#include "transfer/tus_headers.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <ctime>

#include "common/bytes.h"

namespace seqgate::transfer {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form servers must send.
std::optional<std::time_t> ParseHttpDate(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return std::nullopt;
  auto num = [&](size_t pos, size_t len, int* out) {
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, *out);
    return ec == std::errc() && p == s.data() + pos + len;
  };
  std::tm tm{};
  int year = 0;
  if (!num(5, 2, &tm.tm_mday) || !num(12, 4, &year) || !num(17, 2, &tm.tm_hour) ||
      !num(20, 2, &tm.tm_min) || !num(23, 2, &tm.tm_sec)) {
    return std::nullopt;
  }
  auto month = std::find(std::begin(kMonths), std::end(kMonths), s.substr(8, 3));
  if (month == std::end(kMonths)) return std::nullopt;
  tm.tm_mon = static_cast<int>(month - std::begin(kMonths));
  tm.tm_year = year - 1900;
  return timegm(&tm);
}

}  // namespace

bool ServerCaps::Has(std::string_view extension) const { return Contains(extensions, extension); }
bool ServerCaps::HasChecksum(std::string_view algorithm) const {
  return Has("checksum") && Contains(checksums, algorithm);
}

std::vector<std::string> SplitList(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = Trim(value.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

Result<ServerCaps> ParseServerCaps(std::optional<std::string_view> tus_version,
                                   std::optional<std::string_view> tus_extension,
                                   std::optional<std::string_view> tus_max_size,
                                   std::optional<std::string_view> tus_checksum_algorithm) {
  ServerCaps caps;
  if (tus_version) caps.versions = SplitList(*tus_version);
  if (!Contains(caps.versions, "1.0.0")) {
    return Unsupported("the server does not offer tus 1.0.0 (Tus-Version: '" +
                       std::string(tus_version.value_or("")) + "')");
  }
  if (tus_extension) caps.extensions = SplitList(*tus_extension);
  if (tus_checksum_algorithm) caps.checksums = SplitList(*tus_checksum_algorithm);
  if (tus_max_size && !Trim(*tus_max_size).empty()) {
    caps.max_size = ParseUnsigned(Trim(*tus_max_size));
    if (!caps.max_size) {
      return InvalidArgument("Tus-Max-Size is not a number: '" + std::string(*tus_max_size) + "'");
    }
  }
  return caps;
}

std::string EncodeMetadata(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    assert(!key.empty() && key.find_first_of(" ,") == std::string::npos);
    if (!out.empty()) out += ',';
    out += key;
    out += ' ';
    out += Base64Encode(AsBytes(value));
  }
  return out;
}

std::string ChecksumHeader(DigestAlgorithm alg, const Digest& digest) {
  return std::string(DigestName(alg)) + " " + Base64Encode(digest.view());
}

std::optional<uint64_t> ParseUnsigned(std::string_view value) {
  uint64_t v = 0;
  if (value.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
  return v;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (auto secs = ParseUnsigned(value)) {
    // A day is already absurd for a retry hint; clamp so the arithmetic cannot overflow.
    return std::chrono::seconds(std::min<uint64_t>(*secs, 86400));
  }
  auto when = ParseHttpDate(value);
  if (!when) return std::nullopt;
  // In whole seconds: a date in year 4000 is a valid HTTP-date, but as a system_clock time
  // point (nanoseconds) it overflows. Found by fuzz_tus_headers (UBSan).
  const std::time_t now_t = std::chrono::system_clock::to_time_t(now);
  if (*when <= now_t) return std::chrono::seconds(0);
  const auto ahead = static_cast<uint64_t>(*when) - static_cast<uint64_t>(now_t);
  return std::chrono::seconds(std::min<uint64_t>(ahead, 86400));
}

namespace {
// "scheme://authority" of an absolute URL, lower-cased; empty if `url` has none.
std::string OriginOf(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string o(url.substr(0, url.find_first_of("/?#", scheme_end + 3)));
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}
}  // namespace

Result<std::string> ResolveLocation(std::string_view request_url, std::string_view location) {
  const bool absolute = location.find("://") != std::string_view::npos;
  if (absolute || location.substr(0, 2) == "//") {
    if (!absolute || OriginOf(location) != OriginOf(request_url)) {
      return Status(StatusCode::kPermissionDenied,
                    "the server's Location points to another origin ('" +
                        std::string(location.substr(0, 200)) +
                        "'): refusing to send data or our certificate there");
    }
    return std::string(location);
  }
  size_t scheme_end = request_url.find("://");
  size_t path_start = scheme_end == std::string_view::npos ? std::string_view::npos
                                                           : request_url.find('/', scheme_end + 3);
  std::string_view origin = request_url.substr(0, path_start);
  if (!location.empty() && location.front() == '/')
    return std::string(origin) + std::string(location);
  std::string_view path =
      path_start == std::string_view::npos ? "/" : request_url.substr(path_start);
  path = path.substr(0, path.find_first_of("?#"));
  return std::string(origin) + std::string(path.substr(0, path.rfind('/') + 1)) +
         std::string(location);
}

}  // namespace seqgate::transfer
