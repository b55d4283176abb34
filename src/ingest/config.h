// seqgate-ingest's configuration: one TOML file, every essential key overridable on the command
// line. Loading is strict — an unknown key is an error naming the file, the line and the key —
// because a misspelt limit that silently falls back to its default is a security hole.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/status.h"

namespace seqgate::ingest {

// A listen address as given ("127.0.0.1:8443", "[::1]:8443", "localhost:0").
struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const;
};

// Parses HOST:PORT (IPv6 hosts in brackets); kInvalidArgument on anything else.
Result<HostPort> ParseHostPort(std::string_view text);

struct TlsConfig {
  std::string cert;       // PEM chain the server presents
  std::string key;        // its private key (PEM); never logged
  std::string client_ca;  // CA bundle that client certificates must chain to
  std::string crl;        // optional PEM CRL file; when set, revocation is checked
  bool tls13_only = false;
};

struct LimitsConfig {
  uint64_t max_upload_size = 4ull << 40;   // Tus-Max-Size
  uint32_t max_uploads_per_site = 64;      // incomplete uploads a site may hold at once
  uint64_t min_free_bytes = 1ull << 30;    // below this the server answers 507
  uint32_t max_header_bytes = 16 * 1024;   // whole request head
  uint32_t max_metadata_bytes = 4 * 1024;  // Upload-Metadata header value
  uint32_t max_connections = 256;
  // Connections one address may hold before their TLS handshake completes: without it one
  // address holding max_connections silent sockets keeps every site out.
  uint32_t max_handshakes_per_address = 16;
  uint32_t handshake_timeout_s = 15;
  uint32_t header_timeout_s = 20;            // the whole request head must arrive within this
  uint32_t idle_timeout_s = 60;              // keep-alive connection with no request
  uint32_t body_read_timeout_s = 60;         // each body buffer (1 MiB) must arrive within this
  uint32_t upload_expiry_s = 7 * 24 * 3600;  // incomplete uploads expire after this idle time
  uint32_t cleanup_interval_s = 600;
  uint64_t commit_interval_bytes = 64ull << 20;  // durable checkpoint inside a long PATCH
};

struct IngestConfig {
  std::string source;  // the file it came from, for messages ("" = defaults + flags only)
  HostPort listen{"0.0.0.0", 8443};
  HostPort metrics{"127.0.0.1", 9464};
  std::string storage;
  std::string base_path = "/files/";
  std::string server_name;  // written into receipts; defaults to the host name
  uint32_t threads = 2;
  TlsConfig tls;
  std::string receipt_key;  // Ed25519 private key (PEM) that signs receipts
  // Certificate subject CN → site name. Empty: the CN itself is the site.
  std::map<std::string, std::string> site_map;
  bool mapped_sites_only = false;  // refuse CNs absent from site_map
  LimitsConfig limits;
  std::string log_level = "info";
};

// Reads and validates `path`. Unknown keys, wrong types and out-of-range values are
// kInvalidArgument with "file:line: key ..." in the message.
Result<IngestConfig> LoadConfigFile(const std::string& path);

// Parses TOML text (for tests); `name` is used in messages.
Result<IngestConfig> ParseConfig(std::string_view text, const std::string& name);

// Checks cross-field rules after command-line overrides (required keys present, base path
// shape). Run once, just before the server starts.
Status ValidateConfig(const IngestConfig& config);

}  // namespace seqgate::ingest
