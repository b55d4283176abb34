// The [pipeline] section of a seqgate TOML config: compression level, frame size, threads,
// MD5, and per-glob encoding overrides. Every key is checked; an unknown or mistyped key is an
// error naming the file, line and key, never silently ignored.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "pipeline/encoding.h"
#include "pipeline/packer.h"

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace seqgate::pipeline {

struct PipelineConfig {
  PackOptions pack;         // level, frame_size, md5
  unsigned threads = 0;     // 0 = all cores
  EncodingPolicy encoding;  // [[pipeline.encoding]] rules, in file order
};

// Reads [pipeline] from an already parsed document. `source` names the file in messages.
// All problems are reported together, one per line.
Result<PipelineConfig> ParsePipelineConfig(const toml::table& doc, const std::string& source);

// Parses the TOML file at `path` and its [pipeline] section (other sections are ignored here;
// their owners check them).
Result<PipelineConfig> LoadPipelineConfig(const std::string& path);

}  // namespace seqgate::pipeline
