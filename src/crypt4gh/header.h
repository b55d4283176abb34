// The Crypt4GH header: written for one or more recipients, parsed with one secret key.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypt4gh/secret.h"

namespace seqgate::crypt4gh {

// What makes a header reproducible: the same inputs give the same bytes. Packet i (recipient i)
// is sealed under its X25519/BLAKE2b shared key with nonce CounterNonce(packet_nonce_base, i).
struct HeaderSpec {
  SymmetricKey data_key;
  SecretKey writer_sk;
  Nonce packet_nonce_base{};
  std::vector<PublicKey> recipients;  // at least one
};

// The header bytes: magic, version 1, one data-key packet (method chacha20_ietf_poly1305) per
// recipient, HeaderSize(recipients) bytes.
Result<std::vector<uint8_t>> BuildHeader(const HeaderSpec& spec);

// What a reader learns from a header.
struct ParsedHeader {
  size_t size = 0;                      // bytes of header before the first segment
  std::vector<SymmetricKey> data_keys;  // from the packets our key opened, in order
  uint32_t packets = 0;
  uint32_t packets_opened = 0;
};

// Parses the header at the start of `bytes` with `reader_sk`. Returns nullopt when `bytes` is
// a prefix too short to hold the whole header (give more). Errors: kCorruption for a file that
// is not Crypt4GH or has a malformed header; kPermissionDenied when no packet opens with this
// key (encrypted to other recipients); kUnsupported for other versions, a data edit list, or a
// data cipher other than chacha20_ietf_poly1305.
Result<std::optional<ParsedHeader>> ParseHeader(ByteView bytes, const SecretKey& reader_sk);

}  // namespace seqgate::crypt4gh
