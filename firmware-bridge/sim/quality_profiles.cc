#include "sim/quality_profiles.h"

#include <algorithm>

namespace seqgate::sim {
namespace {

constexpr char PhredChar(int q) { return static_cast<char>('!' + q); }

// NovaSeq's bins above Phred 2, low to high, and the whole alphabet (with '#' for N).
constexpr char kNovaSeqBins[3] = {'-', '8', 'F'};
constexpr std::string_view kNovaSeqAlphabet = "#-8F";
// '#' (Phred 2) .. 'J' (Phred 41), contiguous.
constexpr std::string_view kFullRangeAlphabet = "#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJ";

// NovaSeq: 256ths of bases that are not 'F', per class (good, average, poor, dip) at the first
// and the last bucket; linear in between.
constexpr int kNovaLowFirst[4] = {8, 24, 64, 180};
constexpr int kNovaLowLast[4] = {24, 72, 160, 220};

// Full range: per-class offset from the position curve (the last entry is the dip's).
constexpr int kFullClassOffset[4] = {0, -4, -11, -14};

// Per class, how often (in 65536ths) a read gets a low-quality dip, and (full range only) ends
// in a '#' run.
constexpr uint32_t kDipChance[3] = {2048, 13107, 32768};
constexpr uint32_t kFullTailChance[3] = {512, 4096, 21845};

// Mean Phred score by bucket for full-range reads: the first cycles are a little low (phasing
// estimates settle), then a plateau, then a linear decline over the second half.
int FullRangeMean(int bucket) {
  if (bucket == 0) return 35;
  if (bucket <= 6) return 40;
  return 40 - (bucket - 6) * 8 / 9;
}

// Per-base deviation for full-range reads, indexed by a random byte: half the bases exactly at
// the mean, a few just above, the rest spread below with a long tail (left skew, as observed).
// About 3 bits of entropy per character, near what real full-range quality lines compress to.
int FullRangeNoise(int i) {
  if (i < 128) return 0;
  if (i < 154) return -1;
  if (i < 174) return 1;
  if (i < 192) return -2;
  if (i < 218) return -3 - (i - 192) % 3;
  if (i < 244) return -6 - (i - 218) * 10 / 26;
  return -16 - (i - 244);
}

// Per-base deviation for ONT, indexed by a random byte: the sum of the byte's four base-4
// digits is a bell shape over 0..12 (mean 6); stretching the lower half gives the left skew.
int OntNoise(int i) {
  const int s = (i & 3) + (i >> 2 & 3) + (i >> 4 & 3) + (i >> 6 & 3);
  return s >= 6 ? (s - 6) * 2 : (s - 6) * 3;
}

}  // namespace

IlluminaQualityModel::IlluminaQualityModel(Kind kind, uint32_t read_length)
    : kind_(kind),
      read_length_(read_length),
      bucket_start_(kBuckets + 1),
      tables_(static_cast<size_t>((kClasses + 1) * kBuckets)) {
  for (int b = 0; b <= kBuckets; ++b) {
    bucket_start_[static_cast<size_t>(b)] = static_cast<uint32_t>(
        (uint64_t{read_length} * static_cast<uint64_t>(b) + kBuckets - 1) / kBuckets);
  }
  for (int cls = 0; cls <= kClasses; ++cls) {
    for (int b = 0; b < kBuckets; ++b) {
      auto& t = tables_[static_cast<size_t>(cls * kBuckets + b)];
      if (kind == Kind::kNovaSeqBinned) {
        const int low =
            kNovaLowFirst[cls] + (kNovaLowLast[cls] - kNovaLowFirst[cls]) * b / (kBuckets - 1);
        const int dash = low / 4;  // a quarter of the low bases are Phred 12, the rest 23
        for (int i = 0; i < 256; ++i) {
          t[static_cast<size_t>(i)] = kNovaSeqBins[i < dash ? 0 : i < low ? 1 : 2];
        }
      } else {
        const int mean = FullRangeMean(b) + kFullClassOffset[cls];
        for (int i = 0; i < 256; ++i) {
          t[static_cast<size_t>(i)] = PhredChar(std::clamp(mean + FullRangeNoise(i), 2, 41));
        }
      }
    }
  }
}

int IlluminaQualityModel::DrawClass(Xoshiro256& rng, bool second_read) const {
  // R1: 80% good, 15% average, 5% poor. R2 is a little worse, as on every paired run.
  const uint32_t r = rng.Below(256);
  const uint32_t good = second_read ? 180 : 204;
  const uint32_t average = second_read ? 56 : 40;
  return r < good ? 0 : r < good + average ? 1 : 2;
}

void IlluminaQualityModel::FillRange(Xoshiro256& rng, int cls, uint32_t from, uint32_t to,
                                     char* out) const {
  uint64_t w = 0;
  int left = 0;  // unused random bytes in w
  for (int b = 0; b < kBuckets; ++b) {
    const uint32_t lo = std::max(from, bucket_start_[static_cast<size_t>(b)]);
    const uint32_t hi = std::min(to, bucket_start_[static_cast<size_t>(b) + 1]);
    const auto& t = Table(cls, b);
    for (uint32_t p = lo; p < hi; ++p) {
      if (left == 0) {
        w = rng.Next();
        left = 8;
      }
      out[p] = t[w & 0xff];
      w >>= 8;
      --left;
    }
  }
}

void IlluminaQualityModel::Fill(Xoshiro256& rng, bool second_read, char* out) const {
  const int cls = DrawClass(rng, second_read);
  FillRange(rng, cls, 0, read_length_, out);
  if (rng.Chance(kDipChance[cls])) {
    const uint32_t n = std::min(read_length_, rng.Between(3, 20));
    const uint32_t from = rng.Below(read_length_ - n + 1);
    FillRange(rng, kDip, from, from + n, out);
  }
  if (kind_ == Kind::kFullRange && read_length_ >= 2 && rng.Chance(kFullTailChance[cls])) {
    const uint32_t from = rng.Between(read_length_ / 2, read_length_ - 1);
    std::fill(out + from, out + read_length_, kNoCallQualityChar);
  }
}

std::string_view IlluminaQualityModel::alphabet() const {
  return kind_ == Kind::kNovaSeqBinned ? kNovaSeqAlphabet : kFullRangeAlphabet;
}

OntQualityModel::OntQualityModel() {
  for (size_t level = 0; level < tables_.size(); ++level) {
    const int mean = kMinLocalMean + static_cast<int>(level);
    for (int i = 0; i < 256; ++i) {
      tables_[level][static_cast<size_t>(i)] = PhredChar(std::clamp(mean + OntNoise(i), 5, 40));
    }
  }
}

void OntQualityModel::Fill(Xoshiro256& rng, size_t n, char* out) const {
  // Triangular-ish per-read mean over Q10..Q29 (most reads in the high teens).
  const int read_mean = 10 + static_cast<int>(rng.Below(8) + rng.Below(8) + rng.Below(6));
  for (size_t start = 0; start < n; start += 32) {
    const int local =
        std::clamp(read_mean + static_cast<int>(rng.Below(9)) - 4, kMinLocalMean, kMaxLocalMean);
    const auto& t = tables_[static_cast<size_t>(local - kMinLocalMean)];
    const size_t end = std::min(n, start + 32);
    uint64_t w = 0;
    for (size_t i = start; i < end; ++i, w >>= 8) {
      if (((i - start) & 7) == 0) w = rng.Next();
      out[i] = t[w & 0xff];
    }
  }
}

}  // namespace seqgate::sim
