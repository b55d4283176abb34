#include "adapters/text_tables.h"

namespace seqgate::bridge {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Status CheckText(std::string_view text) {
  const size_t nul = text.find('\0');
  if (nul != std::string_view::npos) {
    return Corruption("binary data (NUL byte at " + std::to_string(nul) + ") in a text file");
  }
  return Status::Ok();
}

std::vector<std::string> SplitRow(std::string_view line, char sep) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty()) {
      quoted = true;
    } else if (c == sep) {
      out.emplace_back(Trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.emplace_back(Trim(cur));
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseKeyValueLines(std::string_view text) {
  SEQGATE_RETURN_IF_ERROR(CheckText(text));
  std::map<std::string, std::string> kv;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = Trim(line.substr(0, eq));
    if (key.empty()) continue;
    kv[std::string(key)] = std::string(Trim(line.substr(eq + 1)));
  }
  return kv;
}

int TextTable::Column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<TextTable> ParseDelimited(std::string_view text, char sep, bool has_header) {
  SEQGATE_RETURN_IF_ERROR(CheckText(text));
  TextTable t;
  bool first = true;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (Trim(line).empty()) continue;
    std::vector<std::string> row = SplitRow(line, sep);
    if (first && has_header) {
      t.header = std::move(row);
    } else {
      t.rows.push_back(std::move(row));
    }
    first = false;
  }
  return t;
}

std::string GuessDigestAlgorithm(std::string_view hex) {
  for (char c : hex) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) return "";
  }
  switch (hex.size()) {
    case 64:
      return "sha256";
    case 40:
      return "sha1";
    case 32:
      return "md5";
    default:
      return "";
  }
}

}  // namespace seqgate::bridge
