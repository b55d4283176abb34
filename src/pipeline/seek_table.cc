#include "pipeline/seek_table.h"

#include <limits>

namespace seqgate::pipeline {
namespace {
constexpr uint8_t kChecksumFlag = 0x80;
constexpr uint8_t kReservedBits = 0x7C;  // bits 2..6 must be zero; bits 0..1 are unused
}  // namespace

size_t SeekTableSize(size_t frames, bool with_checksums) {
  return kSkippableHeaderSize + frames * (with_checksums ? 12 : 8) + kSeekTableFooterSize;
}

std::vector<uint8_t> SerializeSeekTable(const std::vector<SeekEntry>& entries,
                                        bool with_checksums) {
  std::vector<uint8_t> out(SeekTableSize(entries.size(), with_checksums));
  uint8_t* p = out.data();
  PutLe32(p, kSkippableMagicSeekTable);
  PutLe32(p + 4, static_cast<uint32_t>(out.size() - kSkippableHeaderSize));
  p += kSkippableHeaderSize;
  for (const auto& e : entries) {
    PutLe32(p, e.compressed_size);
    PutLe32(p + 4, e.decompressed_size);
    p += 8;
    if (with_checksums) {
      PutLe32(p, e.checksum);
      p += 4;
    }
  }
  PutLe32(p, static_cast<uint32_t>(entries.size()));
  p[4] = with_checksums ? kChecksumFlag : 0;
  PutLe32(p + 5, kSeekableMagic);
  return out;
}

Result<size_t> SeekTable::TrailerSizeFromFooter(ByteView footer) {
  if (footer.size() < kSeekTableFooterSize) return Corruption("stream too short for a seek table");
  const uint8_t* f = footer.data() + footer.size() - kSeekTableFooterSize;
  if (GetLe32(f + 5) != kSeekableMagic) {
    return Corruption("no zstd seekable footer (magic 0x8F92EAB1) at end of stream");
  }
  const uint8_t desc = f[4];
  if ((desc & kReservedBits) != 0) return Corruption("seek table descriptor has reserved bits set");
  const uint64_t frames = GetLe32(f);
  const uint64_t size =
      kSkippableHeaderSize + frames * ((desc & kChecksumFlag) ? 12 : 8) + kSeekTableFooterSize;
  return static_cast<size_t>(size);
}

Result<SeekTable> SeekTable::Parse(ByteView t) {
  SEQGATE_ASSIGN_OR_RETURN(const size_t expected, TrailerSizeFromFooter(t));
  if (t.size() != expected) {
    return Corruption("seek table is " + std::to_string(t.size()) + " bytes, footer implies " +
                      std::to_string(expected));
  }
  if (GetLe32(t.data()) != kSkippableMagicSeekTable) {
    return Corruption("seek table does not start with skippable magic 0x184D2A5E");
  }
  if (GetLe32(t.data() + 4) != t.size() - kSkippableHeaderSize) {
    return Corruption("seek table's skippable frame size disagrees with its entry count");
  }
  const uint8_t* f = t.data() + t.size() - kSeekTableFooterSize;
  SeekTable st;
  st.has_checksums_ = (f[4] & kChecksumFlag) != 0;
  const size_t frames = GetLe32(f);
  const size_t entry_size = st.has_checksums_ ? 12 : 8;
  st.entries_.reserve(frames);
  st.c_off_.reserve(frames + 1);
  st.d_off_.reserve(frames + 1);
  st.c_off_.push_back(0);
  st.d_off_.push_back(0);
  const uint8_t* p = t.data() + kSkippableHeaderSize;
  for (size_t i = 0; i < frames; ++i, p += entry_size) {
    SeekEntry e;
    e.compressed_size = GetLe32(p);
    e.decompressed_size = GetLe32(p + 4);
    if (st.has_checksums_) e.checksum = GetLe32(p + 8);
    if (e.decompressed_size > kMaxFrameDecompressedSize) {
      return Corruption("seek table entry " + std::to_string(i) + " claims a frame of " +
                        std::to_string(e.decompressed_size) + " bytes (limit 1 GiB)");
    }
    if (e.compressed_size == 0) {
      return Corruption("seek table entry " + std::to_string(i) + " has a zero-size frame");
    }
    // Sums stay far below 2^64 (2^32 entries × 2^32 bytes), so no overflow is possible.
    st.c_off_.push_back(st.c_off_.back() + e.compressed_size);
    st.d_off_.push_back(st.d_off_.back() + e.decompressed_size);
    st.entries_.push_back(e);
  }
  return st;
}

std::optional<size_t> SeekTable::FrameForOffset(uint64_t offset) const {
  if (offset >= total_decompressed()) return std::nullopt;
  // Upper bound over prefix sums: the first start strictly after `offset`, minus one.
  size_t lo = 0, hi = entries_.size();
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (d_off_[mid] <= offset)
      lo = mid;
    else
      hi = mid;
  }
  // Skip empty frames that share the same start.
  while (lo + 1 < entries_.size() && d_off_[lo + 1] <= offset) ++lo;
  return lo;
}

}  // namespace seqgate::pipeline
