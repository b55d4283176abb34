// The plain-text tables instruments write: ONT final_summary_*.txt (key=value), ONT
// output_hash_*.csv (CSV with header) and DRAGEN Manifest.tsv (path<TAB>hash). The first byte
// picks the format, the rest is the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/text_tables.h"

namespace {

using namespace seqgate::bridge;

void CheckTable(const TextTable& t, std::string_view text) {
  // Every cell is a piece of the input: a table never holds more bytes than the file had.
  size_t cells = 0;
  for (const auto& h : t.header) cells += h.size();
  for (const auto& row : t.rows) {
    if (row.empty()) std::abort();  // a kept line always has at least one field
    for (const auto& c : row) cells += c.size();
  }
  if (cells > text.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {  // final_summary: what the ONT adapter reads out of it
      auto kv = ParseKeyValueLines(text);
      if (kv.ok()) {
        for (const auto& [k, v] : *kv) {
          if (k.empty() || k.size() + v.size() > text.size()) std::abort();
        }
      }
      break;
    }
    case 1: {  // output_hash: header with file_hash and file_path columns
      auto t = ParseDelimited(text, ',', /*has_header=*/true);
      if (!t.ok()) break;
      CheckTable(*t, text);
      const int hash_col = t->Column("file_hash"), path_col = t->Column("file_path");
      for (const auto& row : t->rows) {
        if (hash_col >= 0 && row.size() > static_cast<size_t>(hash_col)) {
          (void)GuessDigestAlgorithm(row[static_cast<size_t>(hash_col)]);
        }
        if (path_col >= 0 && row.size() > static_cast<size_t>(path_col)) {
          (void)row[static_cast<size_t>(path_col)];
        }
      }
      break;
    }
    default: {  // DRAGEN Manifest.tsv: no header
      auto t = ParseDelimited(text, '\t', /*has_header=*/false);
      if (!t.ok()) break;
      CheckTable(*t, text);
      if (!t->header.empty()) std::abort();
      for (const auto& row : t->rows) {
        if (row.size() >= 2) (void)GuessDigestAlgorithm(row[1]);
      }
      break;
    }
  }
  return 0;
}
