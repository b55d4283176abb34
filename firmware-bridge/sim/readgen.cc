#include "sim/readgen.h"

#include <algorithm>
#include <cassert>

#include "sim/record_source.h"

namespace seqgate::sim {
namespace {

// Large writes amortise the syscall; 4 MiB keeps the buffer in L2/L3-friendly territory.
constexpr size_t kWriteBufferBytes = size_t{4} << 20;

constexpr int64_t kDefaultOntStart = 1709283600;      // 2024-03-01T09:00:00Z
constexpr int64_t kLastSupportedTime = 253402300799;  // 9999-12-31T23:59:59Z (4-digit years)

bool IsIdentifier(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [extra](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

bool IsIndexPart(std::string_view s) {
  return !s.empty() && s.size() <= 32 && s.find_first_not_of("ACGTN") == std::string_view::npos;
}

bool IsIndex(std::string_view s) {
  const size_t plus = s.find('+');
  if (plus == std::string_view::npos) return IsIndexPart(s);
  return IsIndexPart(s.substr(0, plus)) && IsIndexPart(s.substr(plus + 1));
}

template <typename T>
void Default(T& field, T value) {
  if (field == T{}) field = std::move(value);
}

// Fills profile defaults into `o` and checks every field that ends up in a header.
Status Resolve(ReadGenOptions& o) {
  const bool ont = o.profile == ReadProfile::kOnt;
  const bool nova = o.profile == ReadProfile::kNovaSeq;
  Default(o.read_length, ont ? 4000u : nova ? 151u : 125u);
  Default(o.instrument, std::string(nova ? "A00123" : "D00456"));
  Default(o.run_number, nova || ont ? 45u : 123u);
  Default(o.flowcell, std::string(ont ? "PAO12345" : nova ? "HABCDEFXX" : "C6ABCANXX"));
  Default(o.lane, 1u);
  Default(o.index, std::string("ACGTACGT+TGCATGCA"));
  Default(o.start_time_unix, kDefaultOntStart);
  Default(o.sample_id, std::string("sample1"));
  Default(o.protocol_group_id, std::string("seqgate_sim"));

  if (ont) {
    if (o.paired)
      return InvalidArgument("paired reads are an Illumina feature; profile ont is single-ended");
    if (o.read_length < 50 || o.read_length > 200000) {
      return InvalidArgument("ont median read length must be in 50..200000, got " +
                             std::to_string(o.read_length));
    }
  } else if (o.read_length > 100000) {
    return InvalidArgument("read length must be in 1..100000, got " +
                           std::to_string(o.read_length));
  }
  if (!IsIdentifier(o.instrument, "_-")) {
    return InvalidArgument("instrument '" + o.instrument +
                           "' must be 1-64 letters, digits, '_' or '-'");
  }
  if (!IsIdentifier(o.flowcell, "_-")) {
    return InvalidArgument("flowcell '" + o.flowcell +
                           "' must be 1-64 letters, digits, '_' or '-'");
  }
  if (o.lane > 8) return InvalidArgument("lane must be in 1..8, got " + std::to_string(o.lane));
  if (!IsIndex(o.index)) {
    return InvalidArgument("index '" + o.index + "' must be ACGTN bases, optionally i7+i5");
  }
  if (o.start_time_unix < 0 || o.start_time_unix > kLastSupportedTime) {
    return InvalidArgument("start time must be between 1970 and 9999");
  }
  if (!IsIdentifier(o.sample_id, "_-.")) {
    return InvalidArgument("sample_id '" + o.sample_id +
                           "' must be 1-64 letters, digits, '_', '-' or '.'");
  }
  if (!IsIdentifier(o.protocol_group_id, "_-.")) {
    return InvalidArgument("protocol_group_id '" + o.protocol_group_id +
                           "' must be 1-64 letters, digits, '_', '-' or '.'");
  }
  return Status::Ok();
}

}  // namespace

std::string_view ReadProfileName(ReadProfile profile) {
  switch (profile) {
    case ReadProfile::kNovaSeq:
      return "novaseq";
    case ReadProfile::kHiSeq:
      return "hiseq";
    case ReadProfile::kOnt:
      return "ont";
  }
  return "unknown";
}

Result<ReadProfile> ParseReadProfile(std::string_view name) {
  for (ReadProfile p : {ReadProfile::kNovaSeq, ReadProfile::kHiSeq, ReadProfile::kOnt}) {
    if (name == ReadProfileName(p)) return p;
  }
  return InvalidArgument("unknown read profile '" + std::string(name) +
                         "' (expected novaseq, hiseq or ont)");
}

Result<ReadGenerator> ReadGenerator::Create(const ReadGenOptions& options) {
  ReadGenOptions o = options;
  SEQGATE_RETURN_IF_ERROR(Resolve(o));
  auto source =
      o.profile == ReadProfile::kOnt ? internal::MakeOntSource(o) : internal::MakeIlluminaSource(o);
  return ReadGenerator(std::move(o), std::move(source));
}

ReadGenerator::ReadGenerator(ReadGenOptions options, std::unique_ptr<internal::RecordSource> source)
    : options_(std::move(options)), source_(std::move(source)) {}
ReadGenerator::ReadGenerator(ReadGenerator&&) noexcept = default;
ReadGenerator& ReadGenerator::operator=(ReadGenerator&&) noexcept = default;
ReadGenerator::~ReadGenerator() = default;

size_t ReadGenerator::max_record_bytes() const { return source_->max_record_bytes(); }

ReadGenStats ReadGenerator::Fill(MutableByteView r1, MutableByteView r2, uint64_t want_r1_bytes) {
  const size_t max_record = source_->max_record_bytes();
  assert(r1.size() >= max_record && (!options_.paired || r2.size() >= max_record));
  char* const begin1 = reinterpret_cast<char*>(r1.data());
  char* const end1 = begin1 + r1.size();
  char* const begin2 = options_.paired ? reinterpret_cast<char*>(r2.data()) : nullptr;
  char* const end2 = options_.paired ? begin2 + r2.size() : nullptr;
  char* p1 = begin1;
  char* p2 = begin2;
  ReadGenStats stats;
  while (static_cast<uint64_t>(p1 - begin1) < want_r1_bytes &&
         static_cast<size_t>(end1 - p1) >= max_record &&
         (!options_.paired || static_cast<size_t>(end2 - p2) >= max_record)) {
    source_->Append(&p1, options_.paired ? &p2 : nullptr);
    ++stats.records;
  }
  records_ += stats.records;
  stats.r1_bytes = static_cast<uint64_t>(p1 - begin1);
  stats.r2_bytes = options_.paired ? static_cast<uint64_t>(p2 - begin2) : 0;
  return stats;
}

Result<ReadGenStats> ReadGenerator::WriteTo(uint64_t target_r1_bytes, WritableFile* r1,
                                            WritableFile* r2) {
  if (r1 == nullptr || (options_.paired && r2 == nullptr)) {
    return InvalidArgument(options_.paired ? "paired reads need two output files"
                                           : "no output file");
  }
  const size_t capacity = std::max(kWriteBufferBytes, 2 * max_record_bytes());
  auto buf1 = std::make_unique_for_overwrite<uint8_t[]>(capacity);
  std::unique_ptr<uint8_t[]> buf2;
  if (options_.paired) buf2 = std::make_unique_for_overwrite<uint8_t[]>(capacity);

  ReadGenStats total;
  while (total.r1_bytes < target_r1_bytes) {
    const uint64_t want = std::min<uint64_t>(target_r1_bytes - total.r1_bytes, capacity);
    const ReadGenStats chunk =
        Fill({buf1.get(), capacity}, {buf2.get(), buf2 ? capacity : 0}, want);
    SEQGATE_RETURN_IF_ERROR(r1->Append({buf1.get(), chunk.r1_bytes}));
    if (options_.paired) SEQGATE_RETURN_IF_ERROR(r2->Append({buf2.get(), chunk.r2_bytes}));
    total.records += chunk.records;
    total.r1_bytes += chunk.r1_bytes;
    total.r2_bytes += chunk.r2_bytes;
  }
  return total;
}

Result<ReadGenStats> WriteReadFiles(Env* env, const ReadGenOptions& options,
                                    uint64_t target_r1_bytes, const std::string& r1_path,
                                    const std::string& r2_path) {
  if (options.paired == r2_path.empty()) {
    return InvalidArgument(options.paired ? "paired reads need an R2 output file"
                                          : "an R2 output file needs paired reads");
  }
  SEQGATE_ASSIGN_OR_RETURN(ReadGenerator gen, ReadGenerator::Create(options));
  SEQGATE_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f1, env->CreateWritable(r1_path));
  std::unique_ptr<WritableFile> f2;
  if (options.paired) {
    SEQGATE_ASSIGN_OR_RETURN(f2, env->CreateWritable(r2_path));
  }
  SEQGATE_ASSIGN_OR_RETURN(ReadGenStats stats, gen.WriteTo(target_r1_bytes, f1.get(), f2.get()));
  SEQGATE_RETURN_IF_ERROR(f1->Close());
  if (f2) SEQGATE_RETURN_IF_ERROR(f2->Close());
  return stats;
}

}  // namespace seqgate::sim
