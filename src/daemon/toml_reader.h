// Strict reading of one TOML table: every key must be claimed by the caller, every value must
// have the expected type and range, and each problem becomes one message naming the file, the
// line and the dotted key — so `seqgated --check-config` can list every mistake at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace toml {
inline namespace v3 {
class node;
class table;
}  // namespace v3
}  // namespace toml

namespace seqgate::daemon {

// Problems found so far, in file order of discovery.
class ConfigErrors {
 public:
  void Add(std::string message) { errors_.push_back(std::move(message)); }
  bool empty() const { return errors_.empty(); }
  const std::vector<std::string>& all() const { return errors_; }
  // All messages, one per line.
  std::string Joined() const;

 private:
  std::vector<std::string> errors_;
};

class TomlReader {
 public:
  // Reads `table` (may be null: an absent section), found at dotted `prefix` in `source`.
  TomlReader(const toml::table* table, std::string source, std::string prefix,
             ConfigErrors* errors);
  // Reports every key no accessor asked for as unknown, listing the known ones.
  ~TomlReader();
  TomlReader(const TomlReader&) = delete;
  TomlReader& operator=(const TomlReader&) = delete;

  // Each accessor leaves `out` untouched when the key is absent, and reports a wrong type or
  // range. They return whether the key was present and valid.
  bool String(const char* key, std::string* out);
  bool Bool(const char* key, bool* out);
  bool Int(const char* key, int64_t lo, int64_t hi, int64_t* out);
  bool Seconds(const char* key, double lo, double hi, double* out);         // number of seconds
  bool ByteSize(const char* key, uint64_t lo, uint64_t hi, uint64_t* out);  // 8MiB or integer
  bool Strings(const char* key, std::vector<std::string>* out);
  // An array of tables ([[prefix.key]]): `each` gets a reader for every element.
  bool Tables(const char* key, const std::function<void(TomlReader&)>& each);
  // A sub-table ([prefix.key]); `fn` gets its reader (an absent table gives a reader of null).
  void Table(const char* key, const std::function<void(TomlReader&)>& fn);
  // A key this section knows but reads elsewhere (so it is not reported as unknown).
  void Claim(const char* key) { known_.insert(key); }

  // "file:line: prefix.key" for messages about `key` (its line when present).
  std::string Where(const char* key) const;
  void Error(const char* key, const std::string& what);

 private:
  const toml::node* Get(const char* key);

  const toml::table* table_;
  std::string source_, prefix_;
  ConfigErrors* errors_;
  std::set<std::string> known_;
};

}  // namespace seqgate::daemon
