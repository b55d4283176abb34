#include "common/md5.h"

#include <algorithm>
#include <cstring>

namespace seqgate {
namespace {

#include "common/md5_rounds.h"  // NOLINT: macros and helpers for this file only

// Two streams: the second's registers are the first's names with a trailing underscore, its
// message q. Written out step by step so the compiler keeps the eight registers in registers.
#define SG_STEP2(F, a, b, c, d, k, s, i)                          \
  a = b + Rol(a + F(b, c, d) + (k) + Le32(p + 4 * (i)), s);       \
  a##_ = b##_ + Rol(a##_ + F(b##_, c##_, d##_) + (k) + Le32(q + 4 * (i)), s);

// Slices a lone hasher works through between looks for a partner (64 KiB: about 0.1 ms).
constexpr size_t kSliceBlocks = 1024;

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
    SG_MD5_STEPS(SG_STEP2)
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

#undef SG_MD5_STEP1
#undef SG_STEP2
#undef SG_MD5_STEPS
#undef SG_F1
#undef SG_F2
#undef SG_F3
#undef SG_F4

Md5Lanes& Md5Lanes::Shared() {
  static Md5Lanes* lanes = new Md5Lanes();  // leaked: hashing threads may outlive statics
  return *lanes;
}

size_t Md5Lanes::HashPair(Job& mine, Job& other) {
  const size_t n = std::min(mine.blocks, other.blocks);
  Md5Blocks2(mine.state, mine.data, other.state, other.data, n);
  mine.data += 64 * n;
  mine.blocks -= n;
  other.data += 64 * n;
  other.blocks -= n;
  return n;
}

void Md5Lanes::Blocks(uint32_t state[4], const uint8_t* data, size_t blocks) {
  Job me{state, data, blocks};
  std::unique_lock lock(mu_);
  while (me.blocks != 0) {
    if (waiting_ != nullptr) {
      // Someone waits for a partner: hash both. Whatever is left of theirs goes back to them.
      Job& other = *waiting_;
      waiting_ = nullptr;
      other.taken = true;
      lock.unlock();
      const size_t n = HashPair(me, other);
      lock.lock();
      paired_ += 2 * n;
      other.taken = false;
      cv_.notify_all();
      continue;
    }
    if (solo_ == 0) {
      // Nobody could partner us soon: hash alone, a slice at a time, pairing as soon as a
      // second stream turns up.
      ++solo_;
      while (me.blocks != 0 && waiting_ == nullptr) {
        const size_t n = std::min(me.blocks, kSliceBlocks);
        lock.unlock();
        Md5Blocks(me.state, me.data, n);
        lock.lock();
        me.data += 64 * n;
        me.blocks -= n;
        alone_ += n;
      }
      --solo_;
      cv_.notify_all();  // a waiter with nobody left to pair with goes on alone
      continue;
    }
    // Another thread hashes alone: wait for it to take us, or to stop.
    waiting_ = &me;
    cv_.wait(lock, [&] { return !me.taken && (waiting_ != &me || solo_ == 0); });
    if (waiting_ == &me) waiting_ = nullptr;
  }
}

uint64_t Md5Lanes::paired_blocks() const {
  std::lock_guard lock(mu_);
  return paired_;
}

uint64_t Md5Lanes::solo_blocks() const {
  std::lock_guard lock(mu_);
  return alone_;
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
