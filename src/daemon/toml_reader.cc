#include "daemon/toml_reader.h"

#include <toml++/toml.h>

#include <cmath>

#include "common/units.h"

namespace seqgate::daemon {

std::string ConfigErrors::Joined() const {
  std::string all;
  for (const auto& e : errors_) all += (all.empty() ? "" : "\n") + e;
  return all;
}

TomlReader::TomlReader(const toml::table* table, std::string source, std::string prefix,
                       ConfigErrors* errors)
    : table_(table), source_(std::move(source)), prefix_(std::move(prefix)), errors_(errors) {}

TomlReader::~TomlReader() {
  if (table_ == nullptr) return;
  for (const auto& [k, v] : *table_) {
    const std::string key(k.str());
    if (known_.count(key) != 0) continue;
    std::string list;
    for (const auto& n : known_) list += (list.empty() ? "" : ", ") + n;
    errors_->Add(source_ + ":" + std::to_string(v.source().begin.line) + ": " + prefix_ + key +
                 ": unknown key (expected " + list + ")");
  }
}

const toml::node* TomlReader::Get(const char* key) {
  known_.insert(key);
  return table_ == nullptr ? nullptr : table_->get(key);
}

std::string TomlReader::Where(const char* key) const {
  const toml::node* n = table_ == nullptr ? nullptr : table_->get(key);
  const int line = n != nullptr        ? static_cast<int>(n->source().begin.line)
                   : table_ != nullptr ? static_cast<int>(table_->source().begin.line)
                                       : 0;
  return source_ + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + prefix_ + key;
}

void TomlReader::Error(const char* key, const std::string& what) {
  errors_->Add(Where(key) + ": " + what);
}

bool TomlReader::String(const char* key, std::string* out) {
  const toml::node* n = Get(key);
  if (n == nullptr) return false;
  auto v = n->value<std::string>();
  if (!v) {
    Error(key, "must be a string");
    return false;
  }
  *out = *v;
  return true;
}

bool TomlReader::Bool(const char* key, bool* out) {
  const toml::node* n = Get(key);
  if (n == nullptr) return false;
  auto v = n->value<bool>();
  if (!v) {
    Error(key, "must be true or false");
    return false;
  }
  *out = *v;
  return true;
}

bool TomlReader::Int(const char* key, int64_t lo, int64_t hi, int64_t* out) {
  const toml::node* n = Get(key);
  if (n == nullptr) return false;
  auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;
  if (!v || *v < lo || *v > hi) {
    Error(key, "must be an integer " + std::to_string(lo) + ".." + std::to_string(hi));
    return false;
  }
  *out = *v;
  return true;
}

bool TomlReader::Seconds(const char* key, double lo, double hi, double* out) {
  const toml::node* n = Get(key);
  if (n == nullptr) return false;
  std::optional<double> v;
  if (n->is_integer()) {
    v = static_cast<double>(*n->value<int64_t>());
  } else if (n->is_floating_point()) {
    v = *n->value<double>();
  }
  if (!v || !std::isfinite(*v) || *v < lo || *v > hi) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "must be a number of seconds %g..%g", lo, hi);
    Error(key, buf);
    return false;
  }
  *out = *v;
  return true;
}

bool TomlReader::ByteSize(const char* key, uint64_t lo, uint64_t hi, uint64_t* out) {
  const toml::node* n = Get(key);
  if (n == nullptr) return false;
  Result<uint64_t> size = InvalidArgument("");
  if (n->is_integer() && *n->value<int64_t>() >= 0) {
    size = static_cast<uint64_t>(*n->value<int64_t>());
  } else if (auto s = n->value<std::string>()) {
    size = ParseByteSize(*s);
  }
  if (!size.ok() || *size < lo || *size > hi) {
    Error(key, "must be a byte size from " + FormatBytes(lo) + " to " + FormatBytes(hi) +
                   " such as \"64MiB\"");
    return false;
  }
  *out = *size;
  return true;
}

bool TomlReader::Strings(const char* key, std::vector<std::string>* out) {
  const toml::node* n = Get(key);
  if (n == nullptr) return false;
  const toml::array* a = n->as_array();
  std::vector<std::string> v;
  bool ok = a != nullptr;
  if (a != nullptr) {
    for (const auto& e : *a) {
      auto s = e.value<std::string>();
      if (!s) {
        ok = false;
        break;
      }
      v.push_back(*s);
    }
  }
  if (!ok) {
    Error(key, "must be an array of strings");
    return false;
  }
  *out = std::move(v);
  return true;
}

bool TomlReader::Tables(const char* key, const std::function<void(TomlReader&)>& each) {
  const toml::node* n = Get(key);
  if (n == nullptr) return false;
  const toml::array* a = n->as_array();
  if (a == nullptr || !a->is_array_of_tables()) {
    Error(key, std::string("must be an array of tables ([[") + prefix_ + key + "]])");
    return false;
  }
  for (const auto& e : *a) {
    TomlReader sub(e.as_table(), source_, prefix_ + key + ".", errors_);
    each(sub);
  }
  return true;
}

void TomlReader::Table(const char* key, const std::function<void(TomlReader&)>& fn) {
  const toml::node* n = Get(key);
  const toml::table* t = n == nullptr ? nullptr : n->as_table();
  if (n != nullptr && t == nullptr) Error(key, "must be a table");
  TomlReader sub(t, source_, prefix_ + key + ".", errors_);
  fn(sub);
}

}  // namespace seqgate::daemon
