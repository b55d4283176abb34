#include "crypt4gh/keys.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "crypt4gh/primitives.h"

namespace seqgate::crypt4gh {
namespace {

constexpr std::string_view kMagic = "c4gh-v1";
constexpr std::string_view kPublicLabel = "CRYPT4GH PUBLIC KEY";
constexpr size_t kMaxKeyFile = 64 << 10;
constexpr size_t kSaltSize = 16;
constexpr uint64_t kScryptN = 1u << 14;  // what Python and Go use; the file does not say
constexpr uint32_t kScryptR = 8, kScryptP = 1;

// A base64 string that wipes itself: decoded private key bodies are secret.
struct WipedString {
  std::string s;
  ~WipedString() { OPENSSL_cleanse(s.data(), s.size()); }
};

struct PemBlock {
  std::string label;
  std::string body;  // base64 without whitespace
};

// The PEM blocks of `text` in order. Lines outside blocks are ignored; a block without its END
// line is an error.
Result<std::vector<PemBlock>> SplitPem(std::string_view text, std::string_view where) {
  std::vector<PemBlock> blocks;
  std::optional<PemBlock> cur;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (line.starts_with("-----BEGIN ") && line.ends_with("-----")) {
      if (cur) return InvalidArgument(std::string(where) + ": PEM block not closed before BEGIN");
      cur = PemBlock{std::string(line.substr(11, line.size() - 16)), {}};
    } else if (line.starts_with("-----END ") && line.ends_with("-----")) {
      if (!cur || line.substr(9, line.size() - 14) != cur->label) {
        return InvalidArgument(std::string(where) + ": PEM END line does not match its BEGIN");
      }
      blocks.push_back(std::move(*cur));
      cur.reset();
    } else if (cur) {
      for (char c : line) {
        if (c != ' ' && c != '\t') cur->body += c;
      }
    }
  }
  if (cur) return InvalidArgument(std::string(where) + ": key is truncated (no PEM END line)");
  return blocks;
}

// Reads u16be-length-prefixed strings from a decoded private key body.
class BlobReader {
 public:
  explicit BlobReader(std::string_view b) : b_(b) {}
  std::optional<std::string_view> Next() {
    if (b_.size() < 2) return std::nullopt;
    const size_t n =
        static_cast<size_t>(static_cast<uint8_t>(b_[0])) << 8 | static_cast<uint8_t>(b_[1]);
    if (b_.size() - 2 < n) return std::nullopt;
    std::string_view s = b_.substr(2, n);
    b_.remove_prefix(2 + n);
    return s;
  }
  bool empty() const { return b_.empty(); }

 private:
  std::string_view b_;
};

void PutString(std::string& out, ByteView s) {
  out += static_cast<char>(s.size() >> 8 & 0xFF);
  out += static_cast<char>(s.size() & 0xFF);
  out.append(AsChars(s));
}

struct ParsedPrivate {
  KeyKdf kdf = KeyKdf::kNone;
  std::string_view kdf_name, kdf_options, cipher, payload;
};

// Finds the c4gh-v1 block in `text` and splits its fields (views into `storage`).
Result<ParsedPrivate> SplitPrivate(std::string_view text, std::string_view where,
                                   WipedString& storage) {
  SEQGATE_ASSIGN_OR_RETURN(auto blocks, SplitPem(text, where));
  const std::string w(where);
  for (const auto& b : blocks) {
    if (!Base64Decode(b.body, &storage.s)) {
      return InvalidArgument(w + ": private key is not valid base64 (garbled or truncated)");
    }
    if (!storage.s.starts_with(kMagic)) continue;
    BlobReader r(std::string_view(storage.s).substr(kMagic.size()));
    ParsedPrivate p;
    auto kdf = r.Next();
    if (!kdf) return InvalidArgument(w + ": private key is truncated (no KDF name)");
    p.kdf_name = *kdf;
    if (p.kdf_name == "none") {
      p.kdf = KeyKdf::kNone;
    } else if (p.kdf_name == "scrypt") {
      p.kdf = KeyKdf::kScrypt;
    } else if (p.kdf_name == "pbkdf2_hmac_sha256") {
      p.kdf = KeyKdf::kPbkdf2Sha256;
    } else if (p.kdf_name == "bcrypt") {
      p.kdf = KeyKdf::kBcrypt;
    } else {
      return Unsupported(w + ": private key uses an unknown KDF '" + std::string(p.kdf_name) +
                         "' (supported: scrypt, pbkdf2_hmac_sha256, none)");
    }
    if (p.kdf != KeyKdf::kNone) {
      auto opts = r.Next();
      if (!opts) return InvalidArgument(w + ": private key is truncated (no KDF options)");
      p.kdf_options = *opts;
    }
    auto cipher = r.Next();
    auto payload = cipher ? r.Next() : std::nullopt;
    if (!payload) return InvalidArgument(w + ": private key is truncated");
    p.cipher = *cipher;
    p.payload = *payload;
    if (!r.empty() && !r.Next()) {
      return InvalidArgument(w + ": private key has a truncated comment");
    }
    return p;
  }
  return InvalidArgument(w + ": no Crypt4GH private key (c4gh-v1) found");
}

std::string Pem(std::string_view label, ByteView body) {
  return "-----BEGIN " + std::string(label) + "-----\n" + Base64Encode(body) + "\n-----END " +
         std::string(label) + "-----\n";
}

}  // namespace

std::string FormatPublicKey(const PublicKey& pk) { return Pem(kPublicLabel, pk); }

Result<std::vector<PublicKey>> ParsePublicKeys(std::string_view text, std::string_view where) {
  SEQGATE_ASSIGN_OR_RETURN(auto blocks, SplitPem(text, where));
  const std::string w(where);
  std::vector<PublicKey> keys;
  for (const auto& b : blocks) {
    if (b.label != kPublicLabel) {
      return InvalidArgument(w + ": '" + b.label +
                             "' is not a CRYPT4GH PUBLIC KEY (a private key given as recipient?)");
    }
    std::string raw;
    if (!Base64Decode(b.body, &raw)) {
      return InvalidArgument(w + ": public key is not valid base64 (garbled or truncated)");
    }
    if (raw.size() != 32) {
      return InvalidArgument(w + ": public key has " + std::to_string(raw.size()) +
                             " bytes, an X25519 key has 32");
    }
    PublicKey pk{};
    std::memcpy(pk.data(), raw.data(), pk.size());
    keys.push_back(pk);
  }
  if (keys.empty()) return InvalidArgument(w + ": no CRYPT4GH PUBLIC KEY block found");
  return keys;
}

Result<std::string> FormatPrivateKey(const SecretKey& sk, const SecretBuffer* passphrase,
                                     std::string_view comment) {
  if (comment.size() > 0xFFFF) return InvalidArgument("key comment is longer than 65535 bytes");
  WipedString blob;
  blob.s.append(kMagic);
  const bool encrypt = passphrase != nullptr;
  if (encrypt) {
    if (passphrase->empty()) return InvalidArgument("the passphrase is empty");
    uint8_t opts[4 + kSaltSize] = {0, 0, 0, 0};  // rounds: unused by scrypt, 0 as Python writes
    SEQGATE_RETURN_IF_ERROR(RandomBytes({opts + 4, kSaltSize}));
    SEQGATE_ASSIGN_OR_RETURN(
        const SymmetricKey kek,
        Scrypt(passphrase->view(), {opts + 4, kSaltSize}, kScryptN, kScryptR, kScryptP));
    uint8_t sealed[kNonceSize + 32 + kTagSize];
    Nonce nonce{};
    SEQGATE_RETURN_IF_ERROR(RandomBytes(nonce));
    std::copy(nonce.begin(), nonce.end(), sealed);
    Aead aead;
    SEQGATE_RETURN_IF_ERROR(aead.Seal(kek, nonce, sk.view(), {sealed + kNonceSize, 32 + kTagSize}));
    PutString(blob.s, AsBytes("scrypt"));
    PutString(blob.s, opts);
    PutString(blob.s, AsBytes("chacha20_poly1305"));
    PutString(blob.s, sealed);
  } else {
    PutString(blob.s, AsBytes("none"));
    PutString(blob.s, AsBytes("none"));
    PutString(blob.s, sk.view());
  }
  PutString(blob.s, AsBytes(comment));
  WipedString b64;
  b64.s = Base64Encode(AsBytes(blob.s));
  const std::string_view label =
      encrypt ? "CRYPT4GH ENCRYPTED PRIVATE KEY" : "CRYPT4GH PRIVATE KEY";
  return "-----BEGIN " + std::string(label) + "-----\n" + b64.s + "\n-----END " +
         std::string(label) + "-----\n";
}

Result<KeyKdf> PrivateKeyKdf(std::string_view text, std::string_view where) {
  WipedString storage;
  SEQGATE_ASSIGN_OR_RETURN(const ParsedPrivate p, SplitPrivate(text, where, storage));
  return p.kdf;
}

Result<SecretKey> ParsePrivateKey(std::string_view text, const SecretBuffer* passphrase,
                                  std::string_view where) {
  WipedString storage;
  SEQGATE_ASSIGN_OR_RETURN(const ParsedPrivate p, SplitPrivate(text, where, storage));
  const std::string w(where);
  SecretKey sk;
  if (p.kdf == KeyKdf::kNone) {
    if (p.cipher != "none") {
      return InvalidArgument(w + ": private key has cipher '" + std::string(p.cipher) +
                             "' but no KDF");
    }
    if (p.payload.size() != sk.size()) {
      return InvalidArgument(w + ": private key has " + std::to_string(p.payload.size()) +
                             " bytes, an X25519 key has 32");
    }
    std::memcpy(sk.data(), p.payload.data(), sk.size());
    return sk;
  }
  if (p.kdf == KeyKdf::kBcrypt) {
    return Unsupported(w +
                       ": private key is protected with bcrypt, which seqgate does not "
                       "implement; re-encrypt it with scrypt (crypt4gh-keygen) ");
  }
  if (p.cipher != "chacha20_poly1305") {
    return Unsupported(w + ": private key cipher '" + std::string(p.cipher) +
                       "' is not supported (only chacha20_poly1305)");
  }
  if (p.kdf_options.size() < 4 + 1) {
    return InvalidArgument(w + ": private key KDF options are truncated");
  }
  if (p.payload.size() != kNonceSize + 32 + kTagSize) {
    return InvalidArgument(w + ": encrypted private key has " + std::to_string(p.payload.size()) +
                           " bytes, expected 60 (garbled or truncated)");
  }
  if (passphrase == nullptr) {
    return InvalidArgument(w + ": private key is passphrase-protected and no passphrase was given");
  }
  const ByteView opts = AsBytes(p.kdf_options);
  const ByteView salt = opts.subspan(4);
  SymmetricKey kek;
  if (p.kdf == KeyKdf::kScrypt) {
    SEQGATE_ASSIGN_OR_RETURN(kek, Scrypt(passphrase->view(), salt, kScryptN, kScryptR, kScryptP));
  } else {
    const uint32_t rounds = static_cast<uint32_t>(opts[0]) << 24 |
                            static_cast<uint32_t>(opts[1]) << 16 |
                            static_cast<uint32_t>(opts[2]) << 8 | opts[3];
    if (rounds == 0 || rounds > (1u << 24)) {
      return InvalidArgument(w + ": private key has an implausible PBKDF2 round count");
    }
    if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(passphrase->data()),
                          static_cast<int>(passphrase->size()), salt.data(),
                          static_cast<int>(salt.size()), static_cast<int>(rounds), EVP_sha256(),
                          static_cast<int>(kek.size()), kek.data()) != 1) {
      return Internal("PBKDF2 key derivation failed");
    }
  }
  const ByteView payload = AsBytes(p.payload);
  Nonce nonce{};
  std::copy_n(payload.begin(), kNonceSize, nonce.begin());
  Aead aead;
  SEQGATE_ASSIGN_OR_RETURN(const bool ok,
                           aead.Open(kek, nonce, payload.subspan(kNonceSize), sk.mutable_view()));
  if (!ok) {
    return Status(StatusCode::kPermissionDenied,
                  w + ": wrong passphrase for the private key (or the key file is damaged)");
  }
  return sk;
}

Result<std::string> ReadKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return ErrnoStatus(errno, "open key file", path);
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "read key file", path);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxKeyFile) {
      ::close(fd);
      OPENSSL_cleanse(text.data(), text.size());
      return InvalidArgument("'" + path + "' is larger than 64 KiB: not a key file");
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  ::close(fd);
  return text;
}

}  // namespace seqgate::crypt4gh
