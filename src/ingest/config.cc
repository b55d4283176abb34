#include "ingest/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <vector>

#include <toml++/toml.h>

namespace seqgate::ingest {
namespace {

constexpr uint64_t kU32 = std::numeric_limits<uint32_t>::max();
constexpr uint64_t kI64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::string Where(const std::string& file, const toml::source_region& src) {
  return file + ":" + std::to_string(src.begin.line);
}

// Walks one TOML table with a fixed set of keys. Every key must be claimed by a handler, so a
// typo is reported instead of silently ignored.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  using Handler = std::function<Status(const toml::node&, const std::string& where)>;

  void On(const std::string& key, Handler h) { handlers_[key] = std::move(h); }

  Status Run() const {
    for (auto&& [key, node] : table_) {
      std::string name(key.str());
      auto it = handlers_.find(name);
      std::string where = Where(file_, key.source());
      if (it == handlers_.end()) {
        return InvalidArgument(where + ": unknown key '" + prefix_ + name + "'");
      }
      SEQGATE_RETURN_IF_ERROR(it->second(node, where + ": " + prefix_ + name));
    }
    return Status::Ok();
  }

 private:
  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::map<std::string, Handler> handlers_;
};

TableReader::Handler String(std::string* out) {
  return [out](const toml::node& n, const std::string& where) -> Status {
    auto v = n.value<std::string>();
    if (!n.is_string() || !v) return InvalidArgument(where + ": expected a string");
    *out = *v;
    return Status::Ok();
  };
}

TableReader::Handler Bool(bool* out) {
  return [out](const toml::node& n, const std::string& where) -> Status {
    if (!n.is_boolean()) return InvalidArgument(where + ": expected true or false");
    *out = *n.value<bool>();
    return Status::Ok();
  };
}

template <typename T>
TableReader::Handler Integer(T* out, uint64_t min, uint64_t max) {
  return [out, min, max](const toml::node& n, const std::string& where) -> Status {
    if (!n.is_integer()) return InvalidArgument(where + ": expected an integer");
    int64_t v = *n.value<int64_t>();
    if (v < 0 || static_cast<uint64_t>(v) < min || static_cast<uint64_t>(v) > max) {
      return InvalidArgument(where + ": " + std::to_string(v) + " is outside [" +
                             std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    *out = static_cast<T>(v);
    return Status::Ok();
  };
}

TableReader::Handler Address(HostPort* out) {
  return [out](const toml::node& n, const std::string& where) -> Status {
    if (!n.is_string()) return InvalidArgument(where + ": expected \"HOST:PORT\"");
    auto hp = ParseHostPort(*n.value<std::string>());
    if (!hp.ok()) return InvalidArgument(where + ": " + hp.status().message());
    *out = *hp;
    return Status::Ok();
  };
}

template <typename Fill>
TableReader::Handler SubTable(const std::string& file, const std::string& prefix, Fill fill) {
  return [file, prefix, fill](const toml::node& n, const std::string& where) -> Status {
    const toml::table* t = n.as_table();
    if (!t) return InvalidArgument(where + ": expected a table");
    TableReader r(*t, file, prefix + ".");
    fill(r);
    return r.Run();
  };
}

}  // namespace

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<HostPort> ParseHostPort(std::string_view text) {
  HostPort hp;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgument("'" + std::string(text) + "' is not [IPv6]:PORT");
    }
    hp.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return InvalidArgument("'" + std::string(text) + "' is not HOST:PORT");
    }
    hp.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  // An unbracketed host with ':' (or stray brackets) would print back as another address.
  const bool bracketed = text.front() == '[';
  if (hp.host.empty() || hp.host.find_first_of("[]") != std::string::npos ||
      (!bracketed && hp.host.find(':') != std::string::npos)) {
    return InvalidArgument("'" + std::string(text) +
                           "': the host must be a name, an IPv4 address or an [IPv6] address");
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    return InvalidArgument("'" + std::string(text) + "' has no valid port");
  }
  hp.port = static_cast<uint16_t>(value);
  return hp;
}

Result<IngestConfig> ParseConfig(std::string_view text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    // toml++ reports syntax errors by exception; this is the boundary where it becomes a Status.
    return InvalidArgument(name + ":" + std::to_string(e.source().begin.line) + ": " +
                           std::string(e.description()));
  }
  IngestConfig c;
  c.source = name;
  TableReader top(root, name, "");
  top.On("listen", Address(&c.listen));
  top.On("metrics", Address(&c.metrics));
  top.On("storage", String(&c.storage));
  top.On("base_path", String(&c.base_path));
  top.On("server_name", String(&c.server_name));
  top.On("threads", Integer(&c.threads, 1, 64));
  top.On("receipt_key", String(&c.receipt_key));
  top.On("log_level", String(&c.log_level));
  top.On("tls", SubTable(name, "tls", [&c](TableReader& r) {
           r.On("cert", String(&c.tls.cert));
           r.On("key", String(&c.tls.key));
           r.On("client_ca", String(&c.tls.client_ca));
           r.On("crl", String(&c.tls.crl));
           r.On("tls13_only", Bool(&c.tls.tls13_only));
         }));
  top.On("sites", SubTable(name, "sites", [&c, &name](TableReader& r) {
           r.On("mapped_only", Bool(&c.mapped_sites_only));
           r.On("map", [&c, &name](const toml::node& n, const std::string& where) -> Status {
             const toml::table* t = n.as_table();
             if (!t) return InvalidArgument(where + ": expected a table of CN = \"site\"");
             for (auto&& [cn, site] : *t) {
               auto v = site.value<std::string>();
               if (!site.is_string() || !v) {
                 return InvalidArgument(Where(name, cn.source()) + ": sites.map value for '" +
                                        std::string(cn.str()) + "' must be a string");
               }
               c.site_map[std::string(cn.str())] = *v;
             }
             return Status::Ok();
           });
         }));
  top.On("limits", SubTable(name, "limits", [&c](TableReader& r) {
           LimitsConfig& l = c.limits;
           r.On("max_upload_size", Integer(&l.max_upload_size, 1, kI64));
           r.On("max_uploads_per_site", Integer(&l.max_uploads_per_site, 1, kU32));
           r.On("min_free_bytes", Integer(&l.min_free_bytes, 0, kI64));
           r.On("max_header_bytes", Integer(&l.max_header_bytes, 1024, 1u << 20));
           r.On("max_metadata_bytes", Integer(&l.max_metadata_bytes, 64, 1u << 20));
           r.On("max_connections", Integer(&l.max_connections, 1, 1u << 20));
           r.On("max_handshakes_per_address",
                Integer(&l.max_handshakes_per_address, 1, 1u << 20));
           r.On("handshake_timeout_seconds", Integer(&l.handshake_timeout_s, 1, 3600));
           r.On("header_timeout_seconds", Integer(&l.header_timeout_s, 1, 3600));
           r.On("idle_timeout_seconds", Integer(&l.idle_timeout_s, 1, 86400));
           r.On("body_read_timeout_seconds", Integer(&l.body_read_timeout_s, 1, 3600));
           r.On("upload_expiry_seconds", Integer(&l.upload_expiry_s, 1, kU32));
           r.On("cleanup_interval_seconds", Integer(&l.cleanup_interval_s, 1, 86400));
           r.On("commit_interval_bytes", Integer(&l.commit_interval_bytes, 1u << 20, kI64));
         }));
  SEQGATE_RETURN_IF_ERROR(top.Run());
  return c;
}

Result<IngestConfig> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read config file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

Status ValidateConfig(const IngestConfig& c) {
  auto need = [](const std::string& v, const char* what) -> Status {
    if (v.empty()) return InvalidArgument(std::string(what) + " is required");
    return Status::Ok();
  };
  SEQGATE_RETURN_IF_ERROR(need(c.storage, "storage (--storage)"));
  SEQGATE_RETURN_IF_ERROR(need(c.tls.cert, "tls.cert (--tls-cert)"));
  SEQGATE_RETURN_IF_ERROR(need(c.tls.key, "tls.key (--tls-key)"));
  SEQGATE_RETURN_IF_ERROR(need(c.tls.client_ca, "tls.client_ca (--client-ca)"));
  SEQGATE_RETURN_IF_ERROR(need(c.receipt_key, "receipt_key (--receipt-key)"));
  if (c.base_path.size() < 2 || c.base_path.front() != '/' || c.base_path.back() != '/') {
    return InvalidArgument("base_path must start and end with '/', e.g. \"/files/\"");
  }
  for (char ch : c.base_path) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '-' || ch == '_')) {
      return InvalidArgument("base_path may hold only letters, digits, '/', '-', '_'");
    }
  }
  static const std::vector<std::string> kLevels = {"debug", "info", "warning", "error"};
  if (std::find(kLevels.begin(), kLevels.end(), c.log_level) == kLevels.end()) {
    return InvalidArgument("log_level must be debug, info, warning or error");
  }
  return Status::Ok();
}

}  // namespace seqgate::ingest
