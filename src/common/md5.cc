#include "common/md5.h"

#include <algorithm>
#include <cstring>

namespace seqgate {
namespace {

#include "common/md5_rounds.h"  // NOLINT: macros and helpers for this file only

}  // namespace

void Md5Blocks(uint32_t state[4], const uint8_t* p, size_t blocks) {
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  for (; blocks != 0; --blocks, p += 64) {
    const uint32_t a0 = a, b0 = b, c0 = c, d0 = d;
    SG_MD5_STEPS(SG_MD5_STEP1)
    a += a0;
    b += b0;
    c += c0;
    d += d0;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}

void Md5Blocks2(uint32_t sa[4], const uint8_t* p, uint32_t sb[4], const uint8_t* q,
                size_t blocks) {
  uint32_t a = sa[0], b = sa[1], c = sa[2], d = sa[3];
  uint32_t a_ = sb[0], b_ = sb[1], c_ = sb[2], d_ = sb[3];
  for (; blocks != 0; --blocks, p += 64, q += 64) {
    const uint32_t a0 = a, b0 = b, c0 = c, d0 = d, a1 = a_, b1 = b_, c1 = c_, d1 = d_;
    SG_MD5_STEPS(SG_MD5_STEP2)
    a += a0;
    b += b0;
    c += c0;
    d += d0;
    a_ += a1;
    b_ += b1;
    c_ += c1;
    d_ += d1;
  }
  sa[0] = a;
  sa[1] = b;
  sa[2] = c;
  sa[3] = d;
  sb[0] = a_;
  sb[1] = b_;
  sb[2] = c_;
  sb[3] = d_;
}

namespace {
struct Md5Job : HashLanes::Job {
  uint32_t* state;
};
void Md5One(HashLanes::Job& j, size_t n) {
  Md5Blocks(static_cast<Md5Job&>(j).state, j.data, n);
}
void Md5Two(HashLanes::Job& a, HashLanes::Job& b, size_t n) {
  Md5Blocks2(static_cast<Md5Job&>(a).state, a.data, static_cast<Md5Job&>(b).state, b.data, n);
}
}  // namespace

Md5Lanes::Md5Lanes() : lanes_(Md5One, Md5Two) {}

Md5Lanes& Md5Lanes::Shared() {
  static Md5Lanes* lanes = new Md5Lanes();  // leaked: hashing threads may outlive statics
  return *lanes;
}

void Md5Lanes::Blocks(uint32_t state[4], const uint8_t* data, size_t blocks) {
  Md5Job job;
  job.data = data;
  job.blocks = blocks;
  job.state = state;
  lanes_.Run(job);
}

void Md5::Reset() {
  state_[0] = 0x67452301;
  state_[1] = 0xefcdab89;
  state_[2] = 0x98badcfe;
  state_[3] = 0x10325476;
  length_ = 0;
  buffered_ = 0;
}

void Md5::Update(ByteView data) {
  length_ += data.size();
  const uint8_t* p = data.data();
  size_t n = data.size();
  if (buffered_ != 0) {
    const size_t take = std::min(n, 64 - buffered_);
    std::memcpy(buffer_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < 64) return;
    Md5Blocks(state_, buffer_, 1);
    buffered_ = 0;
  }
  if (n >= 64) {
    Md5Lanes::Shared().Blocks(state_, p, n / 64);
    p += n / 64 * 64;
    n %= 64;
  }
  std::memcpy(buffer_, p, n);
  buffered_ = n;
}

std::array<uint8_t, 16> Md5::Finish() {
  const uint64_t bits = length_ * 8;
  uint8_t pad[72] = {0x80};
  const size_t pad_len = (buffered_ < 56 ? size_t{56} : size_t{120}) - buffered_;
  for (size_t i = 0; i < 8; ++i) pad[pad_len + i] = static_cast<uint8_t>(bits >> (8 * i));
  Update({pad, pad_len + 8});
  std::array<uint8_t, 16> out;
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(state_[i] >> (8 * j));
  }
  Reset();
  return out;
}

}  // namespace seqgate
