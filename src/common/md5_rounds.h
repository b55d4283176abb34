// MD5's 64 steps (RFC 1321 §3.4) as macros, shared by the kernels that run them: one stream and
// two interleaved (md5.cc), and MD5 beside SHA-256 (sha256_md5.cc). Internal to common/: include
// only inside a .cc file's anonymous namespace, and #undef SG_* at the end of that file.
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

// The 64 steps of RFC 1321 §3.4 as STEP(F, a, b, c, d, K, shift, message word).
#define SG_MD5_STEPS(STEP)                                                  \
  STEP(SG_F1, a, b, c, d, 0xd76aa478, 7, 0)                                 \
  STEP(SG_F1, d, a, b, c, 0xe8c7b756, 12, 1)                                \
  STEP(SG_F1, c, d, a, b, 0x242070db, 17, 2)                                \
  STEP(SG_F1, b, c, d, a, 0xc1bdceee, 22, 3)                                \
  STEP(SG_F1, a, b, c, d, 0xf57c0faf, 7, 4)                                 \
  STEP(SG_F1, d, a, b, c, 0x4787c62a, 12, 5)                                \
  STEP(SG_F1, c, d, a, b, 0xa8304613, 17, 6)                                \
  STEP(SG_F1, b, c, d, a, 0xfd469501, 22, 7)                                \
  STEP(SG_F1, a, b, c, d, 0x698098d8, 7, 8)                                 \
  STEP(SG_F1, d, a, b, c, 0x8b44f7af, 12, 9)                                \
  STEP(SG_F1, c, d, a, b, 0xffff5bb1, 17, 10)                               \
  STEP(SG_F1, b, c, d, a, 0x895cd7be, 22, 11)                               \
  STEP(SG_F1, a, b, c, d, 0x6b901122, 7, 12)                                \
  STEP(SG_F1, d, a, b, c, 0xfd987193, 12, 13)                               \
  STEP(SG_F1, c, d, a, b, 0xa679438e, 17, 14)                               \
  STEP(SG_F1, b, c, d, a, 0x49b40821, 22, 15)                               \
  STEP(SG_F2, a, b, c, d, 0xf61e2562, 5, 1)                                 \
  STEP(SG_F2, d, a, b, c, 0xc040b340, 9, 6)                                 \
  STEP(SG_F2, c, d, a, b, 0x265e5a51, 14, 11)                               \
  STEP(SG_F2, b, c, d, a, 0xe9b6c7aa, 20, 0)                                \
  STEP(SG_F2, a, b, c, d, 0xd62f105d, 5, 5)                                 \
  STEP(SG_F2, d, a, b, c, 0x02441453, 9, 10)                                \
  STEP(SG_F2, c, d, a, b, 0xd8a1e681, 14, 15)                               \
  STEP(SG_F2, b, c, d, a, 0xe7d3fbc8, 20, 4)                                \
  STEP(SG_F2, a, b, c, d, 0x21e1cde6, 5, 9)                                 \
  STEP(SG_F2, d, a, b, c, 0xc33707d6, 9, 14)                                \
  STEP(SG_F2, c, d, a, b, 0xf4d50d87, 14, 3)                                \
  STEP(SG_F2, b, c, d, a, 0x455a14ed, 20, 8)                                \
  STEP(SG_F2, a, b, c, d, 0xa9e3e905, 5, 13)                                \
  STEP(SG_F2, d, a, b, c, 0xfcefa3f8, 9, 2)                                 \
  STEP(SG_F2, c, d, a, b, 0x676f02d9, 14, 7)                                \
  STEP(SG_F2, b, c, d, a, 0x8d2a4c8a, 20, 12)                               \
  STEP(SG_F3, a, b, c, d, 0xfffa3942, 4, 5)                                 \
  STEP(SG_F3, d, a, b, c, 0x8771f681, 11, 8)                                \
  STEP(SG_F3, c, d, a, b, 0x6d9d6122, 16, 11)                               \
  STEP(SG_F3, b, c, d, a, 0xfde5380c, 23, 14)                               \
  STEP(SG_F3, a, b, c, d, 0xa4beea44, 4, 1)                                 \
  STEP(SG_F3, d, a, b, c, 0x4bdecfa9, 11, 4)                                \
  STEP(SG_F3, c, d, a, b, 0xf6bb4b60, 16, 7)                                \
  STEP(SG_F3, b, c, d, a, 0xbebfbc70, 23, 10)                               \
  STEP(SG_F3, a, b, c, d, 0x289b7ec6, 4, 13)                                \
  STEP(SG_F3, d, a, b, c, 0xeaa127fa, 11, 0)                                \
  STEP(SG_F3, c, d, a, b, 0xd4ef3085, 16, 3)                                \
  STEP(SG_F3, b, c, d, a, 0x04881d05, 23, 6)                                \
  STEP(SG_F3, a, b, c, d, 0xd9d4d039, 4, 9)                                 \
  STEP(SG_F3, d, a, b, c, 0xe6db99e5, 11, 12)                               \
  STEP(SG_F3, c, d, a, b, 0x1fa27cf8, 16, 15)                               \
  STEP(SG_F3, b, c, d, a, 0xc4ac5665, 23, 2)                                \
  STEP(SG_F4, a, b, c, d, 0xf4292244, 6, 0)                                 \
  STEP(SG_F4, d, a, b, c, 0x432aff97, 10, 7)                                \
  STEP(SG_F4, c, d, a, b, 0xab9423a7, 15, 14)                               \
  STEP(SG_F4, b, c, d, a, 0xfc93a039, 21, 5)                                \
  STEP(SG_F4, a, b, c, d, 0x655b59c3, 6, 12)                                \
  STEP(SG_F4, d, a, b, c, 0x8f0ccc92, 10, 3)                                \
  STEP(SG_F4, c, d, a, b, 0xffeff47d, 15, 10)                               \
  STEP(SG_F4, b, c, d, a, 0x85845dd1, 21, 1)                                \
  STEP(SG_F4, a, b, c, d, 0x6fa87e4f, 6, 8)                                 \
  STEP(SG_F4, d, a, b, c, 0xfe2ce6e0, 10, 15)                               \
  STEP(SG_F4, c, d, a, b, 0xa3014314, 15, 6)                                \
  STEP(SG_F4, b, c, d, a, 0x4e0811a1, 21, 13)                               \
  STEP(SG_F4, a, b, c, d, 0xf7537e82, 6, 4)                                 \
  STEP(SG_F4, d, a, b, c, 0xbd3af235, 10, 11)                               \
  STEP(SG_F4, c, d, a, b, 0x2ad7d2bb, 15, 2)                                \
  STEP(SG_F4, b, c, d, a, 0xeb86d391, 21, 9)

// One step of one stream: registers a..d, message block at p.
#define SG_MD5_STEP1(F, a, b, c, d, k, s, i) a = b + Rol(a + F(b, c, d) + (k) + Le32(p + 4 * (i)), s);
