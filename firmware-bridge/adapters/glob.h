// Path globs for ship policies and marker patterns.
//
// fnmatch(3) has no "**", and operators expect gitignore-like rules, so we match ourselves:
// `*` any run of characters except '/', `?` one character except '/', `[...]` a class
// (`[!...]` negated), `**` any run including '/'. A pattern without '/' matches the final
// path component anywhere ("*.fastq.gz"); one with '/' is anchored at the run root.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace seqgate::bridge {

// Whether `path` (relative, '/'-separated) matches `pattern` under the rules above.
bool GlobMatch(std::string_view pattern, std::string_view path);

// The first pattern of `patterns` that matches `path`, or nullptr.
const std::string* FirstMatch(const std::vector<std::string>& patterns, std::string_view path);

}  // namespace seqgate::bridge
