#include <doctest/doctest.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pipeline/packer.h"
#include "pipeline/seek_table.h"
#include "support/temp_dir.h"
#include "unit/pipeline/memory_sink.h"

using namespace seqgate;
using namespace seqgate::pipeline;
using seqgate::testing::MemorySink;
using seqgate::testing::TempDir;

namespace {

constexpr uint32_t kFrame = 64 << 10;  // small frames: many of them on small inputs

PackOptions SmallFrames() {
  PackOptions o;
  o.frame_size = kFrame;
  return o;
}

Result<PackResult> PackTo(const std::string& path, MemorySink& sink, PackOptions o = SmallFrames(),
                          unsigned threads = 2) {
  WorkerPool pool(threads);
  return Pack(*Env::Default(), pool, path, o, sink);
}

std::string Decompress(const std::string& stream, size_t original_size) {
  std::string out(original_size, '\0');
  const size_t n = ZSTD_decompress(out.data(), out.size(), stream.data(), stream.size());
  REQUIRE_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Wraps the real Env; reads at or past `fail_at` fail with EIO.
class FailingReadEnv : public Env {
 public:
  explicit FailingReadEnv(uint64_t fail_at) : fail_at_(fail_at) {}
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    SEQGATE_ASSIGN_OR_RETURN(auto f, Env::Default()->OpenForRead(path));
    return std::unique_ptr<RandomAccessFile>(new File(std::move(f), fail_at_));
  }
  Result<std::unique_ptr<WritableFile>> CreateWritable(const std::string& p, uint32_t m,
                                                       CreateMode how) override {
    return Env::Default()->CreateWritable(p, m, how);
  }
  Result<FileIdentity> Stat(const std::string& p) override { return Env::Default()->Stat(p); }
  Result<uint64_t> AvailableBytes(const std::string& p) override {
    return Env::Default()->AvailableBytes(p);
  }
  Result<std::unique_ptr<RandomRWFile>> OpenReadWrite(const std::string& p) override {
    return Env::Default()->OpenReadWrite(p);
  }
  Status CreateDir(const std::string& p, uint32_t m) override {
    return Env::Default()->CreateDir(p, m);
  }
  Status SyncDir(const std::string& p) override { return Env::Default()->SyncDir(p); }
  Status RenameFile(const std::string& a, const std::string& b, bool replace) override {
    return Env::Default()->RenameFile(a, b, replace);
  }
  Status RemoveFile(const std::string& p) override { return Env::Default()->RemoveFile(p); }
  Status RemoveTree(const std::string& p) override { return Env::Default()->RemoveTree(p); }

 private:
  class File : public RandomAccessFile {
   public:
    File(std::unique_ptr<RandomAccessFile> f, uint64_t at) : f_(std::move(f)), at_(at) {}
    Result<size_t> ReadAt(uint64_t off, MutableByteView buf) const override {
      if (off >= at_) return ErrnoStatus(EIO, "read", f_->path());
      return f_->ReadAt(off, buf);
    }
    Result<FileIdentity> Stat() const override { return f_->Stat(); }
    const std::string& path() const override { return f_->path(); }

   private:
    std::unique_ptr<RandomAccessFile> f_;
    uint64_t at_;
  };
  uint64_t fail_at_;
};

}  // namespace

TEST_CASE("pack round-trips through libzstd with correct digests, records and seek table") {
  TempDir dir;
  const std::string original = testing::FastqLike(10 * kFrame + 12345, 7);
  const std::string path = dir.Write("r1.fastq", original);
  MemorySink sink;
  auto r = PackTo(path, sink);
  REQUIRE(r.ok());
  CHECK(r->encoding == Encoding::kZstdSeekable);
  CHECK(r->original_size == original.size());
  CHECK(r->frames == 11);
  CHECK(r->original_sha256 == ComputeDigest(DigestAlgorithm::kSha256, AsBytes(original)));
  REQUIRE(r->original_md5.has_value());
  CHECK(*r->original_md5 == ComputeDigest(DigestAlgorithm::kMd5, AsBytes(original)));

  const std::string stream = sink.stream();
  CHECK(stream.size() == r->packed_size);
  CHECK(*r->packed_sha256 == ComputeDigest(DigestAlgorithm::kSha256, AsBytes(stream)));
  CHECK(stream.size() < original.size() / 2);
  CHECK(Decompress(stream, original.size()) == original);

  // Records tile both streams without gaps, and agree with the seek table.
  REQUIRE(sink.records.size() == 11);
  uint64_t in = 0, out = 0;
  for (const auto& rec : sink.records) {
    CHECK(rec.input_offset == in);
    CHECK(rec.output_offset == out);
    in += rec.input_size;
    out += rec.output_size;
    const std::string frame = stream.substr(rec.output_offset, rec.output_size);
    CHECK(Xxh64(AsBytes(frame)) == rec.output_xxh64);
    CHECK(rec.input_checksum ==
          static_cast<uint32_t>(Xxh64(AsBytes(original.substr(rec.input_offset, rec.input_size)))));
    CHECK(Decompress(frame, rec.input_size) == original.substr(rec.input_offset, rec.input_size));
  }
  CHECK(in == original.size());
  auto table = SeekTable::Parse(AsBytes(sink.trailer));
  REQUIRE(table.ok());
  CHECK(table->frames() == 11);
  CHECK(TrailerFromRecords(sink.records) ==
        std::vector<uint8_t>(sink.trailer.begin(), sink.trailer.end()));
}

TEST_CASE("output bytes are identical for 1, 2 and 4 threads and any slot count") {
  TempDir dir;
  const std::string path = dir.Write("x.fastq", testing::FastqLike(23 * kFrame + 1, 11));
  MemorySink one;
  REQUIRE(PackTo(path, one, SmallFrames(), 1).ok());
  for (unsigned threads : {2u, 4u}) {
    for (unsigned slots : {1u, 3u, 0u}) {
      PackOptions o = SmallFrames();
      o.max_in_flight = slots;
      MemorySink other;
      REQUIRE(PackTo(path, other, o, threads).ok());
      CHECK(other.stream() == one.stream());
      CHECK(other.records == one.records);
    }
  }
}

TEST_CASE("Repack regenerates exactly the bytes of frames k..m") {
  TempDir dir;
  const std::string path = dir.Write("x.fastq", testing::FastqLike(9 * kFrame + 99, 5));
  MemorySink full;
  auto r = PackTo(path, full);
  REQUIRE(r.ok());
  WorkerPool pool(2);
  MemorySink part;
  part.base = full.records[3].output_offset;
  REQUIRE(Repack(*Env::Default(), pool, path, SmallFrames(), r->encoding, full.records, 3, 6, part)
              .ok());
  const uint64_t from = full.records[3].output_offset;
  const uint64_t to = full.records[6].output_offset + full.records[6].output_size;
  CHECK(part.frames() == full.frames().substr(from, to - from));
  CHECK(std::vector(full.records.begin() + 3, full.records.begin() + 7) == part.records);

  SUBCASE("a source changed since the pack is refused") {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(4 * kFrame + 10));
    f.put('!');
    f.close();
    MemorySink again;
    again.base = from;
    Status s =
        Repack(*Env::Default(), pool, path, SmallFrames(), r->encoding, full.records, 3, 6, again);
    CHECK(s.code() == StatusCode::kSourceChanged);
  }
  SUBCASE("ranges outside the records are refused") {
    MemorySink s;
    CHECK(Repack(*Env::Default(), pool, path, SmallFrames(), r->encoding, full.records, 5, 42, s)
              .code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("already-compressed input passes through unchanged, cut into chunk records") {
  TempDir dir;
  std::string gz("\x1f\x8b\x08\x00", 4);
  gz += testing::RandomBytes(3 * kFrame + 7, 9);
  const std::string path = dir.Write("reads.bin", gz);  // name says nothing
  MemorySink sink;
  auto r = PackTo(path, sink);
  REQUIRE(r.ok());
  CHECK(r->encoding == Encoding::kIdentity);
  CHECK(r->detected_format == "gzip");
  CHECK(sink.stream() == gz);
  CHECK(sink.trailer.empty());
  CHECK(r->frames == 4);
  CHECK(sink.records.size() == 4);
  CHECK(*r->packed_sha256 == r->original_sha256);
}

TEST_CASE("without packed_sha256 a zstd pack skips the output digest, identity still has it") {
  TempDir dir;
  const std::string text = testing::FastqLike(300000, 5);
  const std::string fq = dir.Write("a.fq", text);
  std::string gz("\x1f\x8b\x08\x00", 4);
  gz += testing::RandomBytes(2 * kFrame + 3, 4);
  const std::string bin = dir.Write("b.bin", gz);
  PackOptions o = SmallFrames();
  o.packed_sha256 = false;
  MemorySink zs, is;
  auto z = PackTo(fq, zs, o);
  REQUIRE(z.ok());
  CHECK(z->encoding == Encoding::kZstdSeekable);
  CHECK_FALSE(z->packed_sha256.has_value());
  CHECK(Decompress(zs.stream(), text.size()) == text);  // the stream itself is unchanged
  auto i = PackTo(bin, is, o);
  REQUIRE(i.ok());
  REQUIRE(i->packed_sha256.has_value());
  CHECK(*i->packed_sha256 == ComputeDigest(DigestAlgorithm::kSha256, AsBytes(gz)));
}

TEST_CASE("configured encoding overrides detection in both directions") {
  TempDir dir;
  const std::string text = testing::FastqLike(100000, 3);
  const std::string path = dir.Write("a.fq", text);
  PackOptions o = SmallFrames();
  o.force_encoding = Encoding::kIdentity;
  MemorySink id;
  auto r = PackTo(path, id, o);
  REQUIRE(r.ok());
  CHECK(r->encoding == Encoding::kIdentity);
  CHECK(id.stream() == text);
}

TEST_CASE("an empty file packs to nothing, with the digests of nothing") {
  TempDir dir;
  const std::string path = dir.Write("empty", "");
  MemorySink sink;
  auto r = PackTo(path, sink);
  REQUIRE(r.ok());
  CHECK(r->frames == 0);
  CHECK(r->packed_size == 0);
  CHECK(r->original_sha256.hex() ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(r->original_md5->hex() == "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_CASE("a source that changes while being packed fails with 'source changed'") {
  TempDir dir;
  const std::string path = dir.Write("growing.fastq", testing::FastqLike(8 * kFrame, 21));
  MemorySink sink;
  PackOptions o = SmallFrames();
  o.max_in_flight = 1;  // frames strictly one after another: the hook runs before frame 2 is read

  SUBCASE("grows") {
    sink.on_frame = [&](uint32_t i) {
      if (i == 1) std::ofstream(path, std::ios::app) << "@more\nACGT\n+\nFFFF\n";
    };
  }
  SUBCASE("shrinks") {
    sink.on_frame = [&](uint32_t i) {
      if (i == 1) std::filesystem::resize_file(path, 3 * kFrame);
    };
  }
  SUBCASE("rewritten in place, same size") {
    sink.on_frame = [&](uint32_t i) {
      if (i == 1) {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(5 * kFrame);
        f.put('X');
        f.close();
        // mtime granularity is fine on modern filesystems, but make the change unmistakable.
        std::filesystem::last_write_time(
            path, std::filesystem::file_time_type::clock::now() + std::chrono::seconds(5));
      }
    };
  }
  SUBCASE("replaced by rename after the last read") {
    sink.on_frame = [&](uint32_t i) {
      if (i == 7) {
        const std::string other = dir.Write("other", "x");
        std::rename(other.c_str(), path.c_str());
      }
    };
  }
  auto r = PackTo(path, sink, o, 1);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kSourceChanged);
  CHECK(r.status().message().find("growing.fastq") != std::string::npos);
  CHECK(sink.trailer.empty());  // never a complete-looking stream
}

TEST_CASE("read errors surface with the path, and the pool survives them") {
  TempDir dir;
  const std::string path = dir.Write("bad.fastq", testing::FastqLike(6 * kFrame, 4));
  FailingReadEnv env(3 * kFrame);
  WorkerPool pool(2);
  MemorySink sink;
  auto r = Pack(env, pool, path, SmallFrames(), sink);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kIoError);
  CHECK(r.status().message().find("bad.fastq") != std::string::npos);
  MemorySink ok;
  CHECK(Pack(*Env::Default(), pool, path, SmallFrames(), ok).ok());
}

TEST_CASE("bad options and bad paths are refused clearly") {
  TempDir dir;
  MemorySink sink;
  PackOptions o;
  o.level = 0;
  CHECK(o.Validate().code() == StatusCode::kInvalidArgument);
  o.level = 3;
  o.frame_size = 1000;
  CHECK(o.Validate().message().find("frame size") != std::string::npos);
  auto missing = PackTo(dir.File("nope"), sink);
  CHECK(missing.status().code() == StatusCode::kNotFound);
  auto directory = PackTo(dir.path(), sink);
  CHECK(directory.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("several files share one pool concurrently") {
  TempDir dir;
  const std::string a = dir.Write("a.fq", testing::FastqLike(12 * kFrame, 1));
  const std::string b = dir.Write("b.fq", testing::FastqLike(7 * kFrame + 3, 2));
  WorkerPool pool(2);
  MemorySink sa, sb, ra, rb;
  Result<PackResult> r1 = Internal("not run"), r2 = Internal("not run");
  std::thread t1([&] { r1 = Pack(*Env::Default(), pool, a, SmallFrames(), sa); });
  std::thread t2([&] { r2 = Pack(*Env::Default(), pool, b, SmallFrames(), sb); });
  t1.join();
  t2.join();
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  REQUIRE(PackTo(a, ra, SmallFrames(), 1).ok());
  REQUIRE(PackTo(b, rb, SmallFrames(), 1).ok());
  CHECK(sa.stream() == ra.stream());
  CHECK(sb.stream() == rb.stream());
}
