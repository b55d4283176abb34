#include "common/sha256_md5.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <barrier>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "unit/common/digest_peers.h"

namespace seqgate {
namespace {

using test::RandomBytes;

std::string OpenSsl(const EVP_MD* md, ByteView data) { return test::OpenSslHex(md, data); }

const Sha256Md5::Kernel kKernels[] = {Sha256Md5::Kernel::kBest, Sha256Md5::Kernel::kSeparate};

TEST_CASE("the machine running the tests has SHA-NI, so the fused loop is what gets tested") {
  // The reference machines have it; where one does not, this says so instead of passing
  // silently on the fallback alone.
  CHECK(Sha256Md5::CpuHasShaNi());
  CHECK(Sha256Md5().fused() == Sha256Md5::CpuHasShaNi());
  CHECK_FALSE(Sha256Md5(/*md5=*/true, Sha256Md5::Kernel::kSeparate).fused());
  CHECK_FALSE(Sha256Md5(/*md5=*/false).fused());
}

TEST_CASE("both digests agree with OpenSSL at every length around the padding edges") {
  const std::vector<uint8_t> data = RandomBytes(5000, 1);
  for (Sha256Md5::Kernel k : kKernels) {
    std::mt19937 rng(2);
    Sha256Md5 h(/*md5=*/true, k);  // reused: Finish starts a new stream
    for (size_t n = 0; n <= 300; ++n) {
      const ByteView v(data.data(), n);
      size_t at = 0;
      while (at < n) {  // random split points, including empty updates
        const size_t take = std::min<size_t>(n - at, rng() % 130);
        h.Update(v.subspan(at, take));
        at += take;
      }
      const Sha256Md5::Digests d = h.Finish();
      REQUIRE(d.sha256.hex() == OpenSsl(EVP_sha256(), v));
      REQUIRE(d.md5);
      REQUIRE(d.md5->hex() == OpenSsl(EVP_md5(), v));
    }
  }
}

TEST_CASE("known answers: FIPS 180-4 and RFC 1321 messages") {
  auto s = [](const char* t) { return ByteView(reinterpret_cast<const uint8_t*>(t), strlen(t)); };
  for (Sha256Md5::Kernel k : kKernels) {
    Sha256Md5 h(/*md5=*/true, k);
    h.Update(s("abc"));
    Sha256Md5::Digests d = h.Finish();
    CHECK(d.sha256.hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(d.md5->hex() == "900150983cd24fb0d6963f7d28e17f72");
    h.Update(s("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
    d = h.Finish();
    CHECK(d.sha256.hex() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(d.md5->hex() == "8215ef0796a20bcaaae116d3876c664a");
  }
}

TEST_CASE("megabytes in uneven pieces give the sha256sum and md5sum CLIs' digests") {
  const std::vector<uint8_t> data = RandomBytes((5u << 20) + 77, 3);
  const std::vector<std::string> cli =
      test::CliHex({"sha256sum", "md5sum"}, {data.data(), data.size()});
  const std::string& sha = cli.at(0);
  const std::string& md5 = cli.at(1);
  REQUIRE(sha.size() == 64);
  REQUIRE(md5.size() == 32);
  for (Sha256Md5::Kernel k : kKernels) {
    std::mt19937 rng(4);
    Sha256Md5 h(/*md5=*/true, k);
    size_t at = 0;
    while (at < data.size()) {  // 0..1 MiB at a time, odd sizes included
      const size_t take = std::min<size_t>(data.size() - at, rng() % (1u << 20));
      h.Update({data.data() + at, take});
      at += take;
    }
    const Sha256Md5::Digests d = h.Finish();
    CHECK(d.sha256.hex() == sha);
    CHECK(d.md5->hex() == md5);
  }
}

TEST_CASE("threads hashing at once are paired up, and every digest is still right") {
  constexpr size_t kThreads = 4;
  constexpr size_t kSize = 24u << 20;
  std::vector<std::vector<uint8_t>> data;
  for (size_t t = 0; t < kThreads; ++t) data.push_back(RandomBytes(kSize, 10 + t));
  std::vector<Sha256Md5::Digests> got(kThreads);
  const uint64_t paired_before = Sha256Md5::PairedBlocks();
  std::barrier start(static_cast<std::ptrdiff_t>(kThreads));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(20 + t));
      Sha256Md5 h;
      start.arrive_and_wait();
      size_t at = 0;
      while (at < kSize) {  // 0..2 MiB at a time, odd sizes included
        const size_t take = std::min<size_t>(kSize - at, rng() % (2u << 20));
        h.Update({data[t].data() + at, take});
        at += take;
      }
      got[t] = h.Finish();
    });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < kThreads; ++t) {
    const ByteView all(data[t].data(), kSize);
    CHECK(got[t].sha256.hex() == OpenSsl(EVP_sha256(), all));
    REQUIRE(got[t].md5);
    CHECK(got[t].md5->hex() == OpenSsl(EVP_md5(), all));
  }
  // 96 MiB hashed by four threads started together: with SHA-NI some of it ran two at a time.
  if (Sha256Md5::CpuHasShaNi()) CHECK(Sha256Md5::PairedBlocks() > paired_before);
}

TEST_CASE("streams that arrive in turns and wait for partners still get their own digests") {
  // As the centre's verifiers feed their hash threads: 1 MiB blocks, each stream every 8 ms,
  // the two half a period apart, so they pair only by waiting for each other.
  constexpr size_t kBlock = 1u << 20, kBlocks = 12;
  std::vector<uint8_t> data[2] = {RandomBytes(kBlock * kBlocks, 31),
                                  RandomBytes(kBlock * kBlocks, 32)};
  Sha256Md5::Digests got[2];
  const uint64_t paired_before = Sha256Md5::PairedBlocks();
  const auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      Sha256Md5 h;
      h.set_wait_for_partners(true);
      for (size_t i = 0; i < kBlocks; ++i) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(8000 * i + 4000 * t));
        h.Update({data[t].data() + i * kBlock, kBlock});
      }
      got[t] = h.Finish();
    });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < 2; ++t) {
    const ByteView all(data[t].data(), data[t].size());
    CHECK(got[t].sha256.hex() == OpenSsl(EVP_sha256(), all));
    REQUIRE(got[t].md5);
    CHECK(got[t].md5->hex() == OpenSsl(EVP_md5(), all));
  }
  if (Sha256Md5::CpuHasShaNi()) CHECK(Sha256Md5::PairedBlocks() > paired_before);
}

TEST_CASE("a side digest over a stretch of the stream is that stretch's SHA-256") {
  const std::vector<uint8_t> data = RandomBytes(3 * 4096 + 333, 6);
  const ByteView all(data.data(), data.size());
  for (const bool md5 : {true, false}) {
    for (Sha256Md5::Kernel k : kKernels) {
      CAPTURE(md5);
      std::mt19937 rng(7);
      for (int round = 0; round < 200; ++round) {
        // A side stretch [from, to) inside the stream, starting on a 64-byte boundary
        // (sometimes at 0, sometimes at the very end), and random update pieces around and
        // across both ends.
        const size_t from = 64 * (rng() % (data.size() / 64 + 1));
        const size_t to = from + rng() % (data.size() - from + 1);
        Sha256Md5 h(md5, k);
        auto feed = [&](size_t a, size_t b) {
          while (a < b) {
            const size_t take = std::min<size_t>(b - a, rng() % 3000);
            h.Update(all.subspan(a, take));
            a += take;
          }
        };
        feed(0, from);
        REQUIRE(h.BeginSide());
        CHECK(h.side_active());
        feed(from, to);
        const Digest side = h.FinishSide();
        CHECK_FALSE(h.side_active());
        feed(to, data.size());
        REQUIRE(side.hex() == OpenSsl(EVP_sha256(), all.subspan(from, to - from)));
        // The main digests never notice the side one.
        const Sha256Md5::Digests d = h.Finish();
        REQUIRE(d.sha256.hex() == OpenSsl(EVP_sha256(), all));
        REQUIRE(d.md5.has_value() == md5);
        if (md5) REQUIRE(d.md5->hex() == OpenSsl(EVP_md5(), all));
      }
    }
  }
}

TEST_CASE("the SHA-NI loops start a side digest only on a block boundary; the fallback anywhere") {
  const std::vector<uint8_t> data = RandomBytes(1000, 8);
  for (const bool md5 : {true, false}) {
    for (Sha256Md5::Kernel k : kKernels) {
      CAPTURE(md5);
      Sha256Md5 h(md5, k);
      CHECK(h.shani() == (k == Sha256Md5::Kernel::kBest && Sha256Md5::CpuHasShaNi()));
      h.Update({data.data(), 100});
      const bool blocks = h.shani();
      CHECK(h.BeginSide() == !blocks);
      CHECK(h.side_active() == !blocks);
      h.Update({data.data() + 100, 28});  // 128 bytes in: a boundary
      if (blocks) {
        REQUIRE(h.BeginSide());
      }
      h.Update({data.data() + 128, 872});
      const Digest side = h.FinishSide();
      const size_t from = blocks ? 128 : 100;
      CHECK(side.hex() == OpenSsl(EVP_sha256(), {data.data() + from, data.size() - from}));
      CHECK(h.Finish().sha256.hex() == OpenSsl(EVP_sha256(), {data.data(), data.size()}));
    }
  }
}

TEST_CASE("without MD5 it is SHA-256 alone, at every length and split") {
  const std::vector<uint8_t> data = RandomBytes(100000, 5);
  for (Sha256Md5::Kernel k : kKernels) {
    std::mt19937 rng(9);
    Sha256Md5 h(/*md5=*/false, k);  // reused: Finish starts a new stream
    for (size_t n : {size_t{0}, size_t{55}, size_t{56}, size_t{64}, size_t{119}, size_t{128},
                     size_t{4097}, data.size()}) {
      size_t at = 0;
      while (at < n) {
        const size_t take = std::min<size_t>(n - at, rng() % 700);
        h.Update({data.data() + at, take});
        at += take;
      }
      const Sha256Md5::Digests d = h.Finish();
      CHECK(d.sha256.hex() == OpenSsl(EVP_sha256(), {data.data(), n}));
      CHECK_FALSE(d.md5.has_value());
    }
  }
}

}  // namespace
}  // namespace seqgate
