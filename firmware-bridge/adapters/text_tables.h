// Parsers for the plain-text tables instruments write: ONT final_summary (key=value), ONT
// output_hash (CSV with header), Illumina DRAGEN Manifest.tsv (path<TAB>hash).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace seqgate::bridge {

// key=value lines; blank lines and lines without '=' are skipped, later keys win. Fails only
// on NUL bytes (a binary file under a text name).
[[nodiscard]] Result<std::map<std::string, std::string>> ParseKeyValueLines(std::string_view text);

// A delimited table. Quoted fields ("a,b") are honoured; rows keep their field count as read.
struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Index of the header column `name`, or -1.
  int Column(std::string_view name) const;
};

// Parses `text` split on `sep`; the first line is the header when `has_header`.
[[nodiscard]] Result<TextTable> ParseDelimited(std::string_view text, char sep, bool has_header);

// A checksum column value is usable when it is hex of a known digest length.
// Returns "sha256" (64 hex), "md5" (32 hex), "sha1" (40 hex) or "" when not.
std::string GuessDigestAlgorithm(std::string_view hex);

}  // namespace seqgate::bridge
