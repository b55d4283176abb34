#include "daemon/s3_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "crypt4gh/keys.h"
#include "transfer/s3/inbox_path.h"
#include "transfer/s3/multipart_options.h"

namespace seqgate::daemon {
namespace {

// Where `key` was set, or "source: s3.key" when it was not.
std::string WhereOf(const S3Settings& s, const std::string& source, const std::string& key) {
  auto it = s.where.find(key);
  return it != s.where.end() ? it->second : source + ": " + key;
}

// A secret file: present, regular, owned by us and neither readable nor writable by others.
std::string SecretFileProblem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "'" + path + "': " + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "'" + path + "' is not a regular file";
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return "'" + path + "' has mode " + mode +
           ": a secret must be readable by its owner only; run chmod 600 on it";
  }
  if (st.st_uid != ::geteuid()) return "'" + path + "' is not owned by the user seqgated runs as";
  return "";
}

bool ReadString(TomlReader& r, S3Settings* s, const char* key, std::string* out) {
  if (!r.String(key, out)) return false;
  s->where[std::string("s3.") + key] = r.Where(key);
  return true;
}

}  // namespace

void ReadS3Section(TomlReader& r, S3Settings* s) {
  ReadString(r, s, "endpoint", &s->endpoint);
  ReadString(r, s, "bucket", &s->bucket);
  ReadString(r, s, "region", &s->region);
  ReadString(r, s, "access_key_file", &s->access_key_file);
  ReadString(r, s, "secret_key_file", &s->secret_key_file);
  ReadString(r, s, "token_file", &s->token_file);
  if (ReadString(r, s, "token_mode", &s->token_mode) && s->token_mode != "security-token" &&
      s->token_mode != "bearer" && s->token_mode != "none") {
    r.Error("token_mode", "must be security-token, bearer or none");
  }
  // S3's floor for parts and its ceiling.
  r.ByteSize("part_size", 5ull << 20, 5ull << 30, &s->part_size);
  int64_t parallel = s->parallel_parts;
  if (r.Int("parallel_parts", 1, 64, &parallel))
    s->parallel_parts = static_cast<unsigned>(parallel);
  if (ReadString(r, s, "key_prefix", &s->key_prefix)) {
    std::string p = s->key_prefix;
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (!p.empty()) {
      if (Status st = transfer::s3::CheckInboxKey(p); !st.ok()) r.Error("key_prefix", st.message());
    }
    s->key_prefix = p;
  }
  ReadString(r, s, "ca", &s->ca);
  // Inline secrets would sit in a config file that is usually world-readable: refused, naming
  // the key to use instead. The value is never echoed.
  const std::pair<const char*, const char*> kInline[] = {{"access_key", "access_key_file"},
                                                         {"secret_key", "secret_key_file"},
                                                         {"token", "token_file"},
                                                         {"session_token", "token_file"}};
  for (const auto& [key, instead] : kInline) {
    std::string ignored;
    if (r.String(key, &ignored)) {
      r.Error(key, std::string("secrets are not accepted inline: put it in a file only "
                               "seqgated's user can read, and name that file with ") +
                       instead);
    }
  }
}

void ReadCrypt4ghSection(TomlReader& r, S3Settings* s) {
  if (r.Strings("recipients", &s->recipients))
    s->where["crypt4gh.recipients"] = r.Where("recipients");
}

void CheckS3Settings(const S3Settings& s, const std::string& source, ConfigErrors* errors) {
  auto add = [&](const std::string& key, const std::string& what) {
    errors->Add(WhereOf(s, source, key) + ": " + what);
  };
  if (s.endpoint.empty()) {
    add("s3.endpoint", "missing (protocol = \"s3\" needs the inbox's https:// URL)");
  } else if (auto ep = transfer::s3::ParseEndpoint(s.endpoint); !ep.ok()) {
    add("s3.endpoint", ep.status().message());
  }
  if (s.bucket.empty()) {
    add("s3.bucket", "missing (the inbox user id)");
  } else if (Status st = transfer::s3::CheckInboxBucket(s.bucket); !st.ok()) {
    add("s3.bucket", st.message());
  }
  const bool keys_needed = s.token_mode == "none";
  if (s.token_mode != "none" && s.token_file.empty()) {
    add("s3.token_file", "missing (token_mode = \"" + s.token_mode + "\" needs the token file)");
  }
  if (keys_needed && (s.access_key_file.empty() || s.secret_key_file.empty())) {
    add("s3.secret_key_file",
        "token_mode = \"none\" signs with keys: set access_key_file and "
        "secret_key_file");
  }
  if (s.access_key_file.empty() != s.secret_key_file.empty()) {
    add(s.access_key_file.empty() ? "s3.access_key_file" : "s3.secret_key_file",
        "access_key_file and secret_key_file go together");
  }
  for (const auto& [key, path] :
       {std::pair<std::string, std::string>{"s3.access_key_file", s.access_key_file},
        {"s3.secret_key_file", s.secret_key_file},
        {"s3.token_file", s.token_file}}) {
    if (path.empty()) continue;
    if (std::string p = SecretFileProblem(path); !p.empty()) add(key, p);
  }
  if (!s.ca.empty()) {
    struct stat st {};
    if (::stat(s.ca.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      add("s3.ca", "'" + s.ca + "' is not a readable file");
    }
  }
  if (s.recipients.empty()) {
    add("crypt4gh.recipients",
        "missing: the inbox takes Crypt4GH objects; name one or more public key files");
  }
  for (const std::string& path : s.recipients) {
    auto text = crypt4gh::ReadKeyFile(path);
    if (!text.ok()) {
      add("crypt4gh.recipients", text.status().message());
    } else if (auto keys = crypt4gh::ParsePublicKeys(*text, path); !keys.ok()) {
      add("crypt4gh.recipients", keys.status().message());
    }
  }
}

}  // namespace seqgate::daemon
