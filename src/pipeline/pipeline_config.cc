#include "pipeline/pipeline_config.h"

#include <toml++/toml.h>

#include "common/units.h"

namespace seqgate::pipeline {
namespace {

std::string Where(const std::string& source, const toml::node& n, std::string_view key) {
  const auto& src = n.source();
  return source + ":" + std::to_string(src.begin.line) + ": " + std::string(key);
}

}  // namespace

Result<PipelineConfig> ParsePipelineConfig(const toml::table& doc, const std::string& source) {
  PipelineConfig cfg;
  std::vector<std::string> errors;
  const toml::node* section = doc.get("pipeline");
  if (section == nullptr) return cfg;
  const toml::table* t = section->as_table();
  if (t == nullptr)
    return InvalidArgument(Where(source, *section, "pipeline") + ": must be a table");

  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    const std::string where = Where(source, v, "pipeline." + key);
    if (key == "level") {
      auto x = v.value<int64_t>();
      if (!x || *x < 1 || *x > 19)
        errors.push_back(where + ": must be an integer 1..19");
      else
        cfg.pack.level = static_cast<int>(*x);
    } else if (key == "frame_size") {
      Result<uint64_t> size = InvalidArgument("must be a size");
      if (auto i = v.value<int64_t>(); i && *i > 0)
        size = static_cast<uint64_t>(*i);
      else if (auto s = v.value<std::string>())
        size = ParseByteSize(*s);
      if (!size.ok() || *size > UINT32_MAX) {
        errors.push_back(where + ": must be a byte size such as \"8MiB\"");
      } else {
        cfg.pack.frame_size = static_cast<uint32_t>(*size);
      }
    } else if (key == "threads") {
      auto x = v.value<int64_t>();
      if (!x || *x < 0 || *x > 1024)
        errors.push_back(where + ": must be an integer 0..1024");
      else
        cfg.threads = static_cast<unsigned>(*x);
    } else if (key == "md5") {
      auto x = v.value<bool>();
      if (!x)
        errors.push_back(where + ": must be true or false");
      else
        cfg.pack.md5 = *x;
    } else if (key == "encoding") {
      const toml::array* rules = v.as_array();
      if (rules == nullptr) {
        errors.push_back(where + ": must be an array of tables ([[pipeline.encoding]])");
        continue;
      }
      std::vector<EncodingRule> out;
      for (const auto& r : *rules) {
        const toml::table* rt = r.as_table();
        const std::string rwhere = Where(source, r, "pipeline.encoding");
        if (rt == nullptr) {
          errors.push_back(rwhere + ": each rule must be a table with glob and encoding");
          continue;
        }
        EncodingRule rule{"", Encoding::kZstdSeekable};
        bool have_glob = false, have_enc = false;
        for (const auto& [rk, rv] : *rt) {
          const std::string rkey(rk.str());
          const std::string kwhere = Where(source, rv, "pipeline.encoding." + rkey);
          if (rkey == "glob") {
            auto s = rv.value<std::string>();
            if (!s || s->empty())
              errors.push_back(kwhere + ": must be a non-empty string");
            else {
              rule.glob = *s;
              have_glob = true;
            }
          } else if (rkey == "encoding") {
            auto s = rv.value<std::string>();
            auto e = s ? ParseEncoding(*s) : std::nullopt;
            if (!e)
              errors.push_back(kwhere + ": must be \"zstd\" or \"identity\"");
            else {
              rule.encoding = *e;
              have_enc = true;
            }
          } else {
            errors.push_back(kwhere + ": unknown key (expected glob, encoding)");
          }
        }
        if (!have_glob || !have_enc)
          errors.push_back(rwhere + ": a rule needs both glob and encoding");
        else
          out.push_back(std::move(rule));
      }
      cfg.encoding = EncodingPolicy(std::move(out));
    } else {
      errors.push_back(where +
                       ": unknown key (expected level, frame_size, threads, md5, encoding)");
    }
  }
  if (errors.empty()) {
    if (Status s = cfg.pack.Validate(); !s.ok()) errors.push_back(source + ": " + s.message());
  }
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
    return InvalidArgument(all);
  }
  return cfg;
}

Result<PipelineConfig> LoadPipelineConfig(const std::string& path) {
  // Debian's toml++ is built with exceptions: its parse error is converted at this boundary.
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& err) {
    return InvalidArgument(path + ":" + std::to_string(err.source().begin.line) + ": " +
                           std::string(err.description()));
  }
  return ParsePipelineConfig(doc, path);
}

}  // namespace seqgate::pipeline
