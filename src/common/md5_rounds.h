// MD5's 64 steps (RFC 1321 §3.4) as macros, shared by the kernels that run them: one stream and
// two interleaved (md5.cc), and MD5 beside SHA-256 (sha256_md5.cc). Internal to common/: include
// only inside a .cc file's anonymous namespace; the SG_ macros stay defined to the file's end.
#pragma once

// Requires <cstdint> included before, outside any namespace.

inline uint32_t Rol(uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }
inline uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// The round functions, in forms whose critical path (through b) is two operations long.
#define SG_F1(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define SG_F2(b, c, d) (((b) & (d)) + ((c) & ~(d)))
#define SG_F3(b, c, d) ((b) ^ (c) ^ (d))
#define SG_F4(b, c, d) ((c) ^ ((b) | ~(d)))

// The 64 steps of RFC 1321 §3.4 as STEP(F, a, b, c, d, K, shift, message word), in 32 pairs so
// that a kernel can put other work between them (SG_MD5_PAIR(n, STEP) for n = 0..31).
#define SG_MD5_PAIR_0(STEP) \
  STEP(SG_F1, a, b, c, d, 0xd76aa478, 7, 0) \
  STEP(SG_F1, d, a, b, c, 0xe8c7b756, 12, 1)
#define SG_MD5_PAIR_1(STEP) \
  STEP(SG_F1, c, d, a, b, 0x242070db, 17, 2) \
  STEP(SG_F1, b, c, d, a, 0xc1bdceee, 22, 3)
#define SG_MD5_PAIR_2(STEP) \
  STEP(SG_F1, a, b, c, d, 0xf57c0faf, 7, 4) \
  STEP(SG_F1, d, a, b, c, 0x4787c62a, 12, 5)
#define SG_MD5_PAIR_3(STEP) \
  STEP(SG_F1, c, d, a, b, 0xa8304613, 17, 6) \
  STEP(SG_F1, b, c, d, a, 0xfd469501, 22, 7)
#define SG_MD5_PAIR_4(STEP) \
  STEP(SG_F1, a, b, c, d, 0x698098d8, 7, 8) \
  STEP(SG_F1, d, a, b, c, 0x8b44f7af, 12, 9)
#define SG_MD5_PAIR_5(STEP) \
  STEP(SG_F1, c, d, a, b, 0xffff5bb1, 17, 10) \
  STEP(SG_F1, b, c, d, a, 0x895cd7be, 22, 11)
#define SG_MD5_PAIR_6(STEP) \
  STEP(SG_F1, a, b, c, d, 0x6b901122, 7, 12) \
  STEP(SG_F1, d, a, b, c, 0xfd987193, 12, 13)
#define SG_MD5_PAIR_7(STEP) \
  STEP(SG_F1, c, d, a, b, 0xa679438e, 17, 14) \
  STEP(SG_F1, b, c, d, a, 0x49b40821, 22, 15)
#define SG_MD5_PAIR_8(STEP) \
  STEP(SG_F2, a, b, c, d, 0xf61e2562, 5, 1) \
  STEP(SG_F2, d, a, b, c, 0xc040b340, 9, 6)
#define SG_MD5_PAIR_9(STEP) \
  STEP(SG_F2, c, d, a, b, 0x265e5a51, 14, 11) \
  STEP(SG_F2, b, c, d, a, 0xe9b6c7aa, 20, 0)
#define SG_MD5_PAIR_10(STEP) \
  STEP(SG_F2, a, b, c, d, 0xd62f105d, 5, 5) \
  STEP(SG_F2, d, a, b, c, 0x02441453, 9, 10)
#define SG_MD5_PAIR_11(STEP) \
  STEP(SG_F2, c, d, a, b, 0xd8a1e681, 14, 15) \
  STEP(SG_F2, b, c, d, a, 0xe7d3fbc8, 20, 4)
#define SG_MD5_PAIR_12(STEP) \
  STEP(SG_F2, a, b, c, d, 0x21e1cde6, 5, 9) \
  STEP(SG_F2, d, a, b, c, 0xc33707d6, 9, 14)
#define SG_MD5_PAIR_13(STEP) \
  STEP(SG_F2, c, d, a, b, 0xf4d50d87, 14, 3) \
  STEP(SG_F2, b, c, d, a, 0x455a14ed, 20, 8)
#define SG_MD5_PAIR_14(STEP) \
  STEP(SG_F2, a, b, c, d, 0xa9e3e905, 5, 13) \
  STEP(SG_F2, d, a, b, c, 0xfcefa3f8, 9, 2)
#define SG_MD5_PAIR_15(STEP) \
  STEP(SG_F2, c, d, a, b, 0x676f02d9, 14, 7) \
  STEP(SG_F2, b, c, d, a, 0x8d2a4c8a, 20, 12)
#define SG_MD5_PAIR_16(STEP) \
  STEP(SG_F3, a, b, c, d, 0xfffa3942, 4, 5) \
  STEP(SG_F3, d, a, b, c, 0x8771f681, 11, 8)
#define SG_MD5_PAIR_17(STEP) \
  STEP(SG_F3, c, d, a, b, 0x6d9d6122, 16, 11) \
  STEP(SG_F3, b, c, d, a, 0xfde5380c, 23, 14)
#define SG_MD5_PAIR_18(STEP) \
  STEP(SG_F3, a, b, c, d, 0xa4beea44, 4, 1) \
  STEP(SG_F3, d, a, b, c, 0x4bdecfa9, 11, 4)
#define SG_MD5_PAIR_19(STEP) \
  STEP(SG_F3, c, d, a, b, 0xf6bb4b60, 16, 7) \
  STEP(SG_F3, b, c, d, a, 0xbebfbc70, 23, 10)
#define SG_MD5_PAIR_20(STEP) \
  STEP(SG_F3, a, b, c, d, 0x289b7ec6, 4, 13) \
  STEP(SG_F3, d, a, b, c, 0xeaa127fa, 11, 0)
#define SG_MD5_PAIR_21(STEP) \
  STEP(SG_F3, c, d, a, b, 0xd4ef3085, 16, 3) \
  STEP(SG_F3, b, c, d, a, 0x04881d05, 23, 6)
#define SG_MD5_PAIR_22(STEP) \
  STEP(SG_F3, a, b, c, d, 0xd9d4d039, 4, 9) \
  STEP(SG_F3, d, a, b, c, 0xe6db99e5, 11, 12)
#define SG_MD5_PAIR_23(STEP) \
  STEP(SG_F3, c, d, a, b, 0x1fa27cf8, 16, 15) \
  STEP(SG_F3, b, c, d, a, 0xc4ac5665, 23, 2)
#define SG_MD5_PAIR_24(STEP) \
  STEP(SG_F4, a, b, c, d, 0xf4292244, 6, 0) \
  STEP(SG_F4, d, a, b, c, 0x432aff97, 10, 7)
#define SG_MD5_PAIR_25(STEP) \
  STEP(SG_F4, c, d, a, b, 0xab9423a7, 15, 14) \
  STEP(SG_F4, b, c, d, a, 0xfc93a039, 21, 5)
#define SG_MD5_PAIR_26(STEP) \
  STEP(SG_F4, a, b, c, d, 0x655b59c3, 6, 12) \
  STEP(SG_F4, d, a, b, c, 0x8f0ccc92, 10, 3)
#define SG_MD5_PAIR_27(STEP) \
  STEP(SG_F4, c, d, a, b, 0xffeff47d, 15, 10) \
  STEP(SG_F4, b, c, d, a, 0x85845dd1, 21, 1)
#define SG_MD5_PAIR_28(STEP) \
  STEP(SG_F4, a, b, c, d, 0x6fa87e4f, 6, 8) \
  STEP(SG_F4, d, a, b, c, 0xfe2ce6e0, 10, 15)
#define SG_MD5_PAIR_29(STEP) \
  STEP(SG_F4, c, d, a, b, 0xa3014314, 15, 6) \
  STEP(SG_F4, b, c, d, a, 0x4e0811a1, 21, 13)
#define SG_MD5_PAIR_30(STEP) \
  STEP(SG_F4, a, b, c, d, 0xf7537e82, 6, 4) \
  STEP(SG_F4, d, a, b, c, 0xbd3af235, 10, 11)
#define SG_MD5_PAIR_31(STEP) \
  STEP(SG_F4, c, d, a, b, 0x2ad7d2bb, 15, 2) \
  STEP(SG_F4, b, c, d, a, 0xeb86d391, 21, 9)
#define SG_MD5_PAIR(n, STEP) SG_MD5_PAIR_##n(STEP)
#define SG_MD5_STEPS(STEP) SG_MD5_PAIR_0(STEP) SG_MD5_PAIR_1(STEP) SG_MD5_PAIR_2(STEP) \
  SG_MD5_PAIR_3(STEP) SG_MD5_PAIR_4(STEP) SG_MD5_PAIR_5(STEP) SG_MD5_PAIR_6(STEP) \
  SG_MD5_PAIR_7(STEP) SG_MD5_PAIR_8(STEP) SG_MD5_PAIR_9(STEP) SG_MD5_PAIR_10(STEP) \
  SG_MD5_PAIR_11(STEP) SG_MD5_PAIR_12(STEP) SG_MD5_PAIR_13(STEP) SG_MD5_PAIR_14(STEP) \
  SG_MD5_PAIR_15(STEP) SG_MD5_PAIR_16(STEP) SG_MD5_PAIR_17(STEP) SG_MD5_PAIR_18(STEP) \
  SG_MD5_PAIR_19(STEP) SG_MD5_PAIR_20(STEP) SG_MD5_PAIR_21(STEP) SG_MD5_PAIR_22(STEP) \
  SG_MD5_PAIR_23(STEP) SG_MD5_PAIR_24(STEP) SG_MD5_PAIR_25(STEP) SG_MD5_PAIR_26(STEP) \
  SG_MD5_PAIR_27(STEP) SG_MD5_PAIR_28(STEP) SG_MD5_PAIR_29(STEP) SG_MD5_PAIR_30(STEP) \
  SG_MD5_PAIR_31(STEP)

// One step of one stream: registers a..d, message block at p.
#define SG_MD5_STEP1(F, a, b, c, d, k, s, i) a = b + Rol(a + F(b, c, d) + (k) + Le32(p + 4 * (i)), s);
// One step of two streams: the second's registers are the first's names with a trailing
// underscore, its message block at q. Written out so the compiler keeps eight registers live.
#define SG_MD5_STEP2(F, a, b, c, d, k, s, i)                  \
  a = b + Rol(a + F(b, c, d) + (k) + Le32(p + 4 * (i)), s); \
  a##_ = b##_ + Rol(a##_ + F(b##_, c##_, d##_) + (k) + Le32(q + 4 * (i)), s);
