// Oxford Nanopore records as MinKNOW writes them to fastq_pass/: UUID read IDs, key=value
// header fields, log-normally distributed lengths of a few kb.
#include <algorithm>
#include <string>
#include <vector>

#include "sim/prng.h"
#include "sim/quality_profiles.h"
#include "sim/record_source.h"
#include "sim/sequence_model.h"
#include "sim/text_format.h"

namespace seqgate::sim::internal {
namespace {

constexpr uint32_t kChannels = 512;  // MinION / GridION flow cell
constexpr std::string_view kBasecallModel = "dna_r10.4.1_e8.2_400bps_hac@v4.3.0";
constexpr uint32_t kRepeatChance = 6554;  // 10% of reads carry a low-complexity stretch

// sigma of the length distribution in log2 units, Q16: ln-sigma 0.9 / ln 2. With it the mean is
// about 1.5x the median and the longest reads are tens of times the median, like real runs.
constexpr int64_t kSigmaLog2Q16 = 85094;

// A log-normal length around `median`, clamped to [lo, hi], in integer arithmetic only: the
// normal deviate is an Irwin-Hall sum of twelve 16-bit uniforms (mean 6, variance 1), and
// 2^f for the fractional part is a quadratic that is exact at 0 and 1 (error < 0.3%).
uint32_t LogNormalLength(Xoshiro256& rng, uint32_t median, uint32_t lo, uint32_t hi) {
  int64_t sum = 0;
  for (int i = 0; i < 3; ++i) {
    const uint64_t w = rng.Next();
    sum += static_cast<int64_t>((w & 0xffff) + (w >> 16 & 0xffff) + (w >> 32 & 0xffff) + (w >> 48));
  }
  const int64_t z_q16 = sum - 6 * 65535;  // centred: |z| <= 6 standard deviations
  const int64_t t_q16 = z_q16 * kSigmaLog2Q16 / 65536;
  const int64_t whole = t_q16 >> 16;  // floor (C++20 defines >> of negatives as arithmetic)
  const uint64_t frac = static_cast<uint64_t>(t_q16 & 0xffff);
  const uint64_t pow_frac_q16 = 65536 + (frac * (43024 + (22512 * frac >> 16)) >> 16);
  uint64_t len_q16 = uint64_t{median} * pow_frac_q16;
  len_q16 = whole >= 0 ? len_q16 << whole : len_q16 >> -whole;
  return static_cast<uint32_t>(std::clamp<uint64_t>(len_q16 >> 16, lo, hi));
}

class OntSource final : public RecordSource {
 public:
  explicit OntSource(const ReadGenOptions& o)
      : rng_(o.seed),
        median_(o.read_length),
        min_len_(std::min<uint32_t>(200, o.read_length)),
        max_len_(o.read_length * 50),
        clock_ms_(o.start_time_unix * 1000),
        channel_reads_(kChannels) {
    // The run ID is a property of the run, not of the read stream: derive it separately so it
    // stays the same whatever else changes in the stream's use of randomness.
    SplitMix64 run_rng(o.seed ^ 0x6f6e742d72756e69ULL);
    char runid[40];
    for (int i = 0; i < 40; i += 16) PutHex(runid + i, run_rng.Next(), std::min(16, 40 - i));
    fields_ = " flow_cell_id=" + o.flowcell + " protocol_group_id=" + o.protocol_group_id +
              " sample_id=" + o.sample_id + " parent_read_id=";
    runid_.assign(runid, 40);
    for (uint32_t& n : channel_reads_) n = rng_.Below(64);
    // '@', UUID, runid, read/ch numbers, time, fixed fields, parent UUID, model, newline.
    const size_t header = 1 + 36 + 7 + 40 + 6 + 10 + 4 + 10 + 12 + 29 + fields_.size() + 36 + 27 +
                          kBasecallModel.size() + 1;
    max_record_ = header + 2 * size_t{max_len_} + 4;
  }

  size_t max_record_bytes() const override { return max_record_; }

  void Append(char** r1, char** /*r2*/) override {
    const uint64_t id_hi = rng_.Next();
    const uint64_t id_lo = rng_.Next();
    const uint32_t ch = rng_.Below(kChannels);
    channel_reads_[ch] += 1 + rng_.Below(3);  // skipped/failed reads also use read numbers
    clock_ms_ += rng_.Below(60);              // ~30 reads/s over 512 channels

    char* p = *r1;
    *p++ = '@';
    p = PutUuid(p, id_hi, id_lo);
    p = PutText(p, " runid=");
    p = PutText(p, runid_);
    p = PutText(p, " read=");
    p = PutDecimal(p, channel_reads_[ch]);
    p = PutText(p, " ch=");
    p = PutDecimal(p, ch + 1);
    p = PutText(p, " start_time=");
    p = PutIso8601Millis(p, clock_ms_);
    p = PutText(p, fields_);
    p = PutUuid(p, id_hi, id_lo);  // not split: the parent is the read itself
    p = PutText(p, " basecall_model_version_id=");
    p = PutText(p, kBasecallModel);
    *p++ = '\n';

    const uint32_t len = LogNormalLength(rng_, median_, min_len_, max_len_);
    PutRandomBases(rng_, p, len);
    if (rng_.Chance(kRepeatChance)) {
      const uint32_t n = rng_.Between(std::min<uint32_t>(20, len), std::min<uint32_t>(200, len));
      PutTandemRepeat(rng_, p + rng_.Below(len - n + 1), n);
    }
    p += len;
    p = PutText(p, "\n+\n");
    quality_.Fill(rng_, len, p);
    p += len;
    *p++ = '\n';
    *r1 = p;
  }

 private:
  Xoshiro256 rng_;
  OntQualityModel quality_;
  uint32_t median_, min_len_, max_len_;
  int64_t clock_ms_;                     // start_time of the next read
  std::vector<uint32_t> channel_reads_;  // last read number per channel
  std::string runid_;
  std::string fields_;  // " flow_cell_id=... sample_id=... parent_read_id="
  size_t max_record_ = 0;
};

}  // namespace

std::unique_ptr<RecordSource> MakeOntSource(const ReadGenOptions& options) {
  return std::make_unique<OntSource>(options);
}

}  // namespace seqgate::sim::internal
