// The zstd seekable format's seek table (facebook/zstd contrib/seekable_format, v0.1.0).
//
// Layout: a skippable frame (magic 0x184D2A5E, u32 LE frame size) holding one entry per frame —
// Compressed_Size u32, Decompressed_Size u32, and with descriptor bit 7 a Checksum u32 (low 32
// bits of XXH64 of the decompressed frame) — then a 9-byte footer: Number_Of_Frames u32,
// Seek_Table_Descriptor u8, Seekable_Magic_Number 0x8F92EAB1 u32. Everything little-endian.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace seqgate::pipeline {

inline constexpr uint32_t kSkippableMagicSeekTable = 0x184D2A5E;
inline constexpr uint32_t kSeekableMagic = 0x8F92EAB1;
inline constexpr size_t kSkippableHeaderSize = 8;
inline constexpr size_t kSeekTableFooterSize = 9;
// Frames over 1 GiB decompressed are refused, as the reference implementation does.
inline constexpr uint32_t kMaxFrameDecompressedSize = 1u << 30;

struct SeekEntry {
  uint32_t compressed_size = 0;
  uint32_t decompressed_size = 0;
  uint32_t checksum = 0;  // meaningful only when the table has checksums
  bool operator==(const SeekEntry&) const = default;
};

// The whole trailer, including the skippable frame header, for `entries`.
std::vector<uint8_t> SerializeSeekTable(const std::vector<SeekEntry>& entries, bool with_checksums);
// Size in bytes of that trailer.
size_t SeekTableSize(size_t frames, bool with_checksums);

// A parsed seek table with prefix sums, answering "which frame holds original offset X".
class SeekTable {
 public:
  // Parses a complete trailer (skippable header through footer). Every field is checked:
  // magic numbers, reserved bits, the frame size against the entry count, u64 overflow.
  static Result<SeekTable> Parse(ByteView trailer);

  // Reads the footer (last 9 bytes of a stream) and returns the trailer's total size, so a
  // reader knows how much to fetch from the end. kCorruption if the footer is not seekable.
  static Result<size_t> TrailerSizeFromFooter(ByteView footer);

  size_t frames() const { return entries_.size(); }
  bool has_checksums() const { return has_checksums_; }
  const SeekEntry& entry(size_t i) const { return entries_[i]; }
  uint64_t compressed_offset(size_t i) const { return c_off_[i]; }
  uint64_t decompressed_offset(size_t i) const { return d_off_[i]; }
  uint64_t total_compressed() const { return c_off_.back(); }
  uint64_t total_decompressed() const { return d_off_.back(); }

  // Index of the frame holding decompressed offset `offset`, or nullopt past the end.
  std::optional<size_t> FrameForOffset(uint64_t offset) const;

 private:
  std::vector<SeekEntry> entries_;
  std::vector<uint64_t> c_off_;  // frames()+1 prefix sums
  std::vector<uint64_t> d_off_;
  bool has_checksums_ = false;
};

}  // namespace seqgate::pipeline
