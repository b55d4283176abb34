// seqgatectl s3: one file to an S3 endpoint (a GDI/SDA s3inbox) as a resumable multipart upload,
// resuming from its state file when run again; `s3 abort` gives an upload up. Credentials come
// from files or the environment, never from the command line.
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/small_file.h"
#include "common/units.h"
#include "ctl/commands.h"
#include "transfer/bandwidth_limiter.h"
#include "transfer/bandwidth_schedule.h"
#include "transfer/s3/multipart_uploader.h"

namespace seqgate::ctl {
namespace {

namespace s3 = transfer::s3;

struct S3Args {
  std::string file, endpoint, bucket, key, access_key_file, secret_key_file, token_file;
  std::string token_mode, region = "us-east-1", ca, client_cert, client_key, proxy, state;
  std::string part_size = "16MiB", bwlimit;
  unsigned parallel = 4, max_attempts = 0, stall_seconds = 60, connect_timeout = 20;
  unsigned token_poll_ms = 1000;
  bool quiet = false;
  // s3 sign (hidden, for the botocore cross-check)
  std::string method = "GET", host, path, payload_sha256;
  std::vector<std::string> query, headers;
  int64_t time = 0;
};

std::atomic<int> g_s3_signal{0};
extern "C" void OnS3Signal(int sig) { g_s3_signal.store(sig); }

// SIGTERM/SIGINT cut the in-flight parts; the state file keeps what the server acknowledged.
class StopOnSignal {
 public:
  StopOnSignal() {
    struct sigaction sa {};
    sa.sa_handler = &OnS3Signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    watcher_ = std::jthread([this](std::stop_token done) {
      while (!done.stop_requested()) {
        if (g_s3_signal.load() != 0) {
          source_.request_stop();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  std::stop_token token() const { return source_.get_token(); }
  int signal() const { return g_s3_signal.load(); }

 private:
  std::stop_source source_;
  std::jthread watcher_;
};

Status FillOptions(const S3Args& a, s3::MultipartOptions* o,
                   std::unique_ptr<s3::TokenFile>* token) {
  o->endpoint = a.endpoint;
  o->bucket = a.bucket;
  o->key = a.key;
  o->region = a.region;
  o->state_path = a.state;
  o->parallel = a.parallel;
  o->retry.max_attempts = a.max_attempts;
  o->token_poll = std::chrono::milliseconds(a.token_poll_ms);
  o->transport.ca_file = a.ca;
  o->transport.client_cert = a.client_cert;
  o->transport.client_key = a.client_key;
  o->transport.proxy = a.proxy;
  o->transport.low_speed_time = std::chrono::seconds(a.stall_seconds);
  o->transport.connect_timeout = std::chrono::seconds(a.connect_timeout);
  SEQGATE_ASSIGN_OR_RETURN(uint64_t part, ParseByteSize(a.part_size));
  o->part_size = part;

  std::string mode = a.token_mode;
  if (mode.empty()) mode = a.token_file.empty() ? "none" : "security-token";
  if (mode == "none") {
    o->token_mode = s3::TokenMode::kNone;
  } else if (mode == "security-token") {
    o->token_mode = s3::TokenMode::kSecurityToken;
  } else if (mode == "bearer") {
    o->token_mode = s3::TokenMode::kBearer;
  } else {
    return InvalidArgument("--token-mode must be security-token, bearer or none, not '" + mode +
                           "'");
  }
  if (o->token_mode != s3::TokenMode::kNone) {
    if (a.token_file.empty())
      return InvalidArgument("--token-mode " + mode + " needs --token-file");
    *token = std::make_unique<s3::TokenFile>(*Env::Default(), a.token_file);
    o->token_file = token->get();
  }
  if (!a.access_key_file.empty()) {
    SEQGATE_ASSIGN_OR_RETURN(o->credentials.access_key,
                             ReadSecretFile("access key", a.access_key_file));
  } else if (const char* v = std::getenv("AWS_ACCESS_KEY_ID"); v != nullptr && *v != '\0') {
    o->credentials.access_key = v;
  }
  if (!a.secret_key_file.empty()) {
    SEQGATE_ASSIGN_OR_RETURN(o->credentials.secret_key,
                             ReadSecretFile("secret key", a.secret_key_file));
  } else if (const char* v = std::getenv("AWS_SECRET_ACCESS_KEY"); v != nullptr && *v != '\0') {
    o->credentials.secret_key = v;
  }
  // An SDA inbox ignores the client's signature; sda-auth's s3cmd config sets both keys to the
  // user id, so a token mode without keys does the same.
  if (o->token_mode == s3::TokenMode::kSecurityToken && o->credentials.access_key.empty() &&
      o->credentials.secret_key.empty()) {
    o->credentials.access_key = o->credentials.secret_key = a.bucket;
  }
  return Status::Ok();
}

int Fail(const char* cmd, const Status& s) {
  std::fprintf(stderr, "seqgatectl s3 %s: %s\n", cmd, s.ToString().c_str());
  return 1;
}

int RunS3Upload(const S3Args& a) {
  s3::MultipartOptions o;
  std::unique_ptr<s3::TokenFile> token;
  if (Status st = FillOptions(a, &o, &token); !st.ok()) return Fail("upload", st);
  if (a.quiet) {
    SetLogLevel(LogLevel::kWarning);
  } else {
    o.note = [](const std::string& m) {
      std::fprintf(stderr, "seqgatectl s3 upload: %s\n", m.c_str());
    };
  }
  std::optional<transfer::BandwidthSchedule> schedule;
  std::optional<transfer::BandwidthLimiter> limiter;
  if (!a.bwlimit.empty()) {
    auto sch = transfer::BandwidthSchedule::Parse(a.bwlimit);
    if (!sch.ok()) return Fail("upload", sch.status());
    schedule = std::move(*sch);
    limiter.emplace(*schedule);
    o.transport.limiter = &*limiter;
  }
  StopOnSignal stop;
  o.stop = stop.token();
  // Names are checked before the file is opened: a refused key costs nothing.
  auto source = s3::OpenFileSource(*Env::Default(), a.file);
  if (!source.ok()) return Fail("upload", source.status());
  auto r = s3::UploadMultipart(**source, o);
  if (const int sig = stop.signal(); sig != 0) {
    std::fprintf(stderr, "seqgatectl s3 upload: interrupted by signal %d; run again to resume\n",
                 sig);
    return 128 + sig;
  }
  if (!r.ok()) return Fail("upload", r.status().WithContext(a.file));
  nlohmann::json j = {{"file", a.file},
                      {"bucket", a.bucket},
                      {"key", a.key},
                      {"etag", r->etag},
                      {"size", r->object_size},
                      {"parts", r->part_count},
                      {"part_size", r->part_size},
                      {"parts_sent", r->parts_sent},
                      {"parts_kept", r->parts_kept},
                      {"bytes_sent", r->bytes_sent},
                      {"retries", r->retries},
                      {"upload_id", r->upload_id},
                      {"already_complete", r->already_complete}};
  std::printf("%s\n", j.dump().c_str());
  if (!a.quiet) {
    std::fprintf(stderr, "seqgatectl s3 upload: %s → s3://%s/%s: ETag %s, %u parts%s\n",
                 a.file.c_str(), a.bucket.c_str(), a.key.c_str(), r->etag.c_str(), r->part_count,
                 r->already_complete ? " (already delivered)" : "");
  }
  return 0;
}

int RunS3Abort(const S3Args& a) {
  s3::MultipartOptions o;
  std::unique_ptr<s3::TokenFile> token;
  if (Status st = FillOptions(a, &o, &token); !st.ok()) return Fail("abort", st);
  if (!a.quiet)
    o.note = [](const std::string& m) {
      std::fprintf(stderr, "seqgatectl s3 abort: %s\n", m.c_str());
    };
  if (Status st = s3::AbortMultipart(o); !st.ok()) return Fail("abort", st);
  return 0;
}

// Prints our SigV4 Authorization header for one request at a fixed time (botocore cross-check).
int RunS3Sign(const S3Args& a) {
  s3::MultipartOptions o;
  std::unique_ptr<s3::TokenFile> token;
  S3Args b = a;
  b.endpoint = "https://" + a.host;
  if (Status st = FillOptions(b, &o, &token); !st.ok()) return Fail("sign", st);
  s3::SignInput in;
  in.method = a.method;
  in.host = a.host;
  in.path = a.path;
  in.region = a.region;
  in.unix_time = a.time;
  in.payload_sha256 = a.payload_sha256;
  for (const auto& q : a.query) {
    const auto eq = q.find('=');
    in.query.emplace_back(q.substr(0, eq), eq == std::string::npos ? "" : q.substr(eq + 1));
  }
  for (const auto& h : a.headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos)
      return Fail("sign", InvalidArgument("--header needs Name:value"));
    in.headers.emplace_back(h.substr(0, colon), h.substr(colon + 1));
  }
  s3::Credentials c = o.credentials;
  if (token) {
    auto t = token->Current();
    if (!t.ok()) return Fail("sign", t.status());
    c.session_token = t->token;
  }
  auto s = s3::SignV4(in, c);
  if (!s.ok()) return Fail("sign", s.status());
  std::printf("%s\n%s\n", s->authorization.c_str(), s->target.c_str());
  return 0;
}

void AddCommon(CLI::App* cmd, const std::shared_ptr<S3Args>& a) {
  cmd->add_option("--access-key-file", a->access_key_file,
                  "File holding the access key (or AWS_ACCESS_KEY_ID)");
  cmd->add_option("--secret-key-file", a->secret_key_file,
                  "File holding the secret key (or AWS_SECRET_ACCESS_KEY)");
  cmd->add_option("--token-file", a->token_file,
                  "File holding the inbox access token (JWT); re-read when replaced");
  cmd->add_option("--token-mode", a->token_mode,
                  "security-token (default with a token) | bearer | none");
  cmd->add_option("--region", a->region, "SigV4 region (us-east-1)");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress notes on stderr");
}

}  // namespace

void AddS3Commands(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<S3Args>();
  CLI::App* s3cmd = app.add_subcommand("s3", "S3 multipart uploads to a GDI/SDA inbox");
  s3cmd->require_subcommand(1);

  CLI::App* up = s3cmd->add_subcommand(
      "upload", "Upload FILE as a resumable multipart upload; prints the ETag and parts as JSON");
  up->add_option("FILE", a->file, "File to upload")->required();
  for (CLI::App* cmd :
       {up, s3cmd->add_subcommand("abort", "Abort the unfinished upload a state file describes")}) {
    cmd->add_option("--endpoint", a->endpoint, "https://host[:port] (path-style)")->required();
    cmd->add_option("--bucket", a->bucket, "Bucket: the inbox user id")->required();
    cmd->add_option("--key", a->key, "Object path inside the bucket")->required();
    cmd->add_option("--state", a->state, "Resume state file")->required();
    cmd->add_option("--ca", a->ca, "PEM CA bundle that verifies the endpoint (default: system)");
    cmd->add_option("--client-cert", a->client_cert,
                    "Optional PEM client certificate (mutual TLS)");
    cmd->add_option("--client-key", a->client_key, "Its PEM key (mode 0600 or stricter)");
    cmd->add_option("--proxy", a->proxy, "HTTPS CONNECT proxy (default: https_proxy/no_proxy)");
    cmd->add_option("--max-attempts", a->max_attempts,
                    "Consecutive failed attempts per request (0 = keep trying)");
    cmd->add_option("--stall-seconds", a->stall_seconds,
                    "Abort a request moving < 1 KiB/s this long (60)");
    cmd->add_option("--connect-timeout", a->connect_timeout, "Connect timeout in seconds (20)");
    AddCommon(cmd, a);
  }
  up->add_option("--part-size", a->part_size,
                 "Part size (16MiB; grown to keep ≤ 10,000 parts; ≥ 5MiB)");
  up->add_option("--parallel", a->parallel, "Parts in flight (4)");
  up->add_option("--bwlimit", a->bwlimit,
                 "Bandwidth cap for all parts together: RATE or 'Mon-Fri 08:00-18:00 20MB/s; "
                 "unlimited'");
  up->add_option("--token-poll-ms", a->token_poll_ms,
                 "How often an expired token's file is re-read (1000)");
  up->callback([a, &exit_code] { exit_code = RunS3Upload(*a); });
  s3cmd->get_subcommand("abort")->callback([a, &exit_code] { exit_code = RunS3Abort(*a); });

  CLI::App* sign = s3cmd->add_subcommand("sign", "Print our SigV4 Authorization header (tests)");
  sign->group("");  // hidden: a test seam, not an operator command
  sign->add_option("--method", a->method);
  sign->add_option("--host", a->host)->required();
  sign->add_option("--path", a->path)->required();
  sign->add_option("--query", a->query, "name=value, repeatable (raw, unencoded)");
  sign->add_option("--header", a->headers, "Name:value, repeatable");
  sign->add_option("--payload-sha256", a->payload_sha256)->required();
  sign->add_option("--time", a->time, "Unix time of the request")->required();
  sign->add_option("--bucket", a->bucket);
  AddCommon(sign, a);
  sign->callback([a, &exit_code] { exit_code = RunS3Sign(*a); });
}

}  // namespace seqgate::ctl
