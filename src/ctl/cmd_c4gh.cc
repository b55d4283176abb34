// seqgatectl c4gh keygen | decrypt: Crypt4GH key pairs for tests and nodes, and a reader to
// check what `pack --recipient` produced. Passphrases come from a file or the environment,
// never from the command line (where ps and shell history would show them).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "common/env.h"
#include "crypt4gh/decryptor.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/primitives.h"
#include "ctl/commands.h"
#include "ctl/output_file.h"

namespace seqgate::ctl {
namespace {

using crypt4gh::SecretBuffer;

constexpr const char* kPassphraseEnv = "SEQGATE_C4GH_PASSPHRASE";
constexpr size_t kReadChunk = 1 << 20;

// The passphrase from --passphrase-file (its first line) or SEQGATE_C4GH_PASSPHRASE;
// nullopt when neither is given.
Result<std::optional<SecretBuffer>> ReadPassphrase(const std::string& file) {
  if (!file.empty()) {
    SEQGATE_ASSIGN_OR_RETURN(std::string text, crypt4gh::ReadKeyFile(file));
    size_t n = text.find('\n');
    if (n == std::string::npos) n = text.size();
    if (n > 0 && text[n - 1] == '\r') --n;
    SecretBuffer pass(n);
    std::memcpy(pass.data(), text.data(), n);
    OPENSSL_cleanse(text.data(), text.size());
    if (pass.empty())
      return InvalidArgument("passphrase file '" + file + "' starts with an empty line");
    return std::optional<SecretBuffer>(std::move(pass));
  }
  if (const char* env = std::getenv(kPassphraseEnv); env != nullptr && *env != '\0') {
    const size_t n = std::strlen(env);
    SecretBuffer pass(n);
    std::memcpy(pass.data(), env, n);
    return std::optional<SecretBuffer>(std::move(pass));
  }
  return std::optional<SecretBuffer>();
}

// Writes `text` to a new file with `mode`; refuses to replace an existing file unless `force`.
Status WriteNewFile(const std::string& path, std::string_view text, mode_t mode, bool force) {
  if (force && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "remove", path);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return InvalidArgument("'" + path + "' exists (use --force to replace)");
    return ErrnoStatus(errno, "create", path);
  }
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "write", path);
    }
    done += static_cast<size_t>(w);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "fsync", path);
  }
  if (::close(fd) != 0) return ErrnoStatus(errno, "close", path);
  return Status::Ok();
}

struct KeygenArgs {
  std::string sec, pub, passphrase_file, comment;
  bool no_passphrase = false, force = false;
};

Status RunKeygen(const KeygenArgs& a) {
  SEQGATE_ASSIGN_OR_RETURN(auto pass, ReadPassphrase(a.passphrase_file));
  if (pass && a.no_passphrase) {
    return InvalidArgument("--no-passphrase contradicts the passphrase given");
  }
  if (!pass && !a.no_passphrase) {
    return InvalidArgument(std::string("give the passphrase with --passphrase-file or ") +
                           kPassphraseEnv + ", or --no-passphrase for an unprotected key");
  }
  SEQGATE_ASSIGN_OR_RETURN(const crypt4gh::SecretKey sk, crypt4gh::GenerateSecretKey());
  SEQGATE_ASSIGN_OR_RETURN(const crypt4gh::PublicKey pk, crypt4gh::PublicKeyOf(sk));
  SEQGATE_ASSIGN_OR_RETURN(std::string sec_text,
                           crypt4gh::FormatPrivateKey(sk, pass ? &*pass : nullptr, a.comment));
  Status s = WriteNewFile(a.sec, sec_text, 0600, a.force);
  OPENSSL_cleanse(sec_text.data(), sec_text.size());
  SEQGATE_RETURN_IF_ERROR(s);
  return WriteNewFile(a.pub, crypt4gh::FormatPublicKey(pk), 0644, a.force);
}

struct DecryptArgs {
  std::string input, output, key, passphrase_file;
};

class FileSink final : public crypt4gh::ByteSink {
 public:
  explicit FileSink(OutputFileSink& f) : f_(f) {}
  Status Write(ByteView b) override { return f_.Append(b); }

 private:
  OutputFileSink& f_;
};

class StdoutSink final : public crypt4gh::ByteSink {
 public:
  Status Write(ByteView b) override {
    if (std::fwrite(b.data(), 1, b.size(), stdout) != b.size()) {
      return IoError("writing to standard output failed");
    }
    return Status::Ok();
  }
};

Result<crypt4gh::SecretKey> LoadSecretKey(const std::string& path,
                                          const std::string& passphrase_file) {
  SEQGATE_ASSIGN_OR_RETURN(std::string text, crypt4gh::ReadKeyFile(path));
  auto kdf = crypt4gh::PrivateKeyKdf(text, path);
  std::optional<SecretBuffer> pass;
  if (kdf.ok() && *kdf != crypt4gh::KeyKdf::kNone) {
    auto p = ReadPassphrase(passphrase_file);
    if (!p.ok()) {
      OPENSSL_cleanse(text.data(), text.size());
      return p.status();
    }
    pass = std::move(*p);
    if (!pass) {
      OPENSSL_cleanse(text.data(), text.size());
      return InvalidArgument("'" + path + "' is passphrase-protected: give --passphrase-file or " +
                             kPassphraseEnv);
    }
  }
  auto sk = crypt4gh::ParsePrivateKey(text, pass ? &*pass : nullptr, path);
  OPENSSL_cleanse(text.data(), text.size());
  return sk;
}

Status RunDecrypt(const DecryptArgs& a) {
  SEQGATE_ASSIGN_OR_RETURN(const crypt4gh::SecretKey sk, LoadSecretKey(a.key, a.passphrase_file));
  Env& env = *Env::Default();
  SEQGATE_ASSIGN_OR_RETURN(auto in, env.OpenForRead(a.input));
  std::unique_ptr<OutputFileSink> file;
  std::unique_ptr<crypt4gh::ByteSink> sink;
  if (a.output == "-") {
    sink = std::make_unique<StdoutSink>();
  } else {
    // The plaintext of an encrypted object is sensitive by definition: the owner's alone
    // until someone decides otherwise.
    SEQGATE_ASSIGN_OR_RETURN(file, OutputFileSink::Create(env, a.output, 0600));
    sink = std::make_unique<FileSink>(*file);
  }
  crypt4gh::Decryptor dec(sk, *sink);
  std::vector<uint8_t> buf(kReadChunk);
  uint64_t offset = 0;
  for (;;) {
    SEQGATE_ASSIGN_OR_RETURN(const size_t n, in->ReadAt(offset, buf));
    if (n == 0) break;
    SEQGATE_RETURN_IF_ERROR(
        dec.Write(ByteView(buf).first(n)).WithContext("decrypting '" + a.input + "'"));
    offset += n;
  }
  SEQGATE_RETURN_IF_ERROR(dec.Finish().WithContext("decrypting '" + a.input + "'"));
  if (file) return file->Commit();  // only a fully authenticated stream becomes the output
  if (std::fflush(stdout) != 0) return IoError("writing to standard output failed");
  return Status::Ok();
}

}  // namespace

void AddC4ghCommands(CLI::App& app, int& exit_code) {
  CLI::App* c4gh = app.add_subcommand("c4gh", "Crypt4GH keys and decryption (GDI inboxes)");
  c4gh->require_subcommand(1);

  auto kg = std::make_shared<KeygenArgs>();
  CLI::App* keygen = c4gh->add_subcommand("keygen", "Create a Crypt4GH X25519 key pair");
  keygen->add_option("--sec", kg->sec, "Secret key file to create (mode 0600)")->required();
  keygen->add_option("--pub", kg->pub, "Public key file to create")->required();
  keygen->add_option("--passphrase-file", kg->passphrase_file,
                     "File whose first line is the passphrase (else $SEQGATE_C4GH_PASSPHRASE)");
  keygen->add_flag("--no-passphrase", kg->no_passphrase, "Store the secret key unencrypted");
  keygen->add_option("--comment", kg->comment, "Comment stored in the secret key file");
  keygen->add_flag("--force", kg->force, "Replace existing key files");
  keygen->callback([kg, &exit_code] {
    const Status s = RunKeygen(*kg);
    if (!s.ok()) std::fprintf(stderr, "seqgatectl c4gh keygen: %s\n", s.ToString().c_str());
    exit_code = s.ok() ? 0 : 1;
  });

  auto da = std::make_shared<DecryptArgs>();
  CLI::App* decrypt = c4gh->add_subcommand("decrypt", "Decrypt a Crypt4GH file");
  decrypt->add_option("IN", da->input, "Crypt4GH file")->required();
  decrypt->add_option("-o,--output", da->output, "Plaintext output ('-' for stdout)")->required();
  decrypt->add_option("--key", da->key, "Recipient secret key file")->required();
  decrypt->add_option("--passphrase-file", da->passphrase_file,
                      "File whose first line is the passphrase (else $SEQGATE_C4GH_PASSPHRASE)");
  decrypt->callback([da, &exit_code] {
    const Status s = RunDecrypt(*da);
    if (!s.ok()) std::fprintf(stderr, "seqgatectl c4gh decrypt: %s\n", s.ToString().c_str());
    exit_code = s.ok() ? 0 : 1;
  });
}

}  // namespace seqgate::ctl
