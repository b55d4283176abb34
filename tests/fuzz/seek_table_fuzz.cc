// A hostile zstd-seekable stream, read every way the code reads one: the seek table alone
// (SeekTable::Parse and the footer), the whole file through SeekableReader (what seqgatectl
// extract and random access use), and streamed through StreamVerifier (what seqgate-ingest runs
// on every upload). The first byte sets options (MD5, the piece size the verifier is fed in);
// the rest is the stream.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/env.h"
#include "fuzz/fuzz_scratch.h"
#include "pipeline/seek_table.h"
#include "pipeline/seekable_reader.h"
#include "pipeline/stream_verifier.h"

namespace {

using namespace seqgate;
using namespace seqgate::pipeline;

// Most original bytes one input may make us read back: keeps each run fast whatever the table
// claims (the reader itself is bounded by its frames, which the table may overstate).
constexpr uint64_t kMaxReadBack = 8 << 20;

const std::string& ScratchFile() {
  static const std::string path = [] {
    return fuzz::MakeScratchDir("seek") + "/stream.zst";
  }();
  return path;
}

void CheckTable(ByteView trailer) {
  auto t = SeekTable::Parse(trailer);
  if (!t.ok()) return;
  // Parsing checks every field, so a table that parses serialises back to the same bytes.
  std::vector<SeekEntry> entries;
  for (size_t i = 0; i < t->frames(); ++i) entries.push_back(t->entry(i));
  const std::vector<uint8_t> again = SerializeSeekTable(entries, t->has_checksums());
  // The descriptor's bits 0-1 are Unused_Bits (free for custom use, ignored by readers): we
  // write them as 0, so compare without them.
  std::vector<uint8_t> want(trailer.begin(), trailer.end());
  if (want.size() >= 5) want[want.size() - 5] &= 0xFC;
  if (again != want) {
    std::abort();
  }
  if (SeekTableSize(t->frames(), t->has_checksums()) != trailer.size()) std::abort();
  for (size_t i = 0; i < t->frames(); ++i) {
    auto f = t->FrameForOffset(t->decompressed_offset(i));
    if (t->entry(i).decompressed_size > 0 && (!f || *f != i)) std::abort();
  }
  if (t->FrameForOffset(t->total_decompressed())) std::abort();
}

void ReadBack(ByteView stream) {
  {
    std::ofstream f(ScratchFile(), std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(stream.data()),
            static_cast<std::streamsize>(stream.size()));
  }
  auto reader = SeekableReader::Open(*Env::Default(), ScratchFile());
  if (!reader.ok()) return;
  const SeekTable& t = (*reader)->table();
  const uint64_t want = std::min<uint64_t>(t.total_decompressed(), kMaxReadBack);
  uint64_t got = 0;
  Status st = (*reader)->ReadRange(0, want, [&](ByteView piece) {
    got += piece.size();
    return Status::Ok();
  });
  if (st.ok() && got != want) std::abort();
  // Past the end is refused, never read.
  if ((*reader)->ReadRange(t.total_decompressed(), 1, [](ByteView) { return Status::Ok(); }).ok()) {
    std::abort();
  }
}

void Verify(ByteView stream, Encoding encoding, bool md5, size_t piece) {
  StreamVerifier v(encoding, md5);
  Status st = Status::Ok();
  for (size_t at = 0; at < stream.size() && st.ok(); at += piece) {
    st = v.Consume(stream.subspan(at, std::min(piece, stream.size() - at)));
  }
  if (!st.ok()) return;
  auto content = v.Finish({});
  if (content.ok() && content->packed_size != stream.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t options = data[0];
  const ByteView stream(data + 1, size - 1);
  const bool md5 = (options & 1) != 0;
  const size_t piece = size_t{1} << ((options >> 1) % 12);  // 1 byte .. 2 KiB at a time

  CheckTable(stream);
  if (stream.size() >= kSeekTableFooterSize) {
    auto trailer = SeekTable::TrailerSizeFromFooter(stream.last(kSeekTableFooterSize));
    if (trailer.ok() && *trailer <= stream.size()) CheckTable(stream.last(*trailer));
  }
  ReadBack(stream);
  Verify(stream, Encoding::kZstdSeekable, md5, piece);
  if ((options & 0x80) != 0) Verify(stream, Encoding::kIdentity, md5, piece);
  return 0;
}
