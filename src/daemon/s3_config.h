// seqgated's S3 settings: `[centre] protocol = "s3"` delivers to an S3 inbox (a GDI/SDA
// s3inbox) instead of a tus centre, configured by the [s3] and [crypt4gh] sections. Secrets
// (keys, the access token) live in files readable only by their owner, never in the config.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "daemon/toml_reader.h"

namespace seqgate::daemon {

struct S3Settings {
  std::string endpoint;  // https://host[:port], path-style
  std::string bucket;    // the inbox user id
  std::string region = "us-east-1";
  std::string access_key_file, secret_key_file;  // owner-only files
  std::string token_file;                        // the inbox JWT (owner-only), replaced on login
  std::string token_mode = "security-token";     // security-token | bearer | none
  uint64_t part_size = 16ull << 20;
  unsigned parallel_parts = 4;          // parts in flight per file
  std::string key_prefix;               // prepended to every object key ("" = none)
  std::string ca;                       // verifies the endpoint; "" = the system store
  std::vector<std::string> recipients;  // [crypt4gh] public key files (one or more)
  // "file:line: s3.key" per key read, so the final checks name where a value came from.
  std::map<std::string, std::string> where;
};

// Reads the [s3] section's keys (types and ranges; inline secrets refused).
void ReadS3Section(TomlReader& r, S3Settings* s);
// Reads the [crypt4gh] section.
void ReadCrypt4ghSection(TomlReader& r, S3Settings* s);
// The checks that need the whole picture and the filesystem, for protocol = "s3": endpoint and
// bucket valid, credentials for the token mode, secret files owner-only, recipients' keys
// parse. Each problem is added to `errors`, naming file, line and key. `source` names the file
// for keys that are missing altogether.
void CheckS3Settings(const S3Settings& s, const std::string& source, ConfigErrors* errors);

}  // namespace seqgate::daemon
