#include "crypt4gh/resume_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/hashing.h"

namespace seqgate::crypt4gh {
namespace {

constexpr char kStateMagic[8] = {'S', 'G', 'C', '4', 'G', 'H', 'K', '1'};
constexpr size_t kMaxStateFile = 64 << 10;

std::string StatePath(const std::string& dir, std::string_view object_name) {
  const Digest d = ComputeDigest(DigestAlgorithm::kSha256, AsBytes(object_name));
  return dir + "/" + d.hex().substr(0, 32) + ".c4gh-params";
}

// Owns a byte buffer that holds secrets while the state is (de)serialised.
struct WipedBytes {
  std::vector<uint8_t> b;
  ~WipedBytes() { OPENSSL_cleanse(b.data(), b.size()); }
  void Put(ByteView v) { b.insert(b.end(), v.begin(), v.end()); }
  void Put32(uint32_t v) {
    uint8_t x[4];
    PutLe32(x, v);
    Put(x);
  }
};

void Serialize(const EncryptionParams& p, std::string_view source_id, WipedBytes& out) {
  out.Put({reinterpret_cast<const uint8_t*>(kStateMagic), sizeof kStateMagic});
  out.Put32(static_cast<uint32_t>(source_id.size()));
  out.Put(AsBytes(source_id));
  out.Put(p.header.data_key.view());
  out.Put(p.header.writer_sk.view());
  out.Put(p.header.packet_nonce_base);
  out.Put(p.segment_nonce_base);
  out.Put32(static_cast<uint32_t>(p.header.recipients.size()));
  for (const auto& r : p.header.recipients) out.Put(r);
  const Digest d = ComputeDigest(DigestAlgorithm::kSha256, out.b);
  out.Put(d.view());
}

class Cursor {
 public:
  explicit Cursor(ByteView b) : b_(b) {}
  bool Take(MutableByteView out) {
    if (b_.size() < out.size()) return false;
    std::memcpy(out.data(), b_.data(), out.size());
    b_ = b_.subspan(out.size());
    return true;
  }
  bool Take32(uint32_t* v) {
    uint8_t x[4];
    if (!Take(x)) return false;
    *v = GetLe32(x);
    return true;
  }
  bool TakeView(size_t n, ByteView* v) {
    if (b_.size() < n) return false;
    *v = b_.first(n);
    b_ = b_.subspan(n);
    return true;
  }
  size_t left() const { return b_.size(); }

 private:
  ByteView b_;
};

struct Stored {
  EncryptionParams params;
  std::string source_id;
};

Result<Stored> Parse(ByteView b, const std::string& path) {
  const Status damaged =
      Corruption("encryption state '" + path + "' is damaged; remove it to start the object over");
  if (b.size() < sizeof kStateMagic + 32 ||
      std::memcmp(b.data(), kStateMagic, sizeof kStateMagic) != 0) {
    return damaged;
  }
  const ByteView body = b.first(b.size() - 32);
  const Digest d = ComputeDigest(DigestAlgorithm::kSha256, body);
  if (std::memcmp(d.bytes.data(), b.data() + body.size(), 32) != 0) return damaged;
  Cursor c(body.subspan(sizeof kStateMagic));
  Stored s;
  uint32_t id_len = 0, n = 0;
  ByteView id;
  if (!c.Take32(&id_len) || !c.TakeView(id_len, &id)) return damaged;
  s.source_id.assign(AsChars(id));
  if (!c.Take(s.params.header.data_key.mutable_view()) ||
      !c.Take(s.params.header.writer_sk.mutable_view()) ||
      !c.Take(s.params.header.packet_nonce_base) || !c.Take(s.params.segment_nonce_base) ||
      !c.Take32(&n) || n == 0 || c.left() != static_cast<size_t>(n) * 32) {
    return damaged;
  }
  s.params.header.recipients.resize(n);
  for (auto& r : s.params.header.recipients) (void)c.Take(r);
  return s;
}

// Reads the state file; NotFound when there is none.
Result<Stored> ReadState(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("no encryption state");
    return ErrnoStatus(errno, "open encryption state", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "fstat", path);
  }
  if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    ::close(fd);
    return Status(StatusCode::kPermissionDenied,
                  "encryption state '" + path +
                      "' must be a regular file of ours with mode 0600; refusing its data key");
  }
  WipedBytes buf;
  buf.b.resize(kMaxStateFile + 1);
  size_t got = 0;
  while (got < buf.b.size()) {
    const ssize_t r = ::read(fd, buf.b.data() + got, buf.b.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "read", path);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  if (got > kMaxStateFile) return Corruption("encryption state '" + path + "' is too large");
  return Parse(ByteView(buf.b).first(got), path);
}

Status WriteState(const std::string& dir, const std::string& path, const EncryptionParams& p,
                  std::string_view source_id) {
  WipedBytes bytes;
  Serialize(p, source_id, bytes);
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover from a crash; O_EXCL below insists on a new file
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(errno, "create encryption state", tmp);
  size_t done = 0;
  while (done < bytes.b.size()) {
    const ssize_t w = ::write(fd, bytes.b.data() + done, bytes.b.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return ErrnoStatus(err, "write", tmp);
    }
    done += static_cast<size_t>(w);
  }
  // Durable before it is used: ciphertext that was uploaded must stay reproducible.
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, "fsync", tmp);
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, "rename to", path);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return ErrnoStatus(errno, "open state directory", dir);
  const int rc = ::fsync(dfd);
  const int err = errno;
  ::close(dfd);
  if (rc != 0) return ErrnoStatus(err, "fsync state directory", dir);
  return Status::Ok();
}

}  // namespace

Result<LoadedParams> LoadOrCreateParams(const std::string& state_dir, std::string_view object_name,
                                        std::string_view source_id,
                                        const std::vector<PublicKey>& recipients) {
  if (recipients.empty()) return InvalidArgument("Crypt4GH needs at least one recipient");
  struct stat dst {};
  if (::stat(state_dir.c_str(), &dst) != 0) return ErrnoStatus(errno, "stat", state_dir);
  if (!S_ISDIR(dst.st_mode)) return InvalidArgument("'" + state_dir + "' is not a directory");
  const std::string path = StatePath(state_dir, object_name);
  auto stored = ReadState(path);
  if (stored.ok() && stored->source_id == source_id &&
      stored->params.header.recipients == recipients) {
    return LoadedParams{std::move(stored->params), false};
  }
  if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
  SEQGATE_ASSIGN_OR_RETURN(EncryptionParams fresh, EncryptionParams::Generate(recipients));
  SEQGATE_RETURN_IF_ERROR(WriteState(state_dir, path, fresh, source_id));
  return LoadedParams{std::move(fresh), true};
}

Status RemoveParams(const std::string& state_dir, std::string_view object_name) {
  const std::string path = StatePath(state_dir, object_name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, "remove", path);
  return Status::Ok();
}

std::string SourceIdOf(const FileIdentity& id, std::string_view digest_hex,
                       std::string_view variant) {
  return "dev=" + std::to_string(id.device) + " ino=" + std::to_string(id.inode) +
         " size=" + std::to_string(id.size) + " mtime_ns=" + std::to_string(id.mtime_ns) +
         " sha256=" + std::string(digest_hex.empty() ? "-" : digest_hex) + " " +
         std::string(variant);
}

}  // namespace seqgate::crypt4gh
