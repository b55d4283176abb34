// The journal's schema, as a list of migrations. Never edit a released step: add a new one.
#include "journal/journal.h"

namespace seqgate::journal {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE runs(
  id               INTEGER PRIMARY KEY,
  run_id           TEXT NOT NULL,
  flowcell         TEXT NOT NULL DEFAULT '',
  family           TEXT NOT NULL,
  instrument       TEXT NOT NULL DEFAULT '',
  run_dir          TEXT NOT NULL,            -- current folder; follows renames
  state            TEXT NOT NULL,            -- in_progress|completed|failed|aborted|stalled
  outcome          TEXT,
  discovered_ns    INTEGER NOT NULL,
  manifest_receipt TEXT,                     -- the centre's run receipt (JSON)
  delivered_ns     INTEGER,
  UNIQUE(run_id, flowcell));

CREATE TABLE files(
  id              INTEGER PRIMARY KEY,
  run             INTEGER NOT NULL REFERENCES runs(id),
  rel_path        TEXT NOT NULL,
  size            INTEGER NOT NULL,
  mtime_ns        INTEGER NOT NULL,
  inode           INTEGER NOT NULL,
  device          INTEGER NOT NULL,
  state           TEXT NOT NULL,             -- pending|packing|uploading|delivered|failed
  encoding        TEXT,
  original_sha256 TEXT,
  original_md5    TEXT,
  packed_size     INTEGER,
  packed_sha256   TEXT,
  frame_size      INTEGER,
  level           INTEGER,
  upload_url      TEXT,
  acked_offset    INTEGER NOT NULL DEFAULT 0,
  receipt         TEXT,
  error           TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0,
  UNIQUE(run, rel_path));
CREATE INDEX files_by_state ON files(state, run, id);

CREATE TABLE frames(
  file            INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  idx             INTEGER NOT NULL,
  input_offset    INTEGER NOT NULL,
  input_size      INTEGER NOT NULL,
  output_offset   INTEGER NOT NULL,
  output_size     INTEGER NOT NULL,
  input_checksum  INTEGER NOT NULL,
  output_xxh64    INTEGER NOT NULL,           -- the u64 stored bit for bit as i64
  PRIMARY KEY(file, idx)) WITHOUT ROWID;
)sql"},
    {2, R"sql(
-- The stream's shape is fixed when its upload starts (a resumed pass must reproduce it), and
-- with it everything a restart needs to resume without the client's own state file.
ALTER TABLE files ADD COLUMN endpoint        TEXT;
ALTER TABLE files ADD COLUMN md5             INTEGER;          -- MD5 of the original asked for
ALTER TABLE files ADD COLUMN original_size   INTEGER;
ALTER TABLE files ADD COLUMN trailer_size    INTEGER;
ALTER TABLE files ADD COLUMN upload_complete INTEGER NOT NULL DEFAULT 0;  -- centre has every byte
ALTER TABLE files ADD COLUMN receipt_status  TEXT;             -- verified|unverified|quarantined
ALTER TABLE files ADD COLUMN ready_ns        INTEGER;          -- announced by the bridge
ALTER TABLE files ADD COLUMN delivered_ns    INTEGER;
ALTER TABLE files ADD COLUMN retries         INTEGER NOT NULL DEFAULT 0;  -- transient, all attempts
ALTER TABLE runs  ADD COLUMN name            TEXT;             -- the run's name at the centre
ALTER TABLE runs  ADD COLUMN manifest_url    TEXT;
ALTER TABLE runs  ADD COLUMN run_receipt_status TEXT;          -- complete|incomplete
ALTER TABLE runs  ADD COLUMN error           TEXT;
ALTER TABLE runs  ADD COLUMN metadata        TEXT;             -- instrument metadata (JSON object)
)sql"},
    {3, R"sql(
-- The S3 path (protocol = "s3"): multipart state per object, in the journal rather than in a
-- side file, so a crash at any moment resumes from here; the file's Crypt4GH object and its
-- digests; and which expiry warnings were given per access token (never the token itself).
CREATE TABLE s3_uploads(
  bucket       TEXT NOT NULL,
  key          TEXT NOT NULL,
  endpoint     TEXT NOT NULL,
  source       TEXT NOT NULL,              -- for humans: the staging file
  fingerprint  TEXT NOT NULL,              -- the source version the upload belongs to
  object_size  INTEGER NOT NULL,
  part_size    INTEGER NOT NULL,
  upload_id    TEXT NOT NULL DEFAULT '',   -- '' = intent recorded, create not answered yet
  complete     INTEGER NOT NULL DEFAULT 0,
  etag         TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(bucket, key)) WITHOUT ROWID;
CREATE TABLE s3_parts(
  bucket       TEXT NOT NULL,
  key          TEXT NOT NULL,
  number       INTEGER NOT NULL,
  size         INTEGER NOT NULL,
  md5          TEXT NOT NULL,
  etag         TEXT NOT NULL,
  PRIMARY KEY(bucket, key, number)) WITHOUT ROWID;
ALTER TABLE files ADD COLUMN object_key    TEXT;     -- bucket-relative key of the c4gh object
ALTER TABLE files ADD COLUMN object_size   INTEGER;
ALTER TABLE files ADD COLUMN object_sha256 TEXT;
ALTER TABLE files ADD COLUMN object_etag   TEXT;     -- the checked multipart ETag, once delivered
CREATE TABLE token_warnings(
  token_sha256 TEXT PRIMARY KEY,
  stage        INTEGER NOT NULL) WITHOUT ROWID;  -- 1 = within 24 h, 2 = within 2 h, 3 = expired
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace seqgate::journal
