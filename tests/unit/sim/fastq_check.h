// Test helpers for the read generator: in-memory output files and a strict FASTQ splitter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "sim/readgen.h"

namespace seqgate::testing {

// A WritableFile that keeps everything in memory; optionally fails once `fail_after` bytes
// were appended, to test error propagation.
class StringFile final : public WritableFile {
 public:
  explicit StringFile(std::string path = "mem.fq") : path_(std::move(path)) {}
  Status Append(ByteView b) override {
    if (data.size() + b.size() > fail_after) return IoError("write '" + path_ + "': disk full");
    data.append(AsChars(b));
    ++appends;
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }
  const std::string& path() const override { return path_; }

  std::string data;
  size_t appends = 0;
  uint64_t fail_after = UINT64_MAX;

 private:
  std::string path_;
};

struct FastqRecord {
  std::string_view header;  // without '@'
  std::string_view seq;
  std::string_view qual;
  size_t bytes = 0;  // the whole record, newlines included
};

// Splits `text` into records. Returns an empty string when every record is well formed (four
// '\n'-terminated lines, '@' header, '+' line, sequence and quality of equal, non-zero length,
// text ending at a record boundary), else a description of the first problem.
inline std::string SplitFastq(std::string_view text, std::vector<FastqRecord>* out) {
  size_t pos = 0;
  while (pos < text.size()) {
    std::string_view line[4];
    const size_t start = pos;
    for (auto& l : line) {
      const size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) {
        return "record at byte " + std::to_string(start) + " is cut short";
      }
      l = text.substr(pos, nl - pos);
      pos = nl + 1;
    }
    const std::string where = " in record at byte " + std::to_string(start);
    if (line[0].size() < 2 || line[0][0] != '@') return "bad header" + where;
    if (line[2] != "+") return "bad separator line" + where;
    if (line[1].empty() || line[1].size() != line[3].size()) return "length mismatch" + where;
    out->push_back({line[0].substr(1), line[1], line[3], pos - start});
  }
  return "";
}

// Splits `s` at every `sep`.
inline std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (;;) {
    const size_t next = s.find(sep, pos);
    parts.push_back(s.substr(pos, next == std::string_view::npos ? next : next - pos));
    if (next == std::string_view::npos) return parts;
    pos = next + 1;
  }
}

inline bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

inline uint64_t ToNumber(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

// Generates about `target` bytes through ReadGenerator::WriteTo (R2 into *r2 when paired).
inline std::string Generate(const sim::ReadGenOptions& options, uint64_t target,
                            std::string* r2 = nullptr) {
  auto gen = sim::ReadGenerator::Create(options);
  if (!gen.ok()) return "create failed: " + gen.status().ToString();
  StringFile f1, f2;
  auto stats = gen->WriteTo(target, &f1, options.paired ? &f2 : nullptr);
  if (!stats.ok()) return "write failed: " + stats.status().ToString();
  if (r2 != nullptr) *r2 = std::move(f2.data);
  return std::move(f1.data);
}

}  // namespace seqgate::testing
