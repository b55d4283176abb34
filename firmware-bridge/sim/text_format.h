// Tiny formatting helpers that write straight into the generator's output buffer.
//
// Headers are written for every record, so these avoid std::to_chars' locale-free but
// length-probing overhead and std::string temporaries; all take a cursor and return it advanced.
// The caller guarantees room (the record size bound accounts for the widest value).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace seqgate::sim {

// Copies `s` to `p`.
inline char* PutText(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Writes `v` in decimal without leading zeros (at most 20 characters).
inline char* PutDecimal(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

// Writes `v` in decimal, zero-padded to exactly `width` digits (v must fit).
inline char* PutDecimalPadded(char* p, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

// Writes the low `digits` nibbles of `v` as lower-case hexadecimal, most significant first.
inline char* PutHex(char* p, uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) {
    p[i] = kHex[v & 0xf];
    v >>= 4;
  }
  return p + digits;
}

// Writes a random-looking version-4 UUID (8-4-4-4-12, 36 characters) built from two words.
inline char* PutUuid(char* p, uint64_t hi, uint64_t lo) {
  hi = (hi & ~0xf000ULL) | 0x4000ULL;            // version 4
  lo = (lo & ~(0xcULL << 60)) | (0x8ULL << 60);  // RFC 4122 variant
  p = PutHex(p, hi >> 32, 8);
  *p++ = '-';
  p = PutHex(p, hi >> 16, 4);
  *p++ = '-';
  p = PutHex(p, hi, 4);
  *p++ = '-';
  p = PutHex(p, lo >> 48, 4);
  *p++ = '-';
  return PutHex(p, lo, 12);
}

// Writes a UTC time given in milliseconds since the Unix epoch as ISO 8601 with milliseconds
// and an explicit offset, the way MinKNOW does: "2024-03-01T09:00:00.123+00:00" (29 characters).
// Requires unix_ms >= 0 and a year below 10000.
inline char* PutIso8601Millis(char* p, int64_t unix_ms) {
  const int64_t secs = unix_ms / 1000;
  const int64_t days = secs / 86400;
  const int64_t sod = secs % 86400;
  // Days to civil date: Howard Hinnant's days_from_civil inverse (integer only, proleptic
  // Gregorian), valid for every day after 1970-01-01.
  const int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  p = PutDecimalPadded(p, static_cast<uint64_t>(year), 4);
  *p++ = '-';
  p = PutDecimalPadded(p, static_cast<uint64_t>(month), 2);
  *p++ = '-';
  p = PutDecimalPadded(p, static_cast<uint64_t>(day), 2);
  *p++ = 'T';
  p = PutDecimalPadded(p, static_cast<uint64_t>(sod / 3600), 2);
  *p++ = ':';
  p = PutDecimalPadded(p, static_cast<uint64_t>(sod / 60 % 60), 2);
  *p++ = ':';
  p = PutDecimalPadded(p, static_cast<uint64_t>(sod % 60), 2);
  *p++ = '.';
  p = PutDecimalPadded(p, static_cast<uint64_t>(unix_ms % 1000), 3);
  return PutText(p, "+00:00");
}

}  // namespace seqgate::sim
