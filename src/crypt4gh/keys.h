// Crypt4GH key files, as the Python (EGA) and Go (neicnordic) implementations write them.
//
// Public key:  -----BEGIN CRYPT4GH PUBLIC KEY----- / base64(32 raw X25519 bytes) / -----END ...
// Private key: a PEM block whose base64 body is "c4gh-v1" followed by u16-big-endian-prefixed
// strings: kdfname, [kdfoptions = u32be rounds ‖ salt, unless kdf is none], ciphername, payload,
// [comment]. kdf none + cipher none: the payload is the raw key. Otherwise the payload is
// nonce[12] ‖ ChaCha20-Poly1305(KDF(passphrase, salt), key) ‖ tag[16]. Bodies are recognised by
// the c4gh-v1 magic, not by the PEM label (the implementations use three different labels).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypt4gh/secret.h"

namespace seqgate::crypt4gh {

// How a private key is protected on disk.
enum class KeyKdf { kNone, kScrypt, kPbkdf2Sha256, kBcrypt };

// The public key file text (one PEM block, trailing newline).
std::string FormatPublicKey(const PublicKey& pk);

// Every public key in `text` (one or more PEM blocks; sda-cli accepts concatenated keys).
// `where` names the source in errors. kInvalidArgument when there is none or one is malformed.
Result<std::vector<PublicKey>> ParsePublicKeys(std::string_view text, std::string_view where);

// The private key file text. With a passphrase: scrypt (N=2^14, r=8, p=1, 16-byte random salt)
// and chacha20_poly1305, label CRYPT4GH ENCRYPTED PRIVATE KEY; without: kdf and cipher none.
Result<std::string> FormatPrivateKey(const SecretKey& sk, const SecretBuffer* passphrase,
                                     std::string_view comment = {});

// The KDF protecting the private key in `text`, without decrypting it (to know whether a
// passphrase is needed). Errors as ParsePrivateKey.
Result<KeyKdf> PrivateKeyKdf(std::string_view text, std::string_view where);

// Decodes (and with a KDF, decrypts) the private key in `text`. Errors name `where`:
// kInvalidArgument for a garbled or truncated file or a missing passphrase, kPermissionDenied
// for a wrong passphrase, kUnsupported for a KDF or cipher we do not implement (bcrypt).
Result<SecretKey> ParsePrivateKey(std::string_view text, const SecretBuffer* passphrase,
                                  std::string_view where);

// Reads a key file (at most 64 KiB: keys are small, and a huge file is not a key).
Result<std::string> ReadKeyFile(const std::string& path);

}  // namespace seqgate::crypt4gh
