// Names from the network that become directories and files under the centre's storage root:
// site, run, and the declared relative path. Besides not crashing, what passes must be safe
// to join under <storage>/<site>/<run>/. The first byte picks the check.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "ingest/path_policy.h"

namespace {

using namespace seqgate;

bool SafeName(std::string_view name, std::string_view extra) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && extra.find(c) == std::string_view::npos) return false;
  }
  return name.front() != '.' && name.front() != '-';
}

void CheckPath(std::string_view in) {
  auto norm = ingest::NormaliseRelativePath(in);
  if (!norm.ok()) return;
  const std::string& p = *norm;
  if (p.empty() || p.size() > ingest::kMaxPathBytes || p.front() == '/' || p.back() == '/') {
    std::abort();
  }
  size_t depth = 0;
  std::string_view rest = p;
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    // Never "..", ".", or an empty segment ("a//b"): joined under a folder it stays inside.
    if (part.empty() || part == "." || part == ".." || part.size() > ingest::kMaxComponentBytes) {
      std::abort();
    }
    ++depth;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (depth > ingest::kMaxPathDepth) std::abort();
  for (char c : p) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') std::abort();
  }
  // Normalising is idempotent.
  auto again = ingest::NormaliseRelativePath(p);
  if (!again.ok() || *again != p) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      if (ingest::ValidateSiteName(text).ok() && (!SafeName(text, "._-") || text.size() > 64)) {
        std::abort();
      }
      break;
    case 1:
      if (ingest::ValidateRunName(text).ok() && (!SafeName(text, "._+-") || text.size() > 128)) {
        std::abort();
      }
      break;
    default:
      CheckPath(text);
      break;
  }
  return 0;
}
