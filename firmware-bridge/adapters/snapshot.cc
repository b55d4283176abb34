#include "adapters/snapshot.h"

#include <algorithm>

namespace seqgate::bridge {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

void RunSnapshot::Sort() {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
}

const Entry* RunSnapshot::Find(std::string_view path) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), path,
                             [](const Entry& e, std::string_view p) { return e.path < p; });
  if (it == entries.end() || it->path != path) return nullptr;
  return &*it;
}

const Entry* RunSnapshot::FindIgnoreCase(std::string_view path) const {
  if (const Entry* e = Find(path)) return e;
  for (const Entry& e : entries) {
    if (EqualsIgnoreCase(e.path, path)) return &e;
  }
  return nullptr;
}

bool RunSnapshot::HasFile(std::string_view path) const {
  const Entry* e = Find(path);
  return e != nullptr && e->type == FileType::kRegular;
}

std::span<const Entry> RunSnapshot::WithPrefix(std::string_view prefix) const {
  auto lo = std::lower_bound(entries.begin(), entries.end(), prefix,
                             [](const Entry& e, std::string_view p) { return e.path < p; });
  auto hi = lo;
  while (hi != entries.end() && std::string_view(hi->path).substr(0, prefix.size()) == prefix) {
    ++hi;
  }
  return {lo, hi};
}

std::vector<std::string> RunSnapshot::SubdirNames(std::string_view dir) const {
  std::vector<std::string> out;
  std::string prefix(dir);
  if (!prefix.empty()) prefix += '/';
  for (const Entry& e : WithPrefix(prefix)) {
    std::string_view rest = std::string_view(e.path).substr(prefix.size());
    if (e.type == FileType::kDirectory && rest.find('/') == std::string_view::npos) {
      out.emplace_back(rest);
    }
  }
  return out;
}

int64_t RunSnapshot::NewestMtime(int64_t not_after_ns) const {
  int64_t newest = 0;
  for (const Entry& e : entries) {
    if (e.mtime_ns <= not_after_ns) newest = std::max(newest, e.mtime_ns);
  }
  return newest;
}

std::string RunSnapshot::Abs(std::string_view rel) const {
  std::string out = root;
  out += '/';
  out += rel;
  return out;
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view DirName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

}  // namespace seqgate::bridge
