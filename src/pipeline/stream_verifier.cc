#include "pipeline/stream_verifier.h"

#include <xxhash.h>
#include <zstd.h>

#include <cstring>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/sha256_md5.h"
#include "pipeline/block_fanout.h"
#include "pipeline/seek_table.h"

namespace seqgate::pipeline {
namespace {
constexpr uint32_t kZstdFrameMagic = 0xFD2FB528;
// Largest window a frame may ask for (128 MiB, zstd's own default limit). Our frames need far
// less; the bound keeps a hostile stream from claiming unbounded memory.
constexpr int kWindowLogMax = 27;
// Content_Checksum_flag of a zstd frame header descriptor (RFC 8878 §3.1.1.1.1).
constexpr uint8_t kChecksumFlag = 0x04;
// Decompressed bytes in flight between the decoder and the hash thread: 8 × 1 MiB. Blocks of
// 1 MiB keep hand-offs rare (~1000 per GiB) while a block is still warm in the shared cache
// when the hash reads it.
constexpr size_t kFanoutBlockSize = 1u << 20;
constexpr unsigned kFanoutBlocks = 8;

std::string Hex32(uint32_t v) {
  static const char* d = "0123456789ABCDEF";
  std::string s = "0x";
  for (int i = 7; i >= 0; --i) s += d[(v >> (4 * i)) & 0xF];
  return s;
}
}  // namespace

struct StreamVerifier::Impl {
  enum class State { kHeader, kFrame, kSeekTable, kAfterTable, kFailed };

  Encoding encoding;
  State state = State::kHeader;
  // SHA-256 and MD5 of the original in one pass (common/sha256_md5.h), on a thread of its own so
  // decompressing and hashing run side by side. Declared before the fan-out that feeds it: the
  // fan-out's thread is joined first.
  Sha256Md5 digests;
  BlockFanout fan;
  uint64_t packed = 0;    // stream bytes consumed
  uint64_t original = 0;  // decompressed bytes produced
  bool finished = false;

  // zstd framing
  std::vector<uint8_t> hdr;  // up to 8 bytes of the next frame's header
  uint64_t frame_start = 0;  // stream offset of the current frame
  uint64_t frame_out = 0;    // decompressed bytes of the current frame
  // Frames with a content checksum (ours always have one) end with the low 32 bits of XXH64
  // of their content, which zstd itself checks: that is the seek-table checksum, so we keep
  // the frame's last 4 bytes instead of hashing the output a second time.
  bool frame_checksummed = false;
  uint8_t tail[4] = {0, 0, 0, 0};  // last 4 stream bytes given to the decoder
  ZSTD_DCtx* dctx = nullptr;
  XXH64_state_t* xxh = nullptr;
  std::vector<SeekEntry> seen;  // what each frame really was
  std::vector<uint8_t> table;   // the seek table trailer, header included
  size_t table_want = 0;
  Status failure;

  // Chunk digests (BeginChunkDigest): marks at block boundaries of the fan-out, applied by the
  // hash thread when it reaches them, or by the producer when the hash thread is already there.
  struct Mark {
    uint64_t boundary;  // before this block index
    ChunkDone done;     // null: begin a stretch; set: end it
  };
  // Digests to hand out once the lock is released.
  using Owed = std::vector<std::pair<ChunkDone, std::optional<Digest>>>;
  std::mutex marks_mu;
  std::deque<Mark> marks;      // in boundary order
  uint64_t blocks_hashed = 0;  // blocks the hash thread has finished (under marks_mu)
  bool side_failed = false;    // a begin mark the hash state refused (cannot happen when aligned)

  // Applies the marks at `boundary` (requires marks_mu); returns the digests to hand out.
  void ApplyMarks(uint64_t boundary, Owed& out) {
    while (!marks.empty() && marks.front().boundary == boundary) {
      Mark mk = std::move(marks.front());
      marks.pop_front();
      if (!mk.done) {
        side_failed = !digests.BeginSide();
      } else if (side_failed || !digests.side_active()) {
        out.emplace_back(std::move(mk.done), std::nullopt);
      } else {
        out.emplace_back(std::move(mk.done), digests.FinishSide());
      }
    }
  }
  void AddMark(Mark mk) {
    Owed out;
    {
      std::lock_guard lk(marks_mu);
      const uint64_t at = mk.boundary;
      marks.push_back(std::move(mk));
      // The hash thread only looks at marks when it finishes a block: one for a boundary it has
      // already passed is ours to apply (it cannot be hashing: the next block is not out yet).
      if (blocks_hashed == at) ApplyMarks(at, out);
    }
    for (auto& [done, digest] : out) done(digest);
  }
  void HashBlock(ByteView b) {
    digests.Update(b);
    Owed out;
    {
      std::lock_guard lk(marks_mu);
      ++blocks_hashed;
      ApplyMarks(blocks_hashed, out);
    }
    for (auto& [done, digest] : out) done(digest);
  }

  Impl(Encoding e, bool m)
      : encoding(e),
        digests(m),
        fan({[this](ByteView b) { HashBlock(b); }}, kFanoutBlockSize, kFanoutBlocks) {
    digests.set_wait_for_partners(true);  // it runs on the fan-out's own thread
    if (e == Encoding::kZstdSeekable) {
      dctx = ZSTD_createDCtx();
      ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, kWindowLogMax);
      xxh = XXH64_createState();
    }
  }
  ~Impl() {
    fan.Abort();  // the hash thread has ended: the marks are ours
    ResolvePendingMarks();
    ZSTD_freeDCtx(dctx);
    XXH64_freeState(xxh);
  }

  Status Fail(Status s) {
    state = State::kFailed;
    failure = s;
    fan.Abort();
    ResolvePendingMarks();
    return s;
  }
  // Once the hash thread has ended: stretches still open get no digest.
  void ResolvePendingMarks() {
    std::deque<Mark> left;
    {
      std::lock_guard lk(marks_mu);
      left.swap(marks);
    }
    for (Mark& mk : left) {
      if (mk.done) mk.done(std::nullopt);
    }
  }

  // Remembers the last 4 bytes of `b` (joined to what came before).
  void KeepTail(ByteView b) {
    if (b.size() >= 4) {
      std::memcpy(tail, b.data() + b.size() - 4, 4);
      return;
    }
    const size_t keep = 4 - b.size();
    std::memmove(tail, tail + b.size(), keep);
    std::memcpy(tail + keep, b.data(), b.size());
  }

  Status ConsumeZstd(ByteView in);

  // Decodes from `ib` until the current frame ends (true) or the input is used up and all
  // output it produced has been handed to the hashers (false).
  Result<bool> Decode(ZSTD_inBuffer& ib) {
    for (;;) {
      const MutableByteView space = fan.Space();
      ZSTD_outBuffer ob{space.data(), space.size(), 0};
      const size_t in_before = ib.pos;
      const size_t r = ZSTD_decompressStream(dctx, &ob, &ib);
      if (ZSTD_isError(r)) {
        return Fail(Corruption("zstd frame " + std::to_string(seen.size()) + " at stream offset " +
                               std::to_string(frame_start) + ": " + ZSTD_getErrorName(r)));
      }
      KeepTail({static_cast<const uint8_t*>(ib.src) + in_before, ib.pos - in_before});
      if (!frame_checksummed) XXH64_update(xxh, space.data(), ob.pos);
      fan.Commit(ob.pos);  // hands the block over once full: `space` is not touched again
      original += ob.pos;
      frame_out += ob.pos;
      if (frame_out > kMaxFrameDecompressedSize) {
        return Fail(Corruption("zstd frame " + std::to_string(seen.size()) +
                               " decompresses to more than 1 GiB"));
      }
      if (r == 0) return true;
      if (ib.pos == ib.size && ob.pos < ob.size) return false;
    }
  }
};

Status StreamVerifier::Impl::ConsumeZstd(ByteView in) {
  size_t pos = 0;
  while (pos < in.size()) {
    switch (state) {
      case State::kHeader: {
        const size_t take = std::min(in.size() - pos, 8 - hdr.size());
        const size_t before = hdr.size();
        hdr.insert(hdr.end(), in.begin() + static_cast<long>(pos),
                   in.begin() + static_cast<long>(pos + take));
        if (hdr.size() < 4) {  // need more: everything given so far is in `hdr`
          pos += take;
          packed += take;
          continue;
        }
        const uint32_t magic = GetLe32(hdr.data());
        if (magic == kZstdFrameMagic && hdr.size() < 5) {  // the descriptor byte comes next
          pos += take;
          packed += take;
          continue;
        }
        if (magic == kZstdFrameMagic) {
          // Hand the buffered header bytes to the decoder, then continue from `pos`.
          ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
          XXH64_reset(xxh, 0);
          frame_start = packed - before;  // `packed` counts bytes already passed in
          frame_out = 0;
          frame_checksummed = (hdr[4] & kChecksumFlag) != 0;
          state = State::kFrame;
          std::vector<uint8_t> head(hdr.begin(), hdr.begin() + static_cast<long>(before));
          hdr.clear();
          if (!head.empty()) {
            // Re-feed only the bytes from earlier calls; this call's bytes follow below.
            ZSTD_inBuffer ib{head.data(), head.size(), 0};
            auto ended = Decode(ib);
            if (!ended.ok()) return ended.status();
          }
          continue;  // `pos` unchanged: this call's bytes go to the decoder
        }
        if ((magic & 0xFFFFFFF0u) == 0x184D2A50u) {
          if (hdr.size() < 8) {
            pos += take;
            packed += take;
            continue;
          }
          const size_t used = 8 - before;
          pos += used;
          packed += used;
          if (magic != kSkippableMagicSeekTable) {
            return Fail(Corruption("unexpected skippable frame " + Hex32(magic) +
                                   " at stream offset " + std::to_string(packed - 8)));
          }
          const uint64_t body = GetLe32(hdr.data() + 4);
          const uint64_t max_body = seen.size() * 12 + kSeekTableFooterSize;
          if (body > max_body) {
            return Fail(Corruption("seek table of " + std::to_string(body) +
                                   " bytes is larger than " + std::to_string(seen.size()) +
                                   " frames need"));
          }
          table.assign(hdr.begin(), hdr.end());
          table_want = static_cast<size_t>(body) + kSkippableHeaderSize;
          hdr.clear();
          state = State::kSeekTable;
          continue;
        }
        return Fail(Corruption("no zstd frame at stream offset " + std::to_string(packed - before) +
                               " (found magic " + Hex32(magic) + ")"));
      }
      case State::kFrame: {
        ZSTD_inBuffer ib{in.data() + pos, in.size() - pos, 0};
        auto ended = Decode(ib);
        if (!ended.ok()) return ended.status();
        pos += ib.pos;
        packed += ib.pos;
        if (*ended) {
          const uint64_t csize = packed - frame_start;
          if (csize > UINT32_MAX) return Fail(Corruption("zstd frame larger than 4 GiB"));
          const uint32_t checksum =
              frame_checksummed ? GetLe32(tail) : static_cast<uint32_t>(XXH64_digest(xxh));
          seen.push_back(
              {static_cast<uint32_t>(csize), static_cast<uint32_t>(frame_out), checksum});
          state = State::kHeader;
        }
        continue;
      }
      case State::kSeekTable: {
        const size_t take = std::min(in.size() - pos, table_want - table.size());
        table.insert(table.end(), in.begin() + static_cast<long>(pos),
                     in.begin() + static_cast<long>(pos + take));
        pos += take;
        packed += take;
        if (table.size() == table_want) state = State::kAfterTable;
        continue;
      }
      case State::kAfterTable:
        return Fail(
            Corruption("data after the seek table at stream offset " + std::to_string(packed)));
      case State::kFailed:
        return failure;
    }
  }
  return Status::Ok();
}

StreamVerifier::StreamVerifier(Encoding encoding, bool compute_md5)
    : impl_(std::make_unique<Impl>(encoding, compute_md5)) {}
StreamVerifier::~StreamVerifier() = default;

Status StreamVerifier::Consume(ByteView bytes) {
  Impl& m = *impl_;
  if (m.state == Impl::State::kFailed) return m.failure;
  if (m.finished) return Internal("stream verifier used after Finish");
  if (m.encoding == Encoding::kIdentity) {
    m.fan.Write(bytes);
    m.original += bytes.size();
    m.packed += bytes.size();
    return Status::Ok();
  }
  return m.ConsumeZstd(bytes);
}

bool StreamVerifier::BeginChunkDigest() {
  Impl& m = *impl_;
  if (m.encoding != Encoding::kIdentity || m.state == Impl::State::kFailed || m.finished ||
      m.packed % 64 != 0) {
    return false;
  }
  // Marks sit on block boundaries: the bytes so far go out as a block of their own.
  m.fan.Flush();
  m.AddMark({m.fan.published_blocks(), nullptr});
  return true;
}

void StreamVerifier::EndChunkDigest(ChunkDone done) {
  Impl& m = *impl_;
  if (m.state == Impl::State::kFailed || m.finished) return done(std::nullopt);
  m.fan.Flush();
  m.AddMark({m.fan.published_blocks(), std::move(done)});
}

Result<VerifiedContent> StreamVerifier::Finish(const ExpectedDigests& expected) {
  Impl& m = *impl_;
  if (m.state == Impl::State::kFailed) return m.failure;
  if (m.finished) return Internal("stream verifier finished twice");
  VerifiedContent v;
  v.encoding = m.encoding;
  v.packed_size = m.packed;
  if (m.encoding == Encoding::kZstdSeekable) {
    switch (m.state) {
      case Impl::State::kAfterTable:
        break;
      case Impl::State::kFrame:
        return m.Fail(Corruption("stream ends inside zstd frame " + std::to_string(m.seen.size()) +
                                 " (started at offset " + std::to_string(m.frame_start) + ")"));
      case Impl::State::kSeekTable:
        return m.Fail(Corruption("stream ends inside the seek table"));
      default:
        return m.Fail(Corruption(m.hdr.empty() ? "stream has no seek table after frame " +
                                                     std::to_string(m.seen.size())
                                               : "stream ends inside a frame header"));
    }
    auto table = SeekTable::Parse(m.table);
    if (!table.ok()) return m.Fail(table.status());
    if (table->frames() != m.seen.size()) {
      return m.Fail(Corruption("seek table lists " + std::to_string(table->frames()) +
                               " frames, stream has " + std::to_string(m.seen.size())));
    }
    for (size_t i = 0; i < m.seen.size(); ++i) {
      const SeekEntry& t = table->entry(i);
      const SeekEntry& s = m.seen[i];
      if (t.compressed_size != s.compressed_size || t.decompressed_size != s.decompressed_size ||
          (table->has_checksums() && t.checksum != s.checksum)) {
        return m.Fail(Corruption(
            "seek table entry " + std::to_string(i) + " disagrees with frame " + std::to_string(i) +
            " (sizes " + std::to_string(t.compressed_size) + "/" +
            std::to_string(t.decompressed_size) + " vs " + std::to_string(s.compressed_size) + "/" +
            std::to_string(s.decompressed_size) + ")"));
      }
    }
    v.frames = static_cast<uint32_t>(m.seen.size());
  }
  m.fan.Finish();  // the hash thread has seen every byte and ended
  m.finished = true;
  v.original_size = m.original;
  Sha256Md5::Digests d = m.digests.Finish();
  v.original_sha256 = d.sha256;
  v.original_md5 = d.md5;

  std::string diff;
  if (expected.sha256 && !(*expected.sha256 == v.original_sha256)) {
    diff +=
        "sha256 mismatch: expected " + expected.sha256->hex() + ", got " + v.original_sha256.hex();
  }
  if (expected.md5) {
    if (!v.original_md5) return m.Fail(Internal("MD5 expected but not computed"));
    if (!(*expected.md5 == *v.original_md5)) {
      if (!diff.empty()) diff += "; ";
      diff += "md5 mismatch: expected " + expected.md5->hex() + ", got " + v.original_md5->hex();
    }
  }
  if (!diff.empty()) return m.Fail(Corruption(diff));
  return v;
}

Result<VerifiedContent> VerifyPackedFile(Env& env, const std::string& path,
                                         std::optional<Encoding> encoding, bool compute_md5,
                                         const ExpectedDigests& expected) {
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.OpenForRead(path));
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity id, file->Stat());
  if (!encoding) {
    encoding = Encoding::kIdentity;
    if (id.size >= kSeekTableFooterSize) {
      uint8_t footer[kSeekTableFooterSize];
      SEQGATE_ASSIGN_OR_RETURN(const size_t n,
                               file->ReadAt(id.size - kSeekTableFooterSize, footer));
      if (n == kSeekTableFooterSize && GetLe32(footer + 5) == kSeekableMagic) {
        encoding = Encoding::kZstdSeekable;
      }
    }
  }
  StreamVerifier v(*encoding, compute_md5 || expected.md5.has_value());
  std::vector<uint8_t> buf(4u << 20);
  uint64_t off = 0;
  for (;;) {
    SEQGATE_ASSIGN_OR_RETURN(const size_t n, file->ReadAt(off, buf));
    if (n == 0) break;
    SEQGATE_RETURN_IF_ERROR(v.Consume({buf.data(), n}).WithContext("'" + path + "'"));
    off += n;
  }
  auto r = v.Finish(expected);
  if (!r.ok()) return r.status().WithContext("'" + path + "'");
  return r;
}

}  // namespace seqgate::pipeline
