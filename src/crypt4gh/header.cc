#include "crypt4gh/header.h"

#include <algorithm>
#include <cstring>

#include "crypt4gh/format.h"
#include "crypt4gh/primitives.h"

namespace seqgate::crypt4gh {
namespace {

constexpr uint32_t kPacketMethodX25519ChaCha = 0;
constexpr uint32_t kPacketTypeDataKey = 0;
constexpr uint32_t kPacketTypeEditList = 1;
constexpr uint32_t kDataMethodChaCha = 0;
constexpr size_t kPacketFixed = 4 + 4 + 32 + 12;  // length, method, writer pk, nonce
constexpr size_t kDataKeyPayload = 4 + 4 + 32;

}  // namespace

Result<std::vector<uint8_t>> BuildHeader(const HeaderSpec& spec) {
  if (spec.recipients.empty()) return InvalidArgument("Crypt4GH needs at least one recipient");
  if (spec.recipients.size() > 1024) return InvalidArgument("more than 1024 recipients");
  SEQGATE_ASSIGN_OR_RETURN(const PublicKey writer_pk, PublicKeyOf(spec.writer_sk));

  std::vector<uint8_t> out(HeaderSize(spec.recipients.size()));
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  PutLe32(out.data() + 8, kVersion);
  PutLe32(out.data() + 12, static_cast<uint32_t>(spec.recipients.size()));

  Secret<kDataKeyPayload> payload;
  PutLe32(payload.data(), kPacketTypeDataKey);
  PutLe32(payload.data() + 4, kDataMethodChaCha);
  std::memcpy(payload.data() + 8, spec.data_key.data(), spec.data_key.size());

  Aead aead;
  uint8_t* p = out.data() + kHeaderPrefixSize;
  for (size_t i = 0; i < spec.recipients.size(); ++i, p += kKeyPacketSize) {
    const PublicKey& reader_pk = spec.recipients[i];
    SEQGATE_ASSIGN_OR_RETURN(const SymmetricKey shared,
                             SharedKey(spec.writer_sk, reader_pk, reader_pk, writer_pk));
    const Nonce nonce = CounterNonce(spec.packet_nonce_base, i);
    PutLe32(p, static_cast<uint32_t>(kKeyPacketSize));
    PutLe32(p + 4, kPacketMethodX25519ChaCha);
    std::memcpy(p + 8, writer_pk.data(), writer_pk.size());
    std::memcpy(p + 40, nonce.data(), nonce.size());
    SEQGATE_RETURN_IF_ERROR(
        aead.Seal(shared, nonce, payload.view(), {p + kPacketFixed, kDataKeyPayload + kTagSize}));
  }
  return out;
}

Result<std::optional<ParsedHeader>> ParseHeader(ByteView bytes, const SecretKey& reader_sk) {
  // Decide "not Crypt4GH" as early as the bytes allow, so a wrong input fails at once.
  const size_t head = std::min(bytes.size(), sizeof kMagic);
  if (std::memcmp(bytes.data(), kMagic, head) != 0) {
    return Corruption("not a Crypt4GH file (no 'crypt4gh' magic at offset 0)");
  }
  if (bytes.size() < kHeaderPrefixSize) return std::optional<ParsedHeader>();
  const uint32_t version = GetLe32(bytes.data() + 8);
  if (version != kVersion) {
    return Unsupported("Crypt4GH version " + std::to_string(version) + " (only version 1)");
  }
  ParsedHeader h;
  h.packets = GetLe32(bytes.data() + 12);
  if (h.packets == 0) return Corruption("Crypt4GH header has no packets");
  if (h.packets > kMaxHeaderSize / kPacketFixed) {
    return Corruption("Crypt4GH header claims " + std::to_string(h.packets) + " packets");
  }
  // First the framing alone, so the key exchanges run once, on a complete header.
  size_t pos = kHeaderPrefixSize;
  for (uint32_t i = 0; i < h.packets; ++i) {
    if (bytes.size() < pos + 4) return std::optional<ParsedHeader>();
    const uint32_t len = GetLe32(bytes.data() + pos);
    if (len < kPacketFixed + kTagSize || pos + len > kMaxHeaderSize) {
      return Corruption("Crypt4GH header packet " + std::to_string(i) + " at offset " +
                        std::to_string(pos) + " has an impossible length " + std::to_string(len));
    }
    pos += len;
  }
  if (bytes.size() < pos) return std::optional<ParsedHeader>();

  SEQGATE_ASSIGN_OR_RETURN(const PublicKey reader_pk, PublicKeyOf(reader_sk));
  Aead aead;
  bool edit_list = false;
  pos = kHeaderPrefixSize;
  for (uint32_t i = 0; i < h.packets; ++i) {
    const uint32_t len = GetLe32(bytes.data() + pos);
    const uint8_t* p = bytes.data() + pos;
    pos += len;
    if (GetLe32(p + 4) != kPacketMethodX25519ChaCha)
      continue;  // not for us: skip, as the spec says
    PublicKey writer_pk{};
    std::memcpy(writer_pk.data(), p + 8, writer_pk.size());
    Nonce nonce{};
    std::memcpy(nonce.data(), p + 40, nonce.size());
    auto shared = SharedKey(reader_sk, writer_pk, reader_pk, writer_pk);
    if (!shared.ok()) continue;  // a degenerate writer key cannot be meant for us
    SecretBuffer plain(len - kPacketFixed - kTagSize);
    SEQGATE_ASSIGN_OR_RETURN(const bool opened,
                             aead.Open(*shared, nonce, {p + kPacketFixed, len - kPacketFixed},
                                       {plain.data(), plain.size()}));
    if (!opened) continue;  // another recipient's packet (or a tampered one)
    ++h.packets_opened;
    if (plain.size() < 4)
      return Corruption("Crypt4GH header packet " + std::to_string(i) + " is empty");
    const uint32_t type = GetLe32(plain.data());
    if (type == kPacketTypeDataKey) {
      if (plain.size() < kDataKeyPayload) {
        return Corruption("Crypt4GH data key packet " + std::to_string(i) + " is too short");
      }
      const uint32_t method = GetLe32(plain.data() + 4);
      if (method != kDataMethodChaCha) {
        return Unsupported("Crypt4GH data encryption method " + std::to_string(method) +
                           " (only chacha20_ietf_poly1305)");
      }
      SymmetricKey k;
      std::memcpy(k.data(), plain.data() + 8, k.size());
      h.data_keys.push_back(k);
    } else if (type == kPacketTypeEditList) {
      edit_list = true;
    } else {
      return Unsupported("Crypt4GH header packet type " + std::to_string(type));
    }
  }
  h.size = pos;
  if (h.data_keys.empty()) {
    if (h.packets_opened > 0) return Corruption("Crypt4GH header holds no data key for this key");
    return Status(StatusCode::kPermissionDenied,
                  "no Crypt4GH header packet opens with this key: the file was encrypted for "
                  "other recipients (or its header was altered)");
  }
  if (edit_list) {
    return Unsupported("Crypt4GH data edit lists are not supported by this reader");
  }
  return std::optional<ParsedHeader>(std::move(h));
}

}  // namespace seqgate::crypt4gh
