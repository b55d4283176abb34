#include "common/glob.h"

namespace seqgate {
namespace {

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Matches a class starting at p[0] == '['. Returns the index just past ']' and sets *hit;
// returns 0 when the class is unterminated (then '[' is taken literally).
size_t MatchClass(std::string_view p, char c, bool* hit) {
  size_t i = 1;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
    negate = true;
    ++i;
  }
  bool found = false;
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      if (c >= p[i] && c <= p[i + 2]) found = true;
      i += 3;
    } else {
      if (c == p[i]) found = true;
      ++i;
    }
  }
  if (i >= p.size()) return 0;
  *hit = found != negate && c != '/';
  return i + 1;
}

// Backtracking matcher. Patterns are short and operator-written, so the worst case
// (several stars against a long path) stays small in practice.
bool Match(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0;
  while (pi < p.size()) {
    const char pc = p[pi];
    if (pc == '*') {
      const bool dbl = pi + 1 < p.size() && p[pi + 1] == '*';
      std::string_view rest = p.substr(pi + (dbl ? 2 : 1));
      // "**/" also matches zero directories.
      if (dbl && !rest.empty() && rest[0] == '/' && (pi == 0 || p[pi - 1] == '/')) {
        if (Match(rest.substr(1), s.substr(si))) return true;
      }
      for (size_t k = si; k <= s.size(); ++k) {
        if (Match(rest, s.substr(k))) return true;
        if (k < s.size() && s[k] == '/' && !dbl) return false;
      }
      return false;
    }
    if (si >= s.size()) return false;
    if (pc == '?') {
      if (s[si] == '/') return false;
      ++pi;
      ++si;
      continue;
    }
    if (pc == '[') {
      bool hit = false;
      const size_t next = MatchClass(p.substr(pi), s[si], &hit);
      if (next != 0) {
        if (!hit) return false;
        pi += next;
        ++si;
        continue;
      }
    }
    if (pc != s[si]) return false;
    ++pi;
    ++si;
  }
  return si == s.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  if (pattern.find('/') == std::string_view::npos) return Match(pattern, BaseName(path));
  if (!pattern.empty() && pattern[0] == '/') pattern.remove_prefix(1);
  return Match(pattern, path);
}

const std::string* FirstGlobMatch(const std::vector<std::string>& patterns, std::string_view path) {
  for (const std::string& p : patterns) {
    if (GlobMatch(p, path)) return &p;
  }
  return nullptr;
}

}  // namespace seqgate
