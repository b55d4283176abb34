// tus header values from the other side of the wire. Server side (seqgate-ingest): the
// Upload-Metadata header, the seqgate declaration it carries, and Upload-Checksum. Client side
// (seqgated): an OPTIONS answer's Tus-* headers, Upload-Offset/-Length, Retry-After and
// Location. The first byte picks the header; the rest is its value, or several values one per
// line.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "ingest/checksum_header.h"
#include "ingest/declaration.h"
#include "ingest/path_policy.h"
#include "ingest/tus_metadata.h"
#include "transfer/tus_headers.h"

namespace {

using namespace seqgate;

void UploadMetadata(std::string_view value) {
  auto m = ingest::ParseUploadMetadata(value, 4096);
  if (!m.ok()) return;
  // Round trip: what the client would encode for these pairs parses back to the same pairs.
  std::vector<std::pair<std::string, std::string>> pairs(m->begin(), m->end());
  auto again = ingest::ParseUploadMetadata(transfer::EncodeMetadata(pairs), SIZE_MAX);
  if (!again.ok() || *again != *m) std::abort();

  auto decl = ingest::ParseDeclaration(*m);
  if (decl.ok()) {
    // A declared placement is always a safe name and a normalised relative path.
    if (!decl->run.empty() && !ingest::ValidateRunName(decl->run).ok()) std::abort();
    if (!decl->path.empty()) {
      auto norm = ingest::NormaliseRelativePath(decl->path);
      if (!norm.ok() || *norm != decl->path) std::abort();
    }
    ingest::Declaration late = *decl;
    (void)ingest::MergeLateDigests(*m, &late);
  }
}

void UploadChecksum(std::string_view value) {
  auto c = ingest::ParseUploadChecksum(value);
  if (!c.ok()) return;
  // Round trip through the client's builder.
  auto again = ingest::ParseUploadChecksum(transfer::ChecksumHeader(c->algorithm, c->expected));
  if (!again.ok() || again->algorithm != c->algorithm || !(again->expected == c->expected)) {
    std::abort();
  }
}

std::optional<std::string_view> Maybe(std::string_view v) {
  // A value starting with '!' stands for an absent header.
  if (!v.empty() && v.front() == '!') return std::nullopt;
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      UploadMetadata(text);
      break;
    case 1:
      UploadChecksum(text);
      break;
    case 2: {  // OPTIONS answer: Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm
      auto v = fuzz::SplitLines(text, 4);
      auto caps = transfer::ParseServerCaps(Maybe(v[0]), Maybe(v[1]), Maybe(v[2]), Maybe(v[3]));
      if (caps.ok()) {
        (void)caps->Has("creation");
        (void)caps->HasChecksum("sha256");
      }
      for (const std::string& item : transfer::SplitList(v[1])) {
        if (item.empty()) std::abort();  // documented: empty items are dropped
      }
      break;
    }
    case 3: {  // Upload-Offset / Upload-Length
      auto n = transfer::ParseUnsigned(text);
      if (n && std::to_string(*n).size() > text.size()) std::abort();
      break;
    }
    case 4: {  // Retry-After, relative to a fixed "now" so runs replay the same
      const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'790'000'000));
      auto d = transfer::ParseRetryAfter(text, now);
      if (d && d->count() < 0) std::abort();  // a date in the past is zero, never negative
      break;
    }
    default: {  // Location against the request URL
      auto v = fuzz::SplitLines(text, 2);
      (void)transfer::ResolveLocation(v[0], v[1]).ok();
      break;
    }
  }
  return 0;
}
