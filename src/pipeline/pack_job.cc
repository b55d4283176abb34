#include "pipeline/pack_job.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "common/buffer_pool.h"

namespace seqgate::pipeline {
namespace {

// One compressor per pool thread, reused across frames and files (a ZSTD_CCtx keeps its
// tables, so reuse saves allocation and page faults on every frame).
FrameCompressor& ThreadCompressor(int level) {
  thread_local std::unique_ptr<FrameCompressor> c;
  thread_local int c_level = 0;
  if (!c || c_level != level) {
    c = std::make_unique<FrameCompressor>(level);
    c_level = level;
  }
  return *c;
}

}  // namespace

struct PackJob::Slot {
  uint32_t frame = 0;
  bool in_use = false;
  bool read_done = false, compressed = false, hashed = false, emitted = false;
  // Taken from the shared pool once, reused for every frame of the file, given back at the end.
  BufferPool::Raw in, out;
  size_t in_size = 0, out_size = 0;
  uint32_t in_checksum = 0;
  uint64_t out_xxh = 0;
};

PackJob::PackJob(const PackJobSpec& spec, WorkerPool& pool, PackSink& sink)
    : spec_(spec),
      pool_(pool),
      sink_(sink),
      next_read_(spec.first_frame),
      hash_next_(spec.first_frame),
      emit_next_(spec.first_frame),
      original_(spec.md5),
      output_end_(spec.output_base) {
  hash_at_emit_ = spec.encoding == Encoding::kIdentity && spec.hash_original &&
                  sink_.ShareOriginalPass(original_);
  const unsigned n = std::max(1u, std::min(spec.slots, spec.end_frame - spec.first_frame));
  slots_.reserve(n);
  for (unsigned i = 0; i < n; ++i) slots_.push_back(std::make_unique<Slot>());
}

PackJob::~PackJob() {
  for (auto& s : slots_) {
    BufferPool::Shared().Give(std::move(s->in));
    BufferPool::Shared().Give(std::move(s->out));
  }
}

PackJob::Slot& PackJob::SlotFor(uint32_t frame) {
  return *slots_[(frame - spec_.first_frame) % slots_.size()];
}

void PackJob::Fail(Status s) {
  if (!failed_) {
    failed_ = true;
    failure_ = std::move(s);
  }
}

Status PackJob::status() const {
  std::lock_guard lk(mu_);
  return failed_ ? failure_ : Status::Ok();
}

bool PackJob::Done() const {
  std::lock_guard lk(mu_);
  if (active_ > 0) return false;
  if (failed_) return true;
  const uint32_t end = spec_.end_frame;
  return emit_next_ == end && (!spec_.hash_original || hash_next_ == end);
}

void PackJob::RetireIfDone(uint32_t frame) {
  Slot& s = SlotFor(frame);
  if (s.in_use && s.frame == frame && s.emitted && s.hashed) s.in_use = false;
}

bool PackJob::RunOneStep() {
  std::unique_lock lk(mu_);
  if (failed_) return false;
  const uint32_t end = spec_.end_frame;

  // Serial stages first: they are the critical path, and they free slots.
  if (!emit_busy_ && emit_next_ < end) {
    Slot& s = SlotFor(emit_next_);
    if (s.in_use && s.frame == emit_next_ && s.compressed) {
      const uint32_t f = emit_next_;
      emit_busy_ = true;
      ++active_;
      lk.unlock();
      Status st = EmitFrame(f, s);
      lk.lock();
      emit_busy_ = false;
      --active_;
      if (!st.ok()) {
        Fail(std::move(st));
      } else {
        s.emitted = true;
        ++emit_next_;
        if (hash_at_emit_) {
          s.hashed = true;
          ++hash_next_;
        }
        RetireIfDone(f);
      }
      lk.unlock();
      pool_.Notify();
      return true;
    }
  }
  // The original's digests: a serial chain of its own, beside compression.
  if (spec_.hash_original && !hash_at_emit_ && !hash_busy_ && hash_next_ < end) {
    Slot& s = SlotFor(hash_next_);
    if (s.in_use && s.frame == hash_next_ && s.read_done) {
      const uint32_t f = hash_next_;
      hash_busy_ = true;
      ++active_;
      lk.unlock();
      original_.Update({s.in.data.get(), s.in_size});
      lk.lock();
      hash_busy_ = false;
      --active_;
      s.hashed = true;
      ++hash_next_;
      RetireIfDone(f);
      lk.unlock();
      pool_.Notify();
      return true;
    }
  }

  if (next_read_ < end) {
    Slot& s = SlotFor(next_read_);
    if (!s.in_use) {
      const uint32_t f = next_read_++;
      s.frame = f;
      s.in_use = true;
      s.read_done = s.compressed = s.emitted = false;
      s.hashed = !spec_.hash_original;
      ++active_;
      return DoReadAndCompress(f, lk);
    }
  }
  return false;
}

bool PackJob::DoReadAndCompress(uint32_t frame, std::unique_lock<std::mutex>& lk) {
  Slot& s = SlotFor(frame);
  lk.unlock();
  Status st = ReadFrame(frame, s);
  lk.lock();
  if (!st.ok()) {
    Fail(std::move(st));
    --active_;
    lk.unlock();
    pool_.Notify();
    return true;
  }
  s.read_done = true;  // the hash chains may start on it while we compress
  lk.unlock();
  pool_.Notify();
  st = CompressFrame(frame, s);
  lk.lock();
  --active_;
  if (!st.ok()) {
    Fail(std::move(st));
  } else {
    s.compressed = true;
  }
  lk.unlock();
  pool_.Notify();
  return true;
}

Status PackJob::ReadFrame(uint32_t frame, Slot& s) {
  const uint64_t offset = static_cast<uint64_t>(frame) * spec_.frame_size;
  const size_t want =
      static_cast<size_t>(std::min<uint64_t>(spec_.frame_size, spec_.identity.size - offset));
  if (s.in.capacity < spec_.frame_size) {
    BufferPool::Shared().Give(std::move(s.in));
    s.in = BufferPool::Shared().TakeRaw(spec_.frame_size);
  }
  SEQGATE_ASSIGN_OR_RETURN(const size_t got, spec_.file->ReadAt(offset, {s.in.data.get(), want}));
  if (got != want) {
    return SourceChanged("'" + spec_.file->path() + "' shrank while being read: wanted " +
                         std::to_string(want) + " bytes at offset " + std::to_string(offset) +
                         ", got " + std::to_string(got));
  }
  // fstat is cheap next to reading megabytes, and catches a writer as early as possible.
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity now, spec_.file->Stat());
  if (!(now == spec_.identity)) {
    return SourceChanged("'" + spec_.file->path() + "' changed while being read (" +
                         spec_.identity.DescribeChange(now) + ")");
  }
  s.in_size = got;
  return Status::Ok();
}

Status PackJob::CompressFrame(uint32_t, Slot& s) {
  if (spec_.encoding == Encoding::kIdentity) {
    const uint64_t h = Xxh64({s.in.data.get(), s.in_size});
    s.in_checksum = static_cast<uint32_t>(h);
    s.out_size = s.in_size;
    s.out_xxh = h;
    return Status::Ok();
  }
  const size_t cap = FrameCompressor::Bound(spec_.frame_size);
  if (s.out.capacity < cap) {
    BufferPool::Shared().Give(std::move(s.out));
    s.out = BufferPool::Shared().TakeRaw(cap);
  }
  SEQGATE_ASSIGN_OR_RETURN(
      const size_t n,
      ThreadCompressor(spec_.level).Compress({s.in.data.get(), s.in_size}, {s.out.data.get(), cap}));
  s.out_size = n;
  s.out_xxh = Xxh64({s.out.data.get(), n});
  // The frame ends with its content checksum (checksumFlag is pinned on): the low 32 bits of
  // XXH64 of the input, exactly what the seek table wants. Reading it saves a pass over 8 MiB.
  s.in_checksum = GetLe32(s.out.data.get() + n - 4);
  return Status::Ok();
}

Status PackJob::EmitFrame(uint32_t frame, Slot& s) {
  FrameRecord r;
  r.index = frame;
  r.input_offset = static_cast<uint64_t>(frame) * spec_.frame_size;
  r.input_size = static_cast<uint32_t>(s.in_size);
  r.output_offset = output_end_;
  r.output_size = static_cast<uint32_t>(s.out_size);
  r.input_checksum = s.in_checksum;
  r.output_xxh64 = s.out_xxh;

  if (spec_.expected != nullptr) {
    const FrameRecord& want = (*spec_.expected)[frame];
    if (want.input_checksum != r.input_checksum || want.input_size != r.input_size) {
      return SourceChanged("frame " + std::to_string(frame) + " of '" + spec_.file->path() +
                           "' no longer holds the bytes it was packed from");
    }
    if (want.output_xxh64 != r.output_xxh64 || want.output_size != r.output_size ||
        want.output_offset != r.output_offset) {
      return Internal("re-packing frame " + std::to_string(frame) +
                      " gave different bytes: level, frame size or zstd version changed?");
    }
  }

  const ByteView bytes = spec_.encoding == Encoding::kIdentity ? ByteView{s.in.data.get(), s.in_size}
                                                               : ByteView{s.out.data.get(), s.out_size};
  SEQGATE_RETURN_IF_ERROR(sink_.OnFrame(r, bytes));
  if (hash_at_emit_) original_.Update(bytes);  // after OnFrame: the sink's side digests
  if (spec_.hash_output) sha_out_.Update(bytes);
  output_end_ += s.out_size;
  if (spec_.encoding == Encoding::kZstdSeekable) {
    seek_entries_.push_back({r.output_size, r.input_size, r.input_checksum});
  }
  return Status::Ok();
}

}  // namespace seqgate::pipeline
