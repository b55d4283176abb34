// Illumina records: NovaSeq (patterned flow cell, binned qualities) and HiSeq/MiSeq style
// (random cluster positions, full-range qualities), single-end or paired.
#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "sim/prng.h"
#include "sim/quality_profiles.h"
#include "sim/record_source.h"
#include "sim/sequence_model.h"
#include "sim/text_format.h"

namespace seqgate::sim::internal {
namespace {

// TruSeq adapters, read where the insert is shorter than the read ("read-through"). They make
// real FASTQ partly repetitive, which is part of why it compresses as well as it does.
constexpr std::string_view kAdapterR1 = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCAC";
constexpr std::string_view kAdapterR2 = "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT";

// Per-cluster event rates, in 65536ths.
constexpr uint32_t kDuplicateChance = 3277;      // 5%: PCR/optical duplicate of a recent cluster
constexpr uint32_t kReadThroughChance = 1966;    // 3%: insert shorter than the read
constexpr uint32_t kRepeatChance = 983;          // 1.5%: a low-complexity stretch
constexpr uint32_t kPolyGChanceR1 = 328;         // 0.5% (NovaSeq two-colour chemistry: dark = G)
constexpr uint32_t kPolyGChanceR2 = 1311;        // 2%
constexpr uint32_t kNoCallChance = 1311;         // 2% of reads carry 1-3 N calls
constexpr uint32_t kIndexMismatchChance = 1311;  // 2% of reads show one index mismatch

// Duplicates are copied from recent clusters: at most this many, and at most this many bytes,
// so memory stays bounded for any read length.
constexpr size_t kMaxRecentClusters = 1024;
constexpr size_t kMaxRecentBytes = size_t{4} << 20;

struct FlowcellGeometry {
  bool patterned;  // wells on a hexagonal grid (NovaSeq) vs clusters anywhere (HiSeq/MiSeq)
  uint32_t surfaces, swaths, tiles_per_swath;
  uint32_t x_min, x_max, y_min, y_max;
};
// NovaSeq 6000 S4: tiles 1101..2478. HiSeq 2500 high output: tiles 1101..2316.
constexpr FlowcellGeometry kNovaSeqGeometry{true, 2, 4, 78, 1000, 32000, 1000, 37000};
constexpr FlowcellGeometry kHiSeqGeometry{false, 2, 3, 16, 1000, 21000, 1000, 200000};

class IlluminaSource final : public RecordSource {
 public:
  explicit IlluminaSource(const ReadGenOptions& o)
      : rng_(o.seed),
        novaseq_(o.profile == ReadProfile::kNovaSeq),
        len_(o.read_length),
        geo_(novaseq_ ? kNovaSeqGeometry : kHiSeqGeometry),
        quality_(novaseq_ ? IlluminaQualityModel::Kind::kNovaSeqBinned
                          : IlluminaQualityModel::Kind::kFullRange,
                 o.read_length),
        index_(o.index),
        cluster_index_(o.index) {
    prefix_ = "@" + o.instrument + ":" + std::to_string(o.run_number) + ":" + o.flowcell + ":" +
              std::to_string(o.lane) + ":";
    // Header: prefix, tile (4 digits), two coordinates (at most 10 digits each), three
    // separators, " 1:N:0:", the index and a newline; then sequence, "+", quality, newlines.
    max_record_ = prefix_.size() + 4 + 2 * 10 + 3 + 7 + index_.size() + 1 + 2 * size_t{len_} + 4;
    slot_bytes_ = 2 * size_t{len_};
    recent_slots_ = std::clamp<size_t>(kMaxRecentBytes / slot_bytes_, 1, kMaxRecentClusters);
    recent_.resize(recent_slots_ * slot_bytes_);
    col_ = rng_.Below(4);
    SetTile(0);
  }

  size_t max_record_bytes() const override { return max_record_; }

  void Append(char** r1, char** r2) override {
    NextCluster();
    const bool mismatch = rng_.Chance(kIndexMismatchChance);
    if (mismatch) MutateIndex();

    char* q1 = nullptr;
    char* q2 = nullptr;
    char* s1 = Layout(r1, '1', &q1);
    char* s2 = r2 != nullptr ? Layout(r2, '2', &q2) : nullptr;
    PutSequences(s1, s2);
    quality_.Fill(rng_, false, q1);
    MarkNoCalls(s1, q1);
    if (s2 != nullptr) {
      quality_.Fill(rng_, true, q2);
      MarkNoCalls(s2, q2);
    }
    if (mismatch) cluster_index_ = index_;
  }

 private:
  // Writes the header and the fixed parts of one record at *r, advances *r past the record and
  // returns where the sequence goes (the quality's position in *qual).
  char* Layout(char** r, char read_number, char** qual) const {
    char* p = PutText(*r, prefix_);
    p = PutDecimal(p, tile_);
    *p++ = ':';
    p = PutDecimal(p, x_);
    *p++ = ':';
    p = PutDecimal(p, y_);
    *p++ = ' ';
    *p++ = read_number;
    p = PutText(p, ":N:0:");
    p = PutText(p, cluster_index_);
    *p++ = '\n';
    char* seq = p;
    p += len_;
    p = PutText(p, "\n+\n");
    *qual = p;
    p += len_;
    *p++ = '\n';
    *r = p;
    return seq;
  }

  void SetTile(uint32_t ordinal) {
    const uint32_t per_surface = geo_.swaths * geo_.tiles_per_swath;
    tile_ordinal_ = ordinal % (geo_.surfaces * per_surface);
    const uint32_t surface = tile_ordinal_ / per_surface + 1;
    const uint32_t swath = tile_ordinal_ / geo_.tiles_per_swath % geo_.swaths + 1;
    tile_ = surface * 1000 + swath * 100 + tile_ordinal_ % geo_.tiles_per_swath + 1;
    row_ = 0;
    y_ = geo_.y_min;
  }

  // Moves to the next passing-filter cluster in file order: along rows of wells (NovaSeq), or
  // slowly down the tile (HiSeq). Past the last tile of the lane it starts over at the first.
  void NextCluster() {
    const uint64_t w = rng_.Next();
    if (geo_.patterned) {
      // Wells 18 px apart, alternate rows offset by half a well, rows 15.65 px apart. About a
      // quarter of wells fail the chastity filter: skip a geometric number of them (two random
      // bits per well).
      col_ += 1 + static_cast<uint32_t>(std::min(std::countr_zero(w), 16)) / 2;
      x_ = geo_.x_min + (row_ & 1) * 9 + col_ * 18;
      if (x_ > geo_.x_max) {
        ++row_;
        col_ = static_cast<uint32_t>(w >> 60) & 3;
        x_ = geo_.x_min + (row_ & 1) * 9 + col_ * 18;
        y_ = geo_.y_min + row_ * 1565 / 100;
        if (y_ > geo_.y_max) SetTile(tile_ordinal_ + 1);
      }
    } else {
      if ((w & 7) == 0) y_ += 1 + static_cast<uint32_t>(w >> 3 & 3);
      if (y_ > geo_.y_max) SetTile(tile_ordinal_ + 1);
      x_ = geo_.x_min + static_cast<uint32_t>(((w >> 32) * (geo_.x_max - geo_.x_min + 1)) >> 32);
    }
  }

  void MutateIndex() {
    const uint32_t pos = rng_.Below(static_cast<uint32_t>(cluster_index_.size()));
    if (cluster_index_[pos] == '+') return;
    static constexpr char kOther[4][3] = {
        {'C', 'G', 'T'}, {'A', 'G', 'T'}, {'A', 'C', 'T'}, {'A', 'C', 'G'}};
    const char c = cluster_index_[pos];
    const int row = c == 'A' ? 0 : c == 'C' ? 1 : c == 'G' ? 2 : 3;
    cluster_index_[pos] = kOther[row][rng_.Below(3)];
  }

  // Fills the adapter and whatever the sequencer reads after it.
  void PutAdapterTail(char* out, size_t n, std::string_view adapter) const {
    const size_t a = std::min(n, adapter.size());
    std::memcpy(out, adapter.data(), a);
    std::memset(out + a, novaseq_ ? 'G' : 'A', n - a);
  }

  void PutSequences(char* s1, char* s2) {
    if (recent_filled_ > 0 && rng_.Chance(kDuplicateChance)) {
      const size_t back = 1 + rng_.Below(static_cast<uint32_t>(recent_filled_));
      const char* slot =
          &recent_[(recent_next_ + recent_slots_ - back) % recent_slots_ * slot_bytes_];
      std::memcpy(s1, slot, len_);
      if (s2 != nullptr) std::memcpy(s2, slot + len_, len_);
      return;
    }
    if (len_ >= 2 && rng_.Chance(kReadThroughChance)) {
      const uint32_t insert = rng_.Between(std::max<uint32_t>(1, len_ / 4), len_ - 1);
      PutRandomBases(rng_, s1, insert);
      PutAdapterTail(s1 + insert, len_ - insert, kAdapterR1);
      if (s2 != nullptr) {
        PutReverseComplement(s1, insert, s2);
        PutAdapterTail(s2 + insert, len_ - insert, kAdapterR2);
      }
    } else {
      PutRandomBases(rng_, s1, len_);
      if (s2 != nullptr) PutRandomBases(rng_, s2, len_);
      if (rng_.Chance(kRepeatChance)) {
        const uint32_t lo = std::min<uint32_t>(12, len_);
        const uint32_t n = rng_.Between(lo, std::max(lo, len_ / 2));
        PutTandemRepeat(rng_, s1 + rng_.Below(len_ - n + 1), n);
      }
      if (novaseq_) {
        MaybePolyG(s1, kPolyGChanceR1);
        if (s2 != nullptr) MaybePolyG(s2, kPolyGChanceR2);
      }
    }
    char* slot = &recent_[recent_next_ * slot_bytes_];
    std::memcpy(slot, s1, len_);
    if (s2 != nullptr) std::memcpy(slot + len_, s2, len_);
    recent_next_ = (recent_next_ + 1) % recent_slots_;
    recent_filled_ = std::min(recent_filled_ + 1, recent_slots_);
  }

  void MaybePolyG(char* s, uint32_t chance) {
    if (!rng_.Chance(chance)) return;
    const uint32_t from = rng_.Between(len_ / 2, len_ - 1);
    std::memset(s + from, 'G', len_ - from);
  }

  // N calls always carry Phred 2, and (NovaSeq) Phred 2 only ever marks an N.
  void MarkNoCalls(char* seq, char* qual) {
    if (!rng_.Chance(kNoCallChance)) return;
    for (uint32_t n = 1 + rng_.Below(3); n > 0; --n) {
      const uint32_t pos = rng_.Below(len_);
      seq[pos] = 'N';
      qual[pos] = kNoCallQualityChar;
    }
  }

  Xoshiro256 rng_;
  bool novaseq_;
  uint32_t len_;
  FlowcellGeometry geo_;
  IlluminaQualityModel quality_;
  std::string prefix_;         // "@<instrument>:<run>:<flowcell>:<lane>:"
  std::string index_;          // the sample's index
  std::string cluster_index_;  // the index as read for the current cluster
  size_t max_record_ = 0;

  uint32_t tile_ordinal_ = 0;  // 0 .. tiles per lane - 1
  uint32_t tile_ = 0;          // as printed, e.g. 1101
  uint32_t row_ = 0, col_ = 0;
  uint32_t x_ = 0, y_ = 0;

  std::vector<char> recent_;  // ring of recent clusters' R1+R2 sequences, for duplicates
  size_t slot_bytes_ = 0;
  size_t recent_slots_ = 0;
  size_t recent_next_ = 0;
  size_t recent_filled_ = 0;
};

}  // namespace

std::unique_ptr<RecordSource> MakeIlluminaSource(const ReadGenOptions& options) {
  return std::make_unique<IlluminaSource>(options);
}

}  // namespace seqgate::sim::internal
