#include "ingest/receipt_signer.h"

#include <cstdio>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/hashing.h"

namespace seqgate::ingest {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

}  // namespace

struct ReceiptSigner::Key {
  PkeyPtr pkey;
};

ReceiptSigner::ReceiptSigner(std::unique_ptr<Key> key) : key_(std::move(key)) {}
ReceiptSigner::ReceiptSigner(ReceiptSigner&&) noexcept = default;
ReceiptSigner& ReceiptSigner::operator=(ReceiptSigner&&) noexcept = default;
ReceiptSigner::~ReceiptSigner() = default;

Result<ReceiptSigner> ReceiptSigner::LoadPrivateKey(const std::string& pem_path) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(pem_path.c_str(), "r"));
  if (!bio) return NotFound("cannot open receipt key '" + pem_path + "'");
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return InvalidArgument("'" + pem_path + "' holds no readable PEM private key");
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return InvalidArgument("receipt key '" + pem_path + "' is not an Ed25519 key");
  }
  uint8_t raw[32];
  size_t raw_len = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(pkey.get(), raw, &raw_len) != 1 || raw_len != 32) {
    return Internal("cannot derive the receipt public key");
  }
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PUBKEY(out.get(), pkey.get()) != 1) {
    return Internal("cannot encode the receipt public key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  ReceiptSigner signer(std::move(key));
  signer.public_pem_.assign(data, static_cast<size_t>(len));
  signer.key_id_ =
      ComputeDigest(DigestAlgorithm::kSha256, ByteView(raw, raw_len)).hex().substr(0, 16);
  return signer;
}

Result<std::string> ReceiptSigner::Sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1) {
    return Internal("Ed25519 sign init failed");
  }
  std::string sig(64, '\0');
  size_t sig_len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      sig_len != 64) {
    return Internal("Ed25519 signing failed");
  }
  return sig;
}

bool VerifyEd25519(std::string_view public_key_pem, std::string_view message,
                   std::string_view signature) {
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())));
  if (!bio) return false;
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace seqgate::ingest
