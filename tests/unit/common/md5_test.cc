#include "common/md5.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <barrier>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/hashing.h"
#include "unit/common/digest_peers.h"

namespace seqgate {
namespace {

std::string Hex(const std::array<uint8_t, 16>& d) { return ToHex({d.data(), d.size()}); }

using test::RandomBytes;

std::string OpenSslMd5(ByteView data) { return test::OpenSslHex(EVP_md5(), data); }

std::string Md5Of(ByteView data) {
  Md5 m;
  m.Update(data);
  return Hex(m.Finish());
}

TEST_CASE("MD5: the RFC 1321 test suite") {
  auto s = [](const char* t) { return ByteView(reinterpret_cast<const uint8_t*>(t), strlen(t)); };
  CHECK(Md5Of(s("")) == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Md5Of(s("a")) == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(Md5Of(s("abc")) == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(Md5Of(s("message digest")) == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(Md5Of(s("abcdefghijklmnopqrstuvwxyz")) == "c3fcd3d76192e4007dfb496cca67e13b");
  CHECK(Md5Of(s("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")) ==
        "d174ab98d277d9f5a5611c2c9f419d9f");
  CHECK(Md5Of(s("1234567890123456789012345678901234567890123456789012345678901234567890123456789"
                "0")) == "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("MD5 agrees with OpenSSL at every length around the padding edges, however split") {
  const std::vector<uint8_t> data = RandomBytes(5000, 1);
  std::mt19937 rng(2);
  for (size_t n = 0; n <= 300; ++n) {
    const ByteView v(data.data(), n);
    Md5 m;
    size_t at = 0;
    while (at < n) {  // random split points, including empty updates
      const size_t k = std::min<size_t>(n - at, rng() % 130);
      m.Update(v.subspan(at, k));
      at += k;
    }
    REQUIRE(Hex(m.Finish()) == OpenSslMd5(v));
  }
  CHECK(Md5Of({data.data(), data.size()}) == OpenSslMd5({data.data(), data.size()}));
}

TEST_CASE("MD5: Finish starts a new stream; the Hasher front end gives the same digest") {
  const std::vector<uint8_t> data = RandomBytes(100000, 3);
  Md5 m;
  m.Update({data.data(), 777});
  (void)m.Finish();
  m.Update({data.data(), data.size()});
  const std::string want = OpenSslMd5({data.data(), data.size()});
  CHECK(Hex(m.Finish()) == want);
  CHECK(ComputeDigest(DigestAlgorithm::kMd5, {data.data(), data.size()}).hex() == want);
}

TEST_CASE("two interleaved streams give each stream's own state") {
  const std::vector<uint8_t> a = RandomBytes(64 * 1000, 4), b = RandomBytes(64 * 1000, 5);
  uint32_t sa[4] = {1, 2, 3, 4}, sb[4] = {5, 6, 7, 8}, ra[4] = {1, 2, 3, 4}, rb[4] = {5, 6, 7, 8};
  Md5Blocks2(sa, a.data(), sb, b.data(), 1000);
  Md5Blocks(ra, a.data(), 1000);
  Md5Blocks(rb, b.data(), 1000);
  CHECK(std::equal(sa, sa + 4, ra));
  CHECK(std::equal(sb, sb + 4, rb));
}

TEST_CASE("threads hashing at once are paired up, and every digest is still right") {
  constexpr size_t kThreads = 4;
  constexpr size_t kSize = 24u << 20;
  std::vector<std::vector<uint8_t>> data;
  for (size_t t = 0; t < kThreads; ++t) {
    data.push_back(RandomBytes(kSize, static_cast<uint32_t>(10 + t)));
  }
  std::vector<std::string> got(kThreads);
  const uint64_t paired_before = Md5Lanes::Shared().paired_blocks();
  std::barrier start(static_cast<std::ptrdiff_t>(kThreads));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(20 + t));
      Hasher h(DigestAlgorithm::kMd5);
      start.arrive_and_wait();
      size_t at = 0;
      while (at < kSize) {  // 0..2 MiB at a time, odd sizes included
        const size_t k = std::min<size_t>(kSize - at, rng() % (2u << 20));
        h.Update({data[t].data() + at, k});
        at += k;
      }
      got[t] = h.Finish().hex();
    });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < kThreads; ++t) CHECK(got[t] == OpenSslMd5({data[t].data(), kSize}));
  // 96 MiB hashed by four threads started together: some of it must have run two at a time.
  CHECK(Md5Lanes::Shared().paired_blocks() > paired_before);
}

TEST_CASE("MD5 agrees with the md5sum CLI") {
  const std::vector<uint8_t> data = RandomBytes((3u << 20) + 17, 30);
  const ByteView all(data.data(), data.size());
  CHECK(test::CliHex({"md5sum"}, all).at(0) == Md5Of(all));
}

}  // namespace
}  // namespace seqgate
