// Persisted encryption parameters, so an interrupted encrypted upload can be resumed at any
// segment with byte-identical ciphertext.
//
// Where the data key lives, and why it is not sealed: the state file holds the data key, the
// ephemeral writer secret key and the nonce bases, in a 0600 file created with O_EXCL |
// O_NOFOLLOW in the gateway's private state directory, replaced atomically (fsync + rename).
// Sealing it would need a key-encryption key stored on the same machine with the same rights
// (so it protects against nobody who can read the file), and whoever can read the gateway's
// state can read the plaintext it encrypts anyway: the data key only ever protects data that
// sits next to it in clear. The file is refused if anyone but its owner may read it, and its
// contents never reach a log or an error message.
//
// One state file per encrypted object, named by a hash of the object's name. It is bound to a
// source id (what identifies the plaintext: file identity, digest, pack options) and to the
// recipients; if either differs, fresh parameters replace it — a nonce must never be reused
// for different plaintext under the same key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "crypt4gh/encryptor.h"

namespace seqgate::crypt4gh {

struct LoadedParams {
  EncryptionParams params;
  bool fresh = false;  // new parameters: any earlier ciphertext is void, start at segment 0
};

// The parameters stored for `object_name` in `state_dir` when they were made for the same
// `source_id` and `recipients`; otherwise new random ones, persisted before returning.
// kPermissionDenied if the state file is readable by group/others or not ours; kCorruption if
// it is damaged (it is left alone for inspection: remove it with RemoveParams to start over).
Result<LoadedParams> LoadOrCreateParams(const std::string& state_dir, std::string_view object_name,
                                        std::string_view source_id,
                                        const std::vector<PublicKey>& recipients);

// Deletes the stored parameters (after the object was delivered). OK if there were none.
Status RemoveParams(const std::string& state_dir, std::string_view object_name);

// A source id for a plaintext derived from a file: its identity, plus the digest when known
// and whatever else shapes the plaintext (e.g. "zstd level 3 frame 8388608").
std::string SourceIdOf(const FileIdentity& id, std::string_view digest_hex,
                       std::string_view variant);

}  // namespace seqgate::crypt4gh
