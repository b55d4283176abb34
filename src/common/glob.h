// Path globs, as operators write them in configs (ship policies, encoding overrides, markers).
//
// fnmatch(3) has no "**", and operators expect gitignore-like rules, so we match ourselves:
// `*` any run of characters except '/', `?` one character except '/', `[...]` a class
// (`[!...]` negated), `**` any run including '/' ("**/" also matches no directory at all). A
// pattern without '/' matches the final path component anywhere ("*.fastq.gz"); one with '/'
// is anchored at the root of the relative path (a leading '/' is allowed and ignored).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace seqgate {

// Whether `path` (relative, '/'-separated) matches `pattern` under the rules above.
bool GlobMatch(std::string_view pattern, std::string_view path);

// The first pattern of `patterns` that matches `path`, or nullptr.
const std::string* FirstGlobMatch(const std::vector<std::string>& patterns, std::string_view path);

}  // namespace seqgate
