#include "common/log_events.h"

#include <algorithm>

namespace seqgate {
namespace {

// Ids come from `systemd-id128 new`-style random UUIDs. Append new events; never edit an id,
// because saved journalctl queries and alerting rules match on it.
constexpr LogEventInfo kEvents[] = {
    // seqgated
    {"daemon_started", "f090e17494124eeaafffdf5765fb6a65",
     "seqgated started; configuration loaded, not yet ready"},
    {"daemon_ready", "8e31dfcd06e2444cbbac33d248703edc",
     "seqgated is ready: journal open, recovery done, watching instrument roots"},
    {"daemon_stopping", "152165759f014bd59dd0b72dc4afdb70",
     "seqgated is shutting down (SIGTERM or stop request)"},
    {"config_reloaded", "ab5e728bb04142b48d35cf9f2e9d457b",
     "the configuration was reloaded (SIGHUP); fields name what changed"},
    {"config_error", "a0539a48e9bf4ebe947b99442c4b927d",
     "the configuration could not be loaded or is invalid; the previous one stays"},
    {"journal_opened", "7b21b9fffcd145ba8f51eb9bcc65cfd7",
     "the SQLite journal was opened and recovered"},
    {"run_discovered", "2fed50c3dc16450f860ab67df109c886",
     "a new run folder was found under an instrument root"},
    {"run_completed", "63550ce39b214a0ea03e7d29779b517c",
     "the instrument signalled that a run finished writing"},
    {"run_failed", "9dbbe7ac8cb04ef0bc96f82671bab22d", "the instrument reported a failed run"},
    {"run_aborted", "dcb29d1180e64351a9c2a494b96d8260",
     "a run was aborted on the instrument or by an operator"},
    {"run_stalled", "501f4e2cb2bf4db6875a2addbde92aca",
     "a run stopped growing before its completion signal"},
    {"run_unavailable", "5ea7172e142f4f30a1a70f2025e58c8f",
     "a run folder became unreadable or disappeared"},
    {"file_ready", "49ce734fc6e94785ac6e796a6898cec8",
     "a file of a run is final and queued for packing"},
    {"source_changed", "4db2f8ac7895415eb3e64373372d46ff",
     "a file changed while it was being read; it will be packed again"},
    {"file_packed", "2ed84b459a314b2f8c2f09e03aa2a465",
     "a file was checksummed and packed (sha256, md5, bytes)"},
    {"upload_created", "5e0d232f9d48499ba49446c3e531e818",
     "the centre created an upload for a file (url)"},
    {"upload_progress", "800d4de7638f4746815e2b7bbf896928", "an upload advanced (offset, bytes)"},
    {"upload_retry", "689570cf56564818861dda10c72f082c",
     "an upload attempt failed and will be retried (attempt, retry_in_ms, reason)"},
    {"file_delivered", "34753f14aa4e42099b4ee3b00c2ffe72",
     "the centre verified and stored a file and signed its receipt"},
    {"file_failed", "ab7bd30e0c68434d83298b729372f826",
     "a file could not be delivered and needs an operator (reason)"},
    {"manifest_sent", "c0161e06ebe34ef7b6db12de45708288",
     "the run manifest was delivered to the centre"},
    {"run_delivered", "08c6bd954c024cb89e97a151689a5346",
     "every file of a run and its manifest were delivered"},
    {"control_command", "98a0fdf0a1b44e169111c6c75683f56f",
     "an operator command arrived on the control socket"},
    {"problem", "c3fac44deab24f769534f53bf2a82e9a",
     "a condition that needs an operator's attention (reason)"},
    // seqgate-ingest
    {"ingest.listening", "2fd4409a82b14c6081219044ba0b3518",
     "seqgate-ingest is listening (tus and metrics addresses)"},
    {"ingest.stopping", "cbde06d19d0f4d0488ea3275b2a35dca",
     "seqgate-ingest received a stop signal and is draining"},
    {"ingest.stopped", "a62e1ca87f4547b98a1150bc9d976189", "seqgate-ingest stopped cleanly"},
    {"ingest.tls_reloaded", "ba53530066bb4d178e5f417a2e9a9f0d",
     "SIGHUP: the TLS files (certificate, key, client CA, CRL) were read again; new connections "
     "use them"},
    {"ingest.tls_reload_failed", "098ae64e596e491d91dfe16463251a72",
     "SIGHUP: the TLS files did not load (error named); the set loaded before stays in use"},
    {"ingest.notify_failed", "7373ea7538584ec9aac2bbfd4172300d",
     "a notification to systemd (READY, STATUS, WATCHDOG, STOPPING) failed; logged once"},
    {"tls.refused", "34602843b1f54a0ea95099e5eb8a3aac",
     "a client's TLS handshake was refused (certificate problem named)"},
    {"tls.no_site", "36a7661eba6b4d029c34689e428e589a",
     "a client certificate was valid but maps to no configured site"},
    {"tls.accepted", "f27c5671257a4f39bc113cb6d6bb4bee", "a client was authenticated as a site"},
    {"http.slow_header", "70f5051f419d4768b23dfce0182f4c6d",
     "a connection sent its request header too slowly and was closed"},
    {"http.slow_body", "91d05ad7b95146d2aa10042cc09d76ae",
     "a request body stalled and the upload was interrupted"},
    {"http.request", "bd9a76c0bed54c3ea9a760af0cf1cf9c", "one HTTP request was served (debug)"},
    {"storage.full", "c69f1bcb303a4021ac00676a3f5e413f",
     "an upload was refused: storage is below its free-space floor"},
    {"upload.created", "0ab9329328244ee98fd301bcc19bd36c",
     "an upload was created for a site's file"},
    {"upload.create_failed", "ff3563707b914208ac8891ed939676d5",
     "an upload could not be created on storage"},
    {"upload.deduplicated", "220c57d8a62b41818598e7c60e8007d4",
     "a file already stored with the same digest was not uploaded again"},
    {"upload.takeover", "0afdc97c0304495787b0d84d596c9a68",
     "a new connection took over an upload from a stale one"},
    {"upload.interrupted", "a7466143fe884222b93eccf88a289810",
     "a PATCH body ended early; the upload resumes from its offset"},
    {"upload.checksum_mismatch", "110117c752b748d59f6b6544d7bce339",
     "a chunk failed its Upload-Checksum and was discarded"},
    {"upload.checksum_unavailable", "0fd2ec0e14e34c208a7384a210ddfc4e",
     "the verifier stopped before it could check a chunk's Upload-Checksum; the chunk was "
     "discarded and the client told to send it again (503)"},
    {"upload.write_failed", "7b74a6ffd80340c0a9258586d9b6ab42",
     "writing a chunk to storage failed"},
    {"upload.discard_failed", "0a6b42425d4c43f08c9b8f82a3bf3521",
     "discarding a rejected chunk failed"},
    {"upload.commit_failed", "2a4d6af974604ab287a2382061b181ec", "making a chunk durable failed"},
    {"upload.verify_read_failed", "60c7d6c272854b9297d8b78b586db9e3",
     "reading stored bytes back for verification failed"},
    {"upload.verify_catch_up", "090ad3f5b59f4812ba19f797f72df965",
     "the verifier re-read stored bytes after a restart (debug)"},
    {"upload.verify_catch_up_failed", "bbb8705c64ca45b78a420e463c62b1a5",
     "the verifier could not catch up from storage"},
    {"upload.data_lost", "5b39bc51b3e64e79beb0ef8e63c6406f",
     "acknowledged bytes of an upload are missing from storage"},
    {"upload.recover_failed", "26babd9bb4c24767a2675ce5337ce402",
     "an upload could not be recovered at start-up"},
    {"upload.finalized", "5486091b459547a5822eee0b9a6b60c3",
     "an upload was verified end to end and stored, or quarantined"},
    {"upload.finalize_failed", "723fddf795184c7784c1ede3f9fdf7cd",
     "an upload could not be finalized"},
    {"upload.terminated", "d6a73d42cebc4a1782472592ca711bd3", "a client terminated an upload"},
    {"upload.expired", "e16d2613c2284700a8bebbfc38e211fb",
     "an unfinished upload expired and was removed"},
    // added in session 3: the centre's storage faults, the test hook, the S3 path
    {"storage.failed", "1998fef1669b479596838fec2dce0c15",
     "the centre's storage refused a write, sync or move (disk full, read-only); the client is "
     "told 507 or 503"},
    {"upload.published", "26325b2527ed4aac8de450972106e1de",
     "a verified upload that could not be moved into place earlier was published on a retry"},
    {"power_cut.armed", "979a2d2a336448e5b54361493d0f850c",
     "TEST HOOK: the power-cut fault injection is armed (SEQGATE_POWER_CUT_AFTER); never in "
     "production"},
    {"s3_upload_complete", "980a505b29244b45a27e9fcbd5cba270",
     "an S3 multipart upload completed and its ETag matched (etag, parts)"},
    {"s3_retry", "c9616e408dd24882a5099185b4b36376",
     "an S3 request failed and will be retried (attempt, retry_in_ms, reason)"},
    {"s3_upload_aborted", "ca6081275b934f8084515011f9b36224",
     "an abandoned S3 multipart upload was aborted (e.g. the source changed)"},
    {"s3_token_expiring", "af0d1f37ae45460fb81da73ade6db9c6",
     "the S3 inbox token expires within 24 h or 2 h (expires)"},
    {"s3_token_needed", "a6f4883890f5443290fe969200885cc4",
     "the S3 inbox token has expired: the file waits for a new token file"},
    // added with seqgated's S3 path (issue #8)
    {"s3_orphan_aborted", "5ea1084fc9b049459625215e19d9cbe1",
     "an S3 multipart upload no state recorded (its create answer or record lost in a crash) was "
     "found with ListMultipartUploads and aborted (bucket, key, upload_id)"},
    {"s3_object_staged", "78ab505766824f6d8c1ece482daa66b4",
     "a file was packed and encrypted with Crypt4GH into its staging object in the state directory "
     "(run, file, key, bytes, sha256)"},
    {"s3_object_delivered", "fe7b1b4e9db949ac99e881b5c4d6aa35",
     "a file's Crypt4GH object is in the S3 inbox: CompleteMultipartUpload succeeded and the ETag "
     "matched (run, file, key, etag, bytes, sha256)"},
    {"s3_token_waiting", "1fcc362808aa4540a39a5c898bb9c6dc",
     "S3 deliveries wait: the inbox token is expired, unreadable or refused; they resume when the "
     "token file is replaced (token_file, reason)"},
};

}  // namespace

std::span<const LogEventInfo> LogEventCatalogue() { return kEvents; }

const LogEventInfo* FindLogEvent(std::string_view name) {
  auto it = std::find_if(std::begin(kEvents), std::end(kEvents),
                         [&](const LogEventInfo& e) { return e.name == name; });
  return it == std::end(kEvents) ? nullptr : &*it;
}

}  // namespace seqgate
