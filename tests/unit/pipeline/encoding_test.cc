#include <doctest/doctest.h>

#include <zstd.h>

#include "pipeline/encoding.h"
#include "support/temp_dir.h"

using namespace seqgate;
using namespace seqgate::pipeline;

namespace {
std::optional<std::string> Detect(std::string head) {
  head += testing::FastqLike(4096, 1);  // magic followed by plain text
  return DetectCompressedFormat(AsBytes(head));
}
}  // namespace

TEST_CASE("already-compressed formats are recognised by their magic bytes") {
  CHECK(Detect("CRAM\x03\x01") == "cram");
  CHECK(Detect(std::string("\x1f\x8b\x08\x00", 4)) == "gzip");
  // BGZF: gzip with FEXTRA and a "BC" subfield (BAM, bgzipped FASTQ).
  CHECK(Detect(std::string("\x1f\x8b\x08\x04\0\0\0\0\0\xff\x06\0BC\x02\0", 16)) == "bgzf");
  CHECK(Detect("BZh9") == "bzip2");
  CHECK(Detect(std::string("\xfd"
                           "7zXZ\0",
                           6)) == "xz");
  CHECK(Detect(std::string("\x28\xb5\x2f\xfd", 4)) == "zstd");
  CHECK(Detect(std::string("\x5e\x2a\x4d\x18", 4)) == "zstd");  // skippable frame first
  CHECK(Detect(std::string("\x04\x22\x4d\x18", 4)) == "lz4");
  CHECK(Detect(std::string("\x8bPOD\r\n\x1a\n", 8)) == "pod5");
}

TEST_CASE("plain text is worth compressing; random bytes and empty files are not") {
  CHECK_FALSE(DetectCompressedFormat(AsBytes(testing::FastqLike(65536, 2))).has_value());
  CHECK(DetectCompressedFormat(AsBytes(testing::RandomBytes(65536, 3))) == "incompressible");
  CHECK(DetectCompressedFormat({}) == "empty");
  // Near-misses of magics stay compressible text.
  CHECK_FALSE(Detect("CRA").has_value());
  CHECK_FALSE(Detect("BZh0").has_value());
}

TEST_CASE("names are never used: a .gz name with FASTQ inside is compressed") {
  // Detection only ever sees bytes; EncodingPolicy is the explicit, configured override.
  EncodingPolicy p({{"*.ora", Encoding::kIdentity}, {"**/fastq/*.fq", Encoding::kZstdSeekable}});
  CHECK(p.Override("run/x.ora") == Encoding::kIdentity);
  CHECK(p.Override("a/b/fastq/s.fq") == Encoding::kZstdSeekable);
  CHECK_FALSE(p.Override("a/b/s.fastq.gz").has_value());
}

TEST_CASE("encoding names parse in both spellings") {
  CHECK(ParseEncoding("zstd-seekable") == Encoding::kZstdSeekable);
  CHECK(ParseEncoding("zstd") == Encoding::kZstdSeekable);
  CHECK(ParseEncoding("identity") == Encoding::kIdentity);
  CHECK_FALSE(ParseEncoding("gzip").has_value());
}
