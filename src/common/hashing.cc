#include "common/hashing.h"

#include <openssl/evp.h>
#include <xxhash.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "common/md5.h"

namespace seqgate {
namespace {

// Fetched once: EVP_MD_fetch is not free and the algorithms never change at run time.
const EVP_MD* FetchMd(DigestAlgorithm alg) {
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  static const EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  const EVP_MD* md = nullptr;
  switch (alg) {
    case DigestAlgorithm::kSha256:
      md = sha256;
      break;
    case DigestAlgorithm::kMd5:
      md = md5;
      break;
    case DigestAlgorithm::kSha1:
      md = sha1;
      break;
  }
  // A missing default provider is a broken installation, not an input error.
  if (md == nullptr) throw std::runtime_error("OpenSSL cannot provide the digest algorithm");
  return md;
}

}  // namespace

std::string_view DigestName(DigestAlgorithm alg) {
  switch (alg) {
    case DigestAlgorithm::kSha256:
      return "sha256";
    case DigestAlgorithm::kMd5:
      return "md5";
    case DigestAlgorithm::kSha1:
      return "sha1";
  }
  return "?";
}

size_t DigestSize(DigestAlgorithm alg) {
  switch (alg) {
    case DigestAlgorithm::kSha256:
      return 32;
    case DigestAlgorithm::kMd5:
      return 16;
    case DigestAlgorithm::kSha1:
      return 20;
  }
  return 0;
}

struct Hasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
  std::optional<Md5> md5;  // MD5 is ours: it pairs streams up on one core (common/md5.h)
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(DigestAlgorithm alg) : alg_(alg), impl_(std::make_unique<Impl>()) {
  if (alg == DigestAlgorithm::kMd5) {
    impl_->md5.emplace();
    return;
  }
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr || EVP_DigestInit_ex2(impl_->ctx, FetchMd(alg), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit failed");
  }
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::Update(ByteView data) {
  if (impl_->md5) return impl_->md5->Update(data);
  if (!data.empty()) EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
}

Digest Hasher::Finish() {
  Digest d;
  if (impl_->md5) {
    const std::array<uint8_t, 16> md5 = impl_->md5->Finish();
    std::copy(md5.begin(), md5.end(), d.bytes.begin());
    d.size = md5.size();
    return d;
  }
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, d.bytes.data(), &len);
  d.size = len;
  EVP_DigestInit_ex2(impl_->ctx, nullptr, nullptr);
  return d;
}

Digest ComputeDigest(DigestAlgorithm alg, ByteView data) {
  Hasher h(alg);
  h.Update(data);
  return h.Finish();
}

uint64_t Xxh64(ByteView data) { return XXH64(data.data(), data.size(), 0); }

}  // namespace seqgate
