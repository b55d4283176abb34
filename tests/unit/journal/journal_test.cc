#include <doctest/doctest.h>
#include <sqlite3.h>

#include <fstream>
#include <thread>
#include <vector>

#include "journal/journal.h"
#include "support/temp_dir.h"

using namespace seqgate;
using namespace seqgate::journal;

namespace {

FileIdentity Id(uint64_t size, int64_t mtime = 1000, uint64_t inode = 7) {
  FileIdentity id;
  id.size = size;
  id.mtime_ns = mtime;
  id.inode = inode;
  id.device = 1;
  id.type = FileType::kRegular;
  return id;
}

RunRecord Run(const std::string& dir, int64_t discovered = 1) {
  RunRecord r;
  r.run_id = "240101_A00123_0045_AHABCDEFXX";
  r.flowcell = "HABCDEFXX";
  r.family = "illumina";
  r.run_dir = dir;
  r.discovered_ns = discovered;
  return r;
}

// Runs raw SQL on a file with plain sqlite3, as an operator's shell (or another program) would.
void RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("journal: a new journal is created, stamped and reopened") {
  testing::TempDir dir;
  const std::string path = dir.File("journal.db");
  {
    auto j = Journal::Open(path);
    REQUIRE(j.ok());
    CHECK((*j)->RecordRun(Run("/runs/a")).ok());
  }
  auto again = Journal::Open(path);
  REQUIRE(again.ok());
  CHECK((*again)->Run(1)->run_dir == "/runs/a");
}

TEST_CASE("journal: a renamed run folder is the same run") {
  testing::TempDir dir;
  auto j = *Journal::Open(dir.File("j.db"));
  const int64_t a = *j->RecordRun(Run("/runs/a"));
  RunRecord moved = Run("/runs/a-renamed");
  moved.state = "completed";
  moved.outcome = "RunCompleted";
  CHECK(*j->RecordRun(moved) == a);
  auto r = j->Run(a);
  CHECK(r->run_dir == "/runs/a-renamed");
  CHECK(r->state == "completed");
  CHECK(r->outcome == "RunCompleted");
  RunRecord other = Run("/runs/b");
  other.flowcell = "HZZZZZZXX";
  CHECK(*j->RecordRun(other) != a);
  CHECK(j->RecordRunDelivered(a, R"({"status":"verified"})").ok());
  CHECK(j->Run(a)->manifest_receipt == R"({"status":"verified"})");
  CHECK(j->RecordRunDelivered(999, "{}").code() == StatusCode::kNotFound);
}

TEST_CASE("journal: a file's life, and a source change forgets everything derived from it") {
  testing::TempDir dir;
  auto j = *Journal::Open(dir.File("j.db"));
  const int64_t run = *j->RecordRun(Run("/runs/a"));
  auto f = j->RecordFileSeen(run, "Data/s_R1.fastq", Id(100));
  REQUIRE(f.ok());
  CHECK(f->state == FileState::kPending);
  // Seen again unchanged: same record, same state.
  CHECK(j->RecordFileSeen(run, "Data/s_R1.fastq", Id(100))->id == f->id);

  CHECK(j->RecordPacking(f->id).ok());
  PackedInfo p{
      "zstd", std::string(64, 'a'), std::string(32, 'b'), 40, std::string(64, 'c'), 8u << 20, 3};
  std::vector<pipeline::FrameRecord> frames = {
      {0, 0, 60, 0, 25, 0xDEADBEEF, 0xFFFFFFFFFFFFFFF0ull},
      {1, 60, 40, 25, 15, 0x12345678, 0x8000000000000001ull}};
  REQUIRE(j->RecordPacked(f->id, p, frames).ok());
  CHECK(*j->Frames(f->id) == frames);  // u64 hashes survive SQLite's signed integers
  REQUIRE(j->RecordUploadCreated(f->id, "https://centre/files/abc").ok());
  CHECK(j->RecordAcked(f->id, 25).ok());
  CHECK(j->RecordAcked(f->id, 10).ok());  // a late, older answer never moves the offset back
  auto mid = j->File(f->id);
  CHECK(mid->state == FileState::kUploading);
  CHECK(mid->acked_offset == 25);
  CHECK(mid->upload_url == "https://centre/files/abc");
  CHECK(mid->packed->original_md5 == std::string(32, 'b'));

  auto changed = j->RecordFileSeen(run, "Data/s_R1.fastq", Id(120, 2000));
  REQUIRE(changed.ok());
  CHECK(changed->id == f->id);
  CHECK(changed->state == FileState::kPending);
  CHECK_FALSE(changed->upload_url.has_value());
  CHECK_FALSE(changed->packed.has_value());
  CHECK(changed->acked_offset == 0);
  CHECK(changed->identity.size == 120);
  REQUIRE(changed->error.has_value());
  CHECK(changed->error->find("source changed: size 100 -> 120") != std::string::npos);
  CHECK(j->Frames(f->id)->empty());

  REQUIRE(j->RecordPacked(f->id, p, frames).ok());
  CHECK(j->RecordDelivered(f->id, R"({"status":"verified"})").ok());
  auto done = j->File(f->id);
  CHECK(done->state == FileState::kDelivered);
  CHECK(done->acked_offset == 40);
  CHECK(j->RecordDelivered(4242, "{}").code() == StatusCode::kNotFound);
}

TEST_CASE("journal: work is handed out oldest run first") {
  testing::TempDir dir;
  auto j = *Journal::Open(dir.File("j.db"));
  RunRecord young = Run("/runs/young", 200);
  young.run_id = "young";
  RunRecord old = Run("/runs/old", 100);
  old.run_id = "old";
  const int64_t y = *j->RecordRun(young);
  const int64_t o = *j->RecordRun(old);
  const int64_t y1 = j->RecordFileSeen(y, "a", Id(1))->id;
  const int64_t o1 = j->RecordFileSeen(o, "a", Id(1))->id;
  const int64_t o2 = j->RecordFileSeen(o, "b", Id(1))->id;
  auto pending = j->FilesInState(FileState::kPending, 10);
  REQUIRE(pending->size() == 3);
  CHECK((*pending)[0].id == o1);
  CHECK((*pending)[1].id == o2);
  CHECK((*pending)[2].id == y1);
  CHECK(j->FilesInState(FileState::kPending, 1)->size() == 1);
  CHECK(j->RecordFailed(o1, "centre refused: 413").ok());
  CHECK(j->File(o1)->attempts == 1);
  CHECK(j->FilesInState(FileState::kFailed, 10)->front().error == "centre refused: 413");
  CHECK(j->FilesOfRun(o)->size() == 2);
}

TEST_CASE("journal: foreign, damaged and newer journals are refused, never recreated") {
  testing::TempDir dir;
  SUBCASE("not a database at all") {
    const std::string p = dir.Write("j.db", "this is a text file, not SQLite at all\n");
    auto j = Journal::Open(p);
    REQUIRE_FALSE(j.ok());
    CHECK(j.status().code() == StatusCode::kCorruption);
    CHECK(j.status().message().find("not a seqgate journal") != std::string::npos);
    CHECK(j.status().message().find("move the journal aside") != std::string::npos);
  }
  SUBCASE("somebody else's SQLite database") {
    const std::string p = dir.File("j.db");
    RawSql(p, "CREATE TABLE cats(name TEXT); INSERT INTO cats VALUES('tom');");
    auto j = Journal::Open(p);
    REQUIRE_FALSE(j.ok());
    CHECK(j.status().message().find("not a seqgate journal") != std::string::npos);
  }
  SUBCASE("written by a newer seqgate") {
    const std::string p = dir.File("j.db");
    REQUIRE(Journal::Open(p).ok());
    RawSql(p, "PRAGMA user_version=99");
    auto j = Journal::Open(p);
    REQUIRE_FALSE(j.ok());
    CHECK(j.status().code() == StatusCode::kUnsupported);
    CHECK(j.status().message().find("newer seqgate") != std::string::npos);
  }
  SUBCASE("pages overwritten on disk") {
    const std::string p = dir.File("j.db");
    {
      auto j = *Journal::Open(p);
      const int64_t run = *j->RecordRun(Run("/runs/a"));
      for (int i = 0; i < 400; ++i) {
        REQUIRE(j->RecordFileSeen(run, "Data/file_" + std::to_string(i) + "_R1.fastq.gz",
                                  Id(static_cast<uint64_t>(i)))
                    .ok());
      }
    }
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3 * 4096);
    const std::string junk(8192, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    f.close();
    auto j = Journal::Open(p);
    REQUIRE_FALSE(j.ok());
    CHECK(j.status().code() == StatusCode::kCorruption);
    CHECK(j.status().message().find("move the journal aside") != std::string::npos);
  }
}

TEST_CASE("journal: migrations run in order, once, and stamp the version") {
  testing::TempDir dir;
  const std::string p = dir.File("j.db");
  const Migration v1[] = {{1, "CREATE TABLE t(a INTEGER);"}};
  const Migration v2[] = {{1, "CREATE TABLE t(a INTEGER);"},
                          {2, "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x';"}};
  REQUIRE(Journal::OpenWithMigrations(p, v1).ok());
  RawSql(p, "INSERT INTO t(a) VALUES(5)");
  REQUIRE(Journal::OpenWithMigrations(p, v2).ok());  // upgrades 1 → 2, keeping the row
  REQUIRE(Journal::OpenWithMigrations(p, v2).ok());  // nothing left to do
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(p.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT a, b, (SELECT user_version FROM pragma_user_version) "
                             "FROM t",
                             -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 5);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))) == "x");
  CHECK(sqlite3_column_int(st, 2) == 2);
  sqlite3_finalize(st);
  sqlite3_close(db);
  auto older = Journal::OpenWithMigrations(p, v1);  // a downgrade is refused
  CHECK(older.status().code() == StatusCode::kUnsupported);
}

TEST_CASE("journal: uploader reports resume from the journal alone") {
  testing::TempDir dir;
  auto j = *Journal::Open(dir.File("j.db"));
  const int64_t run = *j->RecordRun(Run("/runs/a"));
  const FileRecord f = *j->RecordFileSeen(run, "reads.fastq", Id(100));

  std::vector<pipeline::FrameRecord> frames(2);
  frames[0].index = 0;
  frames[0].input_size = 60;
  frames[0].output_size = 30;
  frames[0].output_xxh64 = 0xFFFFFFFFFFFFFFFFull;  // the top bit must survive the i64 column
  frames[1].index = 1;
  frames[1].input_offset = 60;
  frames[1].input_size = 40;
  frames[1].output_offset = 30;
  UploadProgress p;
  p.shape = {"https://c/files/", "zstd", 3, 1 << 20, true};
  p.upload_url = "https://c/files/abc";
  p.acked_offset = 0;
  std::vector<pipeline::FrameRecord> first(frames.begin(), frames.begin() + 1);
  p.frames = &first;
  REQUIRE(j->RecordUploadProgress(f.id, p).ok());
  // Mid-pack: one frame known, URL and shape recorded, no digests yet.
  FileRecord mid = *j->File(f.id);
  CHECK(mid.state == FileState::kUploading);
  REQUIRE(mid.shape);
  CHECK(mid.shape->encoding == "zstd");
  CHECK(mid.shape->frame_size == (1u << 20));
  CHECK(!mid.packed);
  CHECK(mid.upload_url == "https://c/files/abc");
  CHECK(j->Frames(f.id)->size() == 1);

  // Pack finished, 50 bytes acknowledged: frames appended, digests stored.
  p.frames = &frames;
  p.acked_offset = 50;
  PackedInfo k;
  k.encoding = "zstd";
  k.original_sha256 = std::string(64, 'a');
  k.original_md5 = std::string(32, 'b');
  k.packed_size = 70;
  k.original_size = 100;
  k.trailer_size = 9;
  p.packed = k;
  REQUIRE(j->RecordUploadProgress(f.id, p).ok());
  FileRecord done = *j->File(f.id);
  REQUIRE(done.packed);
  CHECK(done.packed->original_sha256 == k.original_sha256);
  CHECK(done.packed->trailer_size == 9);
  CHECK(done.acked_offset == 50);
  auto back = *j->Frames(f.id);
  REQUIRE(back.size() == 2);
  CHECK(back[0] == frames[0]);
  CHECK(back[1] == frames[1]);

  // A late report with a smaller offset never moves it back; a new URL restarts it.
  p.acked_offset = 20;
  REQUIRE(j->RecordUploadProgress(f.id, p).ok());
  CHECK(j->File(f.id)->acked_offset == 50);
  p.upload_url = "https://c/files/def";
  p.acked_offset = 0;
  REQUIRE(j->RecordUploadProgress(f.id, p).ok());
  CHECK(j->File(f.id)->acked_offset == 0);
  CHECK(j->File(f.id)->upload_url == "https://c/files/def");

  // Delivered with its receipt status; the work queue no longer offers it.
  CHECK(j->WorkQueue(10)->size() == 1);
  REQUIRE(j->RecordDelivered(f.id, "{}", "verified").ok());
  CHECK(j->File(f.id)->receipt_status == "verified");
  CHECK(j->WorkQueue(10)->empty());
}

TEST_CASE("journal: an MD5 left to the centre is filled in once, never overwritten") {
  testing::TempDir dir;
  auto j = *Journal::Open(dir.File("j.db"));
  const int64_t run = *j->RecordRun(Run("/runs/a"));
  const FileRecord f = *j->RecordFileSeen(run, "reads.fastq", Id(100));
  UploadProgress p;
  p.shape = {"https://c/files/", "zstd", 3, 1 << 20, false};
  p.upload_url = "https://c/files/abc";
  PackedInfo k;
  k.encoding = "zstd";
  k.original_sha256 = std::string(64, 'a');
  k.packed_size = 70;
  k.original_size = 100;
  p.packed = k;
  REQUIRE(j->RecordUploadProgress(f.id, p).ok());
  CHECK(!j->File(f.id)->packed->original_md5);

  p.complete = true;  // the receipt came back with the centre's MD5
  p.packed->original_md5 = std::string(32, 'c');
  REQUIRE(j->RecordUploadProgress(f.id, p).ok());
  CHECK(j->File(f.id)->packed->original_md5 == std::string(32, 'c'));
  p.packed->original_md5 = std::string(32, 'd');
  REQUIRE(j->RecordUploadProgress(f.id, p).ok());
  CHECK(j->File(f.id)->packed->original_md5 == std::string(32, 'c'));
  CHECK(j->File(f.id)->packed->original_sha256 == k.original_sha256);
}

TEST_CASE("journal: operator retry, totals and run manifest state") {
  testing::TempDir dir;
  auto j = *Journal::Open(dir.File("j.db"));
  const int64_t run = *j->RecordRun(Run("/runs/a"));
  const FileRecord a = *j->RecordFileSeen(run, "a", Id(10));
  const FileRecord b = *j->RecordFileSeen(run, "b", Id(20, 5, 8));
  CHECK(j->RecordRetry(a.id).code() == StatusCode::kInvalidArgument);  // not failed
  REQUIRE(j->RecordFailed(a.id, "centre said 403").ok());
  auto totals = *j->Totals();
  CHECK(totals[FileState::kFailed].files == 1);
  CHECK(totals[FileState::kPending].bytes == 20);
  REQUIRE(j->RecordRetry(a.id).ok());
  CHECK(j->File(a.id)->state == FileState::kPending);
  CHECK(!j->File(a.id)->error);
  CHECK(j->File(a.id)->attempts == 1);
  REQUIRE(j->RecordDelivered(b.id, "{}").ok());
  auto per_run = *j->AllRunTotals();
  REQUIRE(per_run.size() == 1);
  CHECK(per_run[0].files == 2);
  CHECK(per_run[0].delivered == 1);
  CHECK(per_run[0].delivered_bytes == 20);

  REQUIRE(j->RecordManifestCreated(run, "https://c/files/m").ok());
  REQUIRE(j->RecordRunError(run, std::string("incomplete")).ok());
  CHECK(j->Run(run)->error == "incomplete");
  REQUIRE(j->RecordRunDelivered(run, "{\"r\":1}", "complete").ok());
  RunRecord r = *j->Run(run);
  CHECK(r.manifest_url == "https://c/files/m");
  CHECK(r.run_receipt_status == "complete");
  CHECK(!r.error);
  CHECK(r.delivered_ns.has_value());
}

// The daemon's intake, workers, uploads and control server share one Journal; this is the case
// the ThreadSanitizer build checks (scripts/sanitize.sh tsan).
TEST_CASE("journal: several threads record and read at once") {
  testing::TempDir dir;
  auto j = *Journal::Open(dir.File("j.db"));
  const int64_t run = *j->RecordRun(Run("/runs/a"));
  constexpr int kThreads = 4;
  constexpr int kFiles = 20;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads + 1, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFiles; ++i) {
        auto f = j->RecordFileSeen(run, "t" + std::to_string(t) + "/f" + std::to_string(i),
                                   Id(100, 1000, static_cast<uint64_t>(t * kFiles + i + 1)));
        if (!f.ok() || !j->RecordUploadCreated(f->id, "https://centre/files/x").ok() ||
            !j->RecordAcked(f->id, 50).ok()) {
          ++failures[static_cast<size_t>(t)];
        }
      }
    });
  }
  threads.emplace_back([&] {  // a reader meanwhile, as /metrics and seqgatectl status are
    for (int i = 0; i < kFiles; ++i) {
      if (!j->Totals().ok() || !j->WorkQueue(10).ok()) ++failures[kThreads];
    }
  });
  for (auto& th : threads) th.join();
  for (int f : failures) CHECK(f == 0);
  CHECK(j->FilesOfRun(run)->size() == static_cast<size_t>(kThreads * kFiles));
}

TEST_CASE("journal: S3 multipart state round-trips, parts diffed, and survives a reopen") {
  testing::TempDir dir;
  const std::string p = dir.File("j.db");
  transfer::s3::MultipartState s;
  s.endpoint = "https://inbox:8443";
  s.bucket = "user";
  s.key = "run/a.fastq.zst.c4gh";
  s.source = "/state/s3-staging/1.c4gh";
  s.source_fingerprint = "dev=1 ino=2";
  s.object_size = 12 << 20;
  s.part_size = 5 << 20;
  {
    auto j = Journal::Open(p);
    REQUIRE(j.ok());
    CHECK(!(*(*j)->LoadS3Upload("user", s.key)).has_value());
    REQUIRE((*j)->SaveS3Upload(s).ok());  // the intent: no upload id yet
    auto intent = (*j)->LoadS3Upload("user", s.key);
    REQUIRE(intent.ok());
    REQUIRE(intent->has_value());
    CHECK((*intent)->upload_id.empty());
    s.upload_id = "abc";
    s.parts[1] = {5u << 20, "00112233445566778899aabbccddeeff", "00112233445566778899aabbccddeeff"};
    s.parts[2] = {5u << 20, "ffeeddccbbaa99887766554433221100", "ffeeddccbbaa99887766554433221100"};
    REQUIRE((*j)->SaveS3Upload(s).ok());
    s.parts.erase(1);  // a part the server no longer lists is forgotten
    s.parts[3] = {2u << 20, "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"};
    REQUIRE((*j)->SaveS3Upload(s).ok());
  }
  auto j = Journal::Open(p);
  REQUIRE(j.ok());
  auto back = (*j)->LoadS3Upload("user", s.key);
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  const auto& b = **back;
  CHECK(b.endpoint == s.endpoint);
  CHECK(b.upload_id == "abc");
  CHECK(b.source_fingerprint == s.source_fingerprint);
  CHECK(b.object_size == s.object_size);
  CHECK(b.part_size == s.part_size);
  REQUIRE(b.parts.size() == 2);
  CHECK(b.parts.count(1) == 0);
  CHECK(b.parts.at(3).size == 2u << 20);
  CHECK(b.parts.at(2).etag == s.parts[2].etag);
  CHECK(!(*(*j)->LoadS3Upload("other", s.key)).has_value());  // keyed by bucket and key
}

TEST_CASE("journal: a file's S3 object, its delivery, and a changed source forgetting it") {
  testing::TempDir dir;
  auto j = Journal::Open(dir.File("j.db"));
  REQUIRE(j.ok());
  const int64_t run = *(*j)->RecordRun(Run("/runs/a"));
  auto f = (*j)->RecordFileSeen(run, "a.fastq", Id(100));
  REQUIRE(f.ok());
  PackedInfo k;
  k.encoding = "zstd";
  k.original_sha256 = std::string(64, 'a');
  k.original_md5 = std::string(32, 'b');
  k.packed_size = 40;
  k.packed_sha256 = std::string(64, 'c');
  k.frame_size = 1 << 20;
  k.level = 3;
  k.original_size = 100;
  S3ObjectInfo o{"run/a.fastq.zst.c4gh", 164, std::string(64, 'd'), std::nullopt};
  REQUIRE((*j)->RecordS3Staged(f->id, k, o).ok());
  auto staged = (*j)->File(f->id);
  REQUIRE(staged.ok());
  CHECK(staged->state == FileState::kUploading);
  REQUIRE(staged->object.has_value());
  CHECK(staged->object->key == o.key);
  CHECK(staged->object->size == 164);
  CHECK(!staged->object->etag.has_value());
  REQUIRE(staged->packed.has_value());
  CHECK(staged->packed->packed_sha256 == k.packed_sha256);
  REQUIRE((*j)->RecordS3Delivered(f->id, "0123-1", "{\"protocol\":\"s3\"}").ok());
  auto done = (*j)->File(f->id);
  CHECK(done->state == FileState::kDelivered);
  CHECK(done->object->etag == std::optional<std::string>("0123-1"));
  CHECK(done->receipt_status == std::optional<std::string>("uploaded"));
  auto changed = (*j)->RecordFileSeen(run, "a.fastq", Id(120));  // the source changed
  REQUIRE(changed.ok());
  CHECK(!changed->object.has_value());
  CHECK(changed->state == FileState::kPending);
}

TEST_CASE("journal: token warnings are remembered by digest") {
  testing::TempDir dir;
  auto j = Journal::Open(dir.File("j.db"));
  REQUIRE(j.ok());
  CHECK(*(*j)->TokenWarnedStage("d1") == 0);
  REQUIRE((*j)->RecordTokenWarned("d1", 1).ok());
  REQUIRE((*j)->RecordTokenWarned("d1", 2).ok());
  CHECK(*(*j)->TokenWarnedStage("d1") == 2);
  CHECK(*(*j)->TokenWarnedStage("d2") == 0);
}
