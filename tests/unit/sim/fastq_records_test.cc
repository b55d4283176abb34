// The content of generated records: FASTQ structure, alphabets and header fields per profile.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "sim/readgen.h"
#include "unit/sim/fastq_check.h"

using namespace seqgate;
using sim::ReadGenOptions;
using sim::ReadProfile;
using testing::AllDigits;
using testing::FastqRecord;
using testing::Generate;
using testing::SplitFastq;
using testing::SplitOn;
using testing::ToNumber;

namespace {

// The records of `text`, which must outlive them (they are views into it).
std::vector<FastqRecord> Records(const std::string& text) {
  std::vector<FastqRecord> recs;
  const std::string problem = SplitFastq(text, &recs);
  REQUIRE_MESSAGE(problem.empty(), problem);
  REQUIRE(!recs.empty());
  return recs;
}

std::vector<FastqRecord> Records(std::string&&) = delete;  // the views would dangle

bool OnlyChars(std::string_view s, std::string_view allowed) {
  return s.find_first_not_of(allowed) == std::string_view::npos;
}

bool IsHex(std::string_view s) { return OnlyChars(s, "0123456789abcdef"); }

bool IsUuid(std::string_view s) {
  const auto parts = SplitOn(s, '-');
  if (parts.size() != 5) return false;
  const size_t sizes[] = {8, 4, 4, 4, 12};
  for (size_t i = 0; i < 5; ++i) {
    if (parts[i].size() != sizes[i] || !IsHex(parts[i])) return false;
  }
  return parts[2][0] == '4';  // version 4
}

// Checks `name` is `<instrument>:<run>:<flowcell>:<lane>:<tile>:<x>:<y>` for `o`.
void CheckIlluminaName(std::string_view name, const ReadGenOptions& o) {
  const auto f = SplitOn(name, ':');
  REQUIRE(f.size() == 7);
  CHECK(f[0] == o.instrument);
  CHECK(f[1] == std::to_string(o.run_number));
  CHECK(f[2] == o.flowcell);
  CHECK(f[3] == std::to_string(o.lane));
  REQUIRE(AllDigits(f[4]));
  REQUIRE(f[4].size() == 4);
  const uint64_t tile = ToNumber(f[4]);
  CHECK(tile / 1000 >= 1);  // surface 1 or 2
  CHECK(tile / 1000 <= 2);
  CHECK(tile % 100 >= 1);
  REQUIRE(AllDigits(f[5]));
  REQUIRE(AllDigits(f[6]));
  CHECK(ToNumber(f[5]) >= 1000);
  CHECK(ToNumber(f[6]) >= 1000);
}

// Checks `comment` is `<read>:N:0:<index>` with the sample index or one mismatch from it.
int CheckIlluminaComment(std::string_view comment, char read, const std::string& index) {
  REQUIRE(comment.size() == 6 + index.size());
  CHECK(comment[0] == read);
  CHECK(comment.substr(1, 5) == ":N:0:");
  const std::string_view seen = comment.substr(6);
  int mismatches = 0;
  for (size_t i = 0; i < index.size(); ++i) mismatches += seen[i] != index[i];
  CHECK(mismatches <= 1);
  CHECK(OnlyChars(seen, "ACGTN+"));
  CHECK(seen.find('+') == index.find('+'));
  return mismatches;
}

}  // namespace

TEST_CASE("readgen: NovaSeq records: structure, bases, the four binned qualities") {
  auto gen = sim::ReadGenerator::Create(ReadGenOptions{});
  REQUIRE(gen.ok());
  const ReadGenOptions& o = gen->options();
  const std::string recs_text = Generate(o, 4 << 20);
  const auto recs = Records(recs_text);
  std::set<char> quals;
  int index_mismatches = 0;
  uint64_t n_bases = 0;
  for (const FastqRecord& r : recs) {
    CHECK(r.seq.size() == 151);
    CHECK(OnlyChars(r.seq, "ACGTN"));
    CHECK(OnlyChars(r.qual, "#-8F"));
    for (size_t i = 0; i < r.seq.size(); ++i) {
      // On NovaSeq, Phred 2 is exactly the no-calls.
      CHECK((r.seq[i] == 'N') == (r.qual[i] == '#'));
      n_bases += r.seq[i] == 'N';
    }
    quals.insert(r.qual.begin(), r.qual.end());
    const auto parts = SplitOn(r.header, ' ');
    REQUIRE(parts.size() == 2);
    CheckIlluminaName(parts[0], o);
    index_mismatches += CheckIlluminaComment(parts[1], '1', o.index);
  }
  CHECK(quals == std::set<char>{'#', '-', '8', 'F'});
  CHECK(n_bases > 0);
  CHECK(index_mismatches > 0);
  CHECK(index_mismatches < static_cast<int>(recs.size()) / 10);
  // 'F' dominates, as on real NovaSeq runs.
  size_t f = 0, total = 0;
  for (const FastqRecord& r : recs) {
    f += static_cast<size_t>(std::count(r.qual.begin(), r.qual.end(), 'F'));
    total += r.qual.size();
  }
  CHECK(f * 100 / total >= 80);
  CHECK(f * 100 / total <= 97);
}

TEST_CASE("readgen: NovaSeq cluster coordinates run along rows of the patterned flow cell") {
  const std::string recs_text = Generate(ReadGenOptions{}, 1 << 20);
  const auto recs = Records(recs_text);
  uint64_t prev_y = 0, prev_x = 0;
  for (const FastqRecord& r : recs) {
    const auto f = SplitOn(SplitOn(r.header, ' ')[0], ':');
    const uint64_t x = ToNumber(f[5]), y = ToNumber(f[6]);
    CHECK(x <= 32000);
    CHECK(y <= 37000);
    CHECK((y > prev_y || (y == prev_y && x > prev_x)));
    prev_x = x;
    prev_y = y;
  }
}

TEST_CASE("readgen: HiSeq records: full-range qualities declining along the read") {
  ReadGenOptions in;
  in.profile = ReadProfile::kHiSeq;
  in.instrument = "D00360";
  in.run_number = 94;
  in.flowcell = "H2YT5BCXX";
  in.lane = 2;
  in.index = "GATCAG";
  in.read_length = 101;
  auto gen = sim::ReadGenerator::Create(in);
  REQUIRE(gen.ok());
  const std::string recs_text = Generate(in, 4 << 20);
  const auto recs = Records(recs_text);
  std::set<char> quals;
  uint64_t first_half = 0, second_half = 0;
  for (const FastqRecord& r : recs) {
    CHECK(r.seq.size() == 101);
    CHECK(OnlyChars(r.seq, "ACGTN"));
    for (char c : r.qual) CHECK((c >= '#' && c <= 'J'));
    for (size_t i = 0; i < r.seq.size(); ++i) {
      if (r.seq[i] == 'N') CHECK(r.qual[i] == '#');
      (i < 50 ? first_half : second_half) += static_cast<uint64_t>(r.qual[i] - 33);
    }
    quals.insert(r.qual.begin(), r.qual.end());
    const auto parts = SplitOn(r.header, ' ');
    REQUIRE(parts.size() == 2);
    CheckIlluminaName(parts[0], gen->options());
    CheckIlluminaComment(parts[1], '1', in.index);
  }
  CHECK(quals.size() >= 30);  // a full range, not a handful of bins
  CHECK(quals.count('#') == 1);
  CHECK(first_half / 50 > second_half / 51 + recs.size() * 2);  // >= 2 Phred lower at the end
}

TEST_CASE("readgen: paired reads: same names, 1: and 2:, same index, same count") {
  for (ReadProfile p : {ReadProfile::kNovaSeq, ReadProfile::kHiSeq}) {
    CAPTURE(sim::ReadProfileName(p));
    ReadGenOptions o;
    o.profile = p;
    o.paired = true;
    o.seed = 77;
    std::string r2_text;
    const std::string r1_text = Generate(o, 2 << 20, &r2_text);
    const auto r1 = Records(r1_text);
    const auto r2 = Records(r2_text);
    REQUIRE(r1.size() == r2.size());
    size_t identical_seqs = 0;
    for (size_t i = 0; i < r1.size(); ++i) {
      const auto a = SplitOn(r1[i].header, ' ');
      const auto b = SplitOn(r2[i].header, ' ');
      REQUIRE(a.size() == 2);
      REQUIRE(b.size() == 2);
      CHECK(a[0] == b[0]);
      CHECK(a[1][0] == '1');
      CHECK(b[1][0] == '2');
      CHECK(a[1].substr(1) == b[1].substr(1));
      CHECK(r1[i].seq.size() == r2[i].seq.size());
      identical_seqs += r1[i].seq == r2[i].seq;
    }
    CHECK(identical_seqs < r1.size() / 100);  // mates are different reads
  }
}

TEST_CASE("readgen: ONT records: MinKNOW headers, long log-normal reads, Phred 5..40") {
  ReadGenOptions o;
  o.profile = ReadProfile::kOnt;
  o.seed = 5;
  o.flowcell = "PAW12345";
  o.sample_id = "NA12878";
  const std::string recs_text = Generate(o, 64 << 20);
  const auto recs = Records(recs_text);
  REQUIRE(recs.size() > 1000);

  const std::string_view keys[] = {"runid",      "read",           "ch",
                                   "start_time", "flow_cell_id",   "protocol_group_id",
                                   "sample_id",  "parent_read_id", "basecall_model_version_id"};
  std::string_view runid;
  std::string_view prev_time;
  std::set<std::string_view> ids;
  std::vector<uint64_t> lengths;
  for (const FastqRecord& r : recs) {
    CHECK(OnlyChars(r.seq, "ACGT"));
    for (char c : r.qual) CHECK((c >= '&' && c <= 'I'));
    lengths.push_back(r.seq.size());

    const auto parts = SplitOn(r.header, ' ');
    REQUIRE(parts.size() == 10);
    CHECK(IsUuid(parts[0]));
    ids.insert(parts[0]);
    for (size_t k = 0; k < 9; ++k) {
      const std::string_view field = parts[k + 1];
      REQUIRE(field.size() > keys[k].size() + 1);
      CHECK(field.substr(0, keys[k].size()) == keys[k]);
      CHECK(field[keys[k].size()] == '=');
    }
    auto value = [&](size_t k) { return parts[k + 1].substr(keys[k].size() + 1); };
    CHECK(value(0).size() == 40);
    CHECK(IsHex(value(0)));
    if (runid.empty()) runid = value(0);
    CHECK(value(0) == runid);  // one run
    CHECK(AllDigits(value(1)));
    REQUIRE(AllDigits(value(2)));
    CHECK(ToNumber(value(2)) >= 1);
    CHECK(ToNumber(value(2)) <= 512);
    const std::string_view t = value(3);  // 2024-03-01T09:00:00.123+00:00
    REQUIRE(t.size() == 29);
    CHECK(t.substr(0, 11) == "2024-03-01T");
    CHECK(t[13] == ':');
    CHECK(t[19] == '.');
    CHECK(t.substr(23) == "+00:00");
    CHECK(t >= prev_time);  // acquisition moves forward
    prev_time = t;
    CHECK(value(4) == "PAW12345");
    CHECK(value(5) == "seqgate_sim");
    CHECK(value(6) == "NA12878");
    CHECK(value(7) == parts[0]);
    CHECK(value(8).find("dna_r10.4.1") == 0);
  }
  CHECK(ids.size() == recs.size());  // read IDs are unique

  std::sort(lengths.begin(), lengths.end());
  uint64_t sum = 0;
  for (uint64_t l : lengths) sum += l;
  const uint64_t mean = sum / lengths.size();
  const uint64_t median = lengths[lengths.size() / 2];
  CAPTURE(mean);
  CAPTURE(median);
  CHECK(mean > 1000);
  CHECK(median > 3000);  // log-normal around the default median of 4000
  CHECK(median < 5500);
  CHECK(mean > median);  // right-skewed
  CHECK(lengths.front() >= 200);
  CHECK(lengths.back() > 4 * median);
  CHECK(lengths.back() <= 50 * 4000);
}

TEST_CASE("readgen: ONT --read-length sets the median") {
  ReadGenOptions o;
  o.profile = ReadProfile::kOnt;
  o.read_length = 20000;
  const std::string recs_text = Generate(o, 64 << 20);
  const auto recs = Records(recs_text);
  std::vector<size_t> lengths;
  for (const FastqRecord& r : recs) lengths.push_back(r.seq.size());
  std::sort(lengths.begin(), lengths.end());
  CHECK(lengths[lengths.size() / 2] > 15000);
  CHECK(lengths[lengths.size() / 2] < 27000);
}
