#include "daemon/s3_delivery.h"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/hashing.h"
#include "common/log.h"
#include "common/small_file.h"
#include "crypt4gh/encryptor.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/pack_sink.h"
#include "pipeline/packer.h"
#include "transfer/s3/inbox_path.h"
#include "transfer/s3/object_source.h"
#include "transfer/s3/part_plan.h"

namespace seqgate::daemon {
namespace {

namespace s3 = transfer::s3;

constexpr char kManifestName[] = "seqgate-manifest.json";

// The journal as the multipart uploader's resume state, one object key per store.
class JournalStateStore final : public s3::MultipartStateStore {
 public:
  JournalStateStore(journal::Journal& j, std::string bucket, std::string key)
      : j_(j), bucket_(std::move(bucket)), key_(std::move(key)) {}
  Result<std::optional<s3::MultipartState>> Load() override {
    return j_.LoadS3Upload(bucket_, key_);
  }
  Status Save(const s3::MultipartState& s) override { return j_.SaveS3Upload(s); }
  std::string Describe() const override {
    return "the journal's state of s3://" + bucket_ + "/" + key_;
  }

 private:
  journal::Journal& j_;
  std::string bucket_, key_;
};

// Writes the encrypted object to a temporary file and hashes it on the way.
class StagingFile final : public crypt4gh::ByteSink {
 public:
  explicit StagingFile(std::unique_ptr<WritableFile> f) : f_(std::move(f)) {}
  Status Write(ByteView b) override { return f_->Append(b); }
  WritableFile& file() { return *f_; }

 private:
  std::unique_ptr<WritableFile> f_;
};

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Encrypts `plaintext` (the run manifest) into `path` via a temporary, durably; its SHA-256.
Result<std::string> EncryptSmall(Env& env, const std::vector<crypt4gh::PublicKey>& recipients,
                                 std::string_view plaintext, const std::string& path,
                                 uint64_t* size) {
  const std::string tmp = path + ".tmp";
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.CreateWritable(tmp, 0600));
  StagingFile out(std::move(file));
  crypt4gh::DigestingSink digests(out, /*md5=*/false);
  SEQGATE_ASSIGN_OR_RETURN(auto params, crypt4gh::EncryptionParams::Generate(recipients));
  SEQGATE_ASSIGN_OR_RETURN(auto enc, crypt4gh::Encryptor::Create(params, digests));
  SEQGATE_RETURN_IF_ERROR(enc->Write(AsBytes(plaintext)));
  SEQGATE_RETURN_IF_ERROR(enc->Finish());
  SEQGATE_RETURN_IF_ERROR(out.file().Sync());
  SEQGATE_RETURN_IF_ERROR(out.file().Close());
  SEQGATE_RETURN_IF_ERROR(env.RenameFile(tmp, path, /*replace=*/true));
  SEQGATE_RETURN_IF_ERROR(env.SyncDir(std::filesystem::path(path).parent_path().string()));
  *size = digests.size();
  return digests.FinishSha256().hex();
}

}  // namespace

Result<std::unique_ptr<S3Delivery>> S3Delivery::Create(Env& env, journal::Journal& journal,
                                                       pipeline::WorkerPool& pool,
                                                       S3DeliveryOptions options) {
  std::unique_ptr<S3Delivery> d(new S3Delivery(env, journal, pool, std::move(options)));
  const S3Settings& s = d->o_.settings;
  if (!s.access_key_file.empty()) {
    SEQGATE_ASSIGN_OR_RETURN(d->credentials_.access_key,
                             ReadSecretFile("access key", s.access_key_file));
    SEQGATE_ASSIGN_OR_RETURN(d->credentials_.secret_key,
                             ReadSecretFile("secret key", s.secret_key_file));
  } else if (s.token_mode == "security-token") {
    // An SDA inbox ignores the client's signature; sda-auth's s3cmd config sets both keys to
    // the user id (as seqgatectl s3 does).
    d->credentials_.access_key = d->credentials_.secret_key = s.bucket;
  }
  for (const std::string& path : s.recipients) {
    SEQGATE_ASSIGN_OR_RETURN(const std::string text, crypt4gh::ReadKeyFile(path));
    SEQGATE_ASSIGN_OR_RETURN(auto keys, crypt4gh::ParsePublicKeys(text, path));
    d->recipients_.insert(d->recipients_.end(), keys.begin(), keys.end());
  }
  if (d->recipients_.empty()) return InvalidArgument("crypt4gh.recipients: no public key");
  if (s.token_mode != "none") d->token_file_ = std::make_unique<s3::TokenFile>(env, s.token_file);
  const std::string staging = d->o_.state_dir + "/s3-staging";
  if (Status st = env.CreateDir(staging, 0700);
      !st.ok() && st.message().find("exists") == std::string::npos) {
    return st;
  }
  return d;
}

Result<std::string> S3Delivery::ObjectKey(const std::string& run_name, const std::string& rel_path,
                                          bool zstd) const {
  std::string key = o_.settings.key_prefix.empty() ? "" : o_.settings.key_prefix + "/";
  key += run_name + "/" + rel_path + (zstd ? ".zst" : "") + ".c4gh";
  SEQGATE_RETURN_IF_ERROR(s3::CheckInboxKey(key));
  return key;
}

std::string S3Delivery::StagingPath(const journal::FileRecord& f) const {
  // The source's identity is in the name: a changed file never reuses the old object.
  return o_.state_dir + "/s3-staging/" + std::to_string(f.id) + "-" +
         std::to_string(f.identity.inode) + "-" + std::to_string(f.identity.size) + "-" +
         std::to_string(f.identity.mtime_ns) + ".c4gh";
}

std::string S3Delivery::ManifestStagingPath(int64_t run_id) const {
  return o_.state_dir + "/s3-staging/run-" + std::to_string(run_id) + "-manifest.c4gh";
}

void S3Delivery::ForgetManifest(int64_t run_id) {
  (void)env_.RemoveFile(ManifestStagingPath(run_id));
}

s3::MultipartOptions S3Delivery::UploadOptions(const std::string& key, S3Job job) {
  const S3Settings& s = o_.settings;
  s3::MultipartOptions m;
  m.endpoint = s.endpoint;
  m.bucket = s.bucket;
  m.key = key;
  m.region = s.region;
  m.credentials = credentials_;
  m.token_mode = s.token_mode == "bearer"           ? s3::TokenMode::kBearer
                 : s.token_mode == "security-token" ? s3::TokenMode::kSecurityToken
                                                    : s3::TokenMode::kNone;
  m.token_file = token_file_.get();
  m.part_size = s.part_size;
  m.parallel = s.parallel_parts;
  m.transport.ca_file = s.ca;
  m.transport.connect_timeout = o_.connect_timeout;
  m.transport.low_speed_time = o_.stall;
  m.transport.limiter = job.limiter;
  m.progress = std::move(job.progress);
  m.stop = std::move(job.stop);
  m.warn_token_expiry = false;  // CheckToken warns once per token for every upload
  m.note = [key](const std::string& note) {
    Log(LogLevel::kDebug, "upload_progress", {{"file", key}, {"reason", note}});
  };
  return m;
}

Result<S3Delivery::Staged> S3Delivery::Stage(const journal::FileRecord& f,
                                             const std::string& source, const std::string& run_name,
                                             const std::string& staging) {
  // Older staging objects of this file (an earlier version of it) go first.
  std::error_code ec;
  const std::string mine = std::to_string(f.id) + "-";
  for (const auto& e : std::filesystem::directory_iterator(o_.state_dir + "/s3-staging", ec)) {
    if (e.path().filename().string().rfind(mine, 0) == 0) std::filesystem::remove(e.path(), ec);
  }
  const std::string tmp = staging + ".tmp";
  SEQGATE_ASSIGN_OR_RETURN(auto file, env_.CreateWritable(tmp, 0600));
  StagingFile out(std::move(file));
  crypt4gh::DigestingSink digests(out, /*md5=*/false);
  // Fresh key material for every staging: a nonce is never reused for other plaintext.
  SEQGATE_ASSIGN_OR_RETURN(auto params, crypt4gh::EncryptionParams::Generate(recipients_));
  SEQGATE_ASSIGN_OR_RETURN(auto enc, crypt4gh::Encryptor::Create(params, digests));
  crypt4gh::EncryptingPackSink sink(*enc);
  pipeline::PackOptions pack = o_.pipeline.pack;
  pack.force_encoding = o_.pipeline.encoding.Override(f.rel_path);
  pack.packed_sha256 = true;  // the compressed stream's digest goes into the manifest
  auto r = pipeline::Pack(env_, pool_, source, pack, sink);
  if (!r.ok()) {
    (void)env_.RemoveFile(tmp);
    return r.status();
  }
  FileIdentity want = f.identity;
  want.type = r->source.type;
  if (!(r->source == want)) {
    (void)env_.RemoveFile(tmp);
    return SourceChanged(source + " changed since it was announced (" +
                         f.identity.DescribeChange(r->source) + ")");
  }
  SEQGATE_RETURN_IF_ERROR(enc->Finish());
  SEQGATE_RETURN_IF_ERROR(out.file().Sync());
  SEQGATE_RETURN_IF_ERROR(out.file().Close());
  SEQGATE_RETURN_IF_ERROR(env_.RenameFile(tmp, staging, /*replace=*/true));
  SEQGATE_RETURN_IF_ERROR(env_.SyncDir(o_.state_dir + "/s3-staging"));

  Staged st;
  const bool zstd = r->encoding == pipeline::Encoding::kZstdSeekable;
  st.packed.encoding = std::string(pipeline::EncodingName(r->encoding));
  st.packed.original_sha256 = r->original_sha256.hex();
  if (r->original_md5) st.packed.original_md5 = r->original_md5->hex();
  st.packed.packed_size = r->packed_size;
  st.packed.packed_sha256 =
      r->packed_sha256 ? r->packed_sha256->hex() : st.packed.original_sha256;  // identity
  st.packed.frame_size = pack.frame_size;
  st.packed.level = pack.level;
  st.packed.original_size = r->original_size;
  st.packed.trailer_size = r->trailer_size;
  SEQGATE_ASSIGN_OR_RETURN(st.object.key, ObjectKey(run_name, f.rel_path, zstd));
  st.object.size = digests.size();
  st.object.sha256 = digests.FinishSha256().hex();
  return st;
}

Result<S3Outcome> S3Delivery::Upload(const std::string& key, const std::string& path, S3Job job) {
  SEQGATE_ASSIGN_OR_RETURN(auto source, s3::OpenFileSource(env_, path));
  JournalStateStore store(journal_, o_.settings.bucket, key);
  s3::MultipartOptions m = UploadOptions(key, std::move(job));
  m.state_store = &store;
  SEQGATE_ASSIGN_OR_RETURN(s3::MultipartResult r, s3::UploadMultipart(*source, m));
  S3Outcome out;
  out.key = key;
  out.etag = s3::NormalizeEtag(r.etag);
  out.size = r.object_size;
  out.parts_sent = r.parts_sent;
  out.parts_kept = r.parts_kept;
  return out;
}

Result<S3Outcome> S3Delivery::DeliverFile(const journal::FileRecord& f, const std::string& source,
                                          const std::string& run_name, S3Job job,
                                          const std::function<void(uint64_t, uint64_t)>& progress) {
  const std::string staging = StagingPath(f);
  journal::S3ObjectInfo object;
  auto staged_now = env_.Stat(staging);
  // The staged object is reused only when the journal recorded it (its digests) and it is
  // whole: a staging interrupted before RecordS3Staged is redone with fresh key material.
  if (f.object && f.packed && staged_now.ok() && staged_now->size == f.object->size) {
    object = *f.object;
  } else {
    // Held until the object is on disk, where the free space itself then counts it.
    SEQGATE_ASSIGN_OR_RETURN(
        const StagingSpace::Reservation room,
        space_.Reserve(run_name + "/" + f.rel_path, StagingSpace::UpperBound(f.identity.size)));
    SEQGATE_RETURN_IF_ERROR(journal_.RecordPacking(f.id));
    SEQGATE_ASSIGN_OR_RETURN(Staged st, Stage(f, source, run_name, staging));
    SEQGATE_RETURN_IF_ERROR(journal_.RecordS3Staged(f.id, st.packed, st.object));
    Log(LogLevel::kInfo, "s3_object_staged",
        {{"run", run_name},
         {"file", f.rel_path},
         {"key", st.object.key},
         {"bytes", std::to_string(st.object.size)},
         {"sha256", st.object.sha256}});
    object = st.object;
  }
  if (progress) progress(0, object.size);
  job.progress = progress;  // part by part while the upload runs
  SEQGATE_ASSIGN_OR_RETURN(S3Outcome out, Upload(object.key, staging, std::move(job)));
  if (out.size != object.size) {
    return Corruption("the uploaded object has " + std::to_string(out.size) +
                      " bytes, the staged one " + std::to_string(object.size));
  }
  out.sha256 = object.sha256;
  if (progress) progress(out.size, out.size);
  return out;
}

Result<S3Outcome> S3Delivery::DeliverManifest(const journal::RunRecord& run,
                                              const std::string& manifest, S3Job job) {
  // The inbox's ingest takes Crypt4GH objects only, so the manifest is encrypted as well. A
  // staged manifest left by a crash is re-sent as it is (its upload may be half done).
  std::string key = o_.settings.key_prefix.empty() ? "" : o_.settings.key_prefix + "/";
  key += run.name + "/" + kManifestName + ".c4gh";
  SEQGATE_RETURN_IF_ERROR(s3::CheckInboxKey(key));
  const std::string staging = ManifestStagingPath(run.id);
  std::string sha;
  uint64_t size = 0;
  if (auto old = env_.Stat(staging); old.ok()) {
    SEQGATE_ASSIGN_OR_RETURN(auto src, s3::OpenFileSource(env_, staging));
    std::vector<uint8_t> buf(64 * 1024);
    Hasher h(DigestAlgorithm::kSha256);
    for (uint64_t off = 0; off < src->size();) {
      SEQGATE_ASSIGN_OR_RETURN(size_t n, src->ReadAt(off, MutableByteView(buf.data(), buf.size())));
      if (n == 0) break;
      h.Update(ByteView(buf.data(), n));
      off += n;
    }
    sha = h.Finish().hex();
    size = src->size();
  } else {
    SEQGATE_ASSIGN_OR_RETURN(sha, EncryptSmall(env_, recipients_, manifest, staging, &size));
  }
  SEQGATE_ASSIGN_OR_RETURN(S3Outcome out, Upload(key, staging, std::move(job)));
  out.sha256 = sha;
  if (out.size != size) return Corruption("the manifest object's size changed during upload");
  return out;
}

Status S3Delivery::RecordDelivered(int64_t file, const std::string& run_name,
                                   const std::string& path, const S3Outcome& out) {
  nlohmann::json receipt = {{"protocol", "s3"},
                            {"bucket", o_.settings.bucket},
                            {"key", out.key},
                            {"etag", out.etag},
                            {"size", out.size},
                            {"sha256", out.sha256},
                            {"endpoint", o_.settings.endpoint}};
  SEQGATE_RETURN_IF_ERROR(journal_.RecordS3Delivered(file, out.etag, receipt.dump()));
  Log(LogLevel::kInfo, "s3_object_delivered",
      {{"run", run_name},
       {"file", path},
       {"key", out.key},
       {"etag", out.etag},
       {"bytes", std::to_string(out.size)},
       {"sha256", out.sha256}});
  SEQGATE_ASSIGN_OR_RETURN(journal::FileRecord f, journal_.File(file));
  (void)env_.RemoveFile(StagingPath(f));  // delivered: the staging copy has done its work
  return Status::Ok();
}

std::string S3Delivery::CheckToken() {
  std::string why;
  if (token_file_) {
    auto t = token_file_->Current();
    if (!t.ok()) {
      why = t.status().message();
    } else {
      const int64_t now = NowSeconds();
      const s3::ExpiryStage stage = s3::StageAt(*t, now);
      const std::string digest = ComputeDigest(DigestAlgorithm::kSha256, AsBytes(t->token)).hex();
      const int level = stage == s3::ExpiryStage::kWithin24h  ? 1
                        : stage == s3::ExpiryStage::kWithin2h ? 2
                        : stage == s3::ExpiryStage::kExpired  ? 3
                                                              : 0;
      auto warned = journal_.TokenWarnedStage(digest);
      if (level > 0 && warned.ok() && *warned < level) {
        if (level < 3) {
          Log(LogLevel::kWarning, "s3_token_expiring",
              {{"token_file", token_file_->path()},
               {"minutes_left", std::to_string((*t->exp - now) / 60)},
               {"within", level == 2 ? "2 h" : "24 h"}});
        }
        (void)journal_.RecordTokenWarned(digest, level);  // best effort: a repeat is harmless
      }
      if (level == 3) why = "the access token in " + token_file_->path() + " has expired";
    }
  }
  std::string verdict;
  if (!why.empty()) {
    verdict = "needs a new token: " + why + "; S3 deliveries wait until " +
              (token_file_ ? token_file_->path() : std::string("the token file")) + " is replaced";
  }
  std::lock_guard lock(mu_);
  if (verdict != waiting_) {
    if (!verdict.empty()) {
      Log(LogLevel::kWarning, "s3_token_waiting",
          {{"token_file", token_file_ ? token_file_->path() : ""}, {"reason", why}});
    } else if (!waiting_.empty()) {
      Log(LogLevel::kInfo, "s3_token_waiting",
          {{"token_file", token_file_ ? token_file_->path() : ""},
           {"reason", "a usable token is back; S3 deliveries resume"}});
    }
    waiting_ = verdict;
  }
  return verdict;
}

std::string S3Delivery::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

}  // namespace seqgate::daemon
