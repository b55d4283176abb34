#include "ingest/finalizer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "ingest/durable_fs.h"
#include "ingest/path_policy.h"

namespace seqgate::ingest {
namespace {

using nlohmann::json;

constexpr size_t kMaxManifestBytes = 16 << 20;

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string Relative(const UploadStore& store, const std::string& path) {
  return path.substr(store.root().size() + 1);
}

// A plain upload's file name: the last component of a declared path or tus "filename", when
// it is a safe name; otherwise "data".
std::string UnverifiedName(const UploadInfo& info, const std::string& filename) {
  std::string candidate = !info.declaration.path.empty() ? info.declaration.path : filename;
  auto norm = NormaliseRelativePath(candidate);
  if (!norm.ok()) return "data";
  size_t slash = norm->rfind('/');
  return slash == std::string::npos ? *norm : norm->substr(slash + 1);
}

// Why `relative` cannot be created under the directory `base` without replacing something,
// or "" when it can: an existing ancestor that is not a directory (a file "a" blocks "a/b"),
// or an existing directory in the file's own place. A symlink counts as "not a directory":
// nothing under the storage root is ever reached through one.
std::string Blocker(const std::string& base, const std::string& relative) {
  struct stat st {};
  for (size_t pos = relative.find('/'); pos != std::string::npos;
       pos = relative.find('/', pos + 1)) {
    std::string prefix = relative.substr(0, pos);
    if (::lstat((base + "/" + prefix).c_str(), &st) != 0) return "";  // the rest is created
    if (!S_ISDIR(st.st_mode)) return "'" + prefix + "' is a file";
  }
  if (::lstat((base + "/" + relative).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return "'" + relative + "' is a directory";
  }
  return "";
}

}  // namespace

std::string Finalizer::FinalRelative(const UploadInfo& info) const {
  std::string path = info.declaration.path;
  if (info.declaration.encoding == ContentEncoding::kZstdSeekable) path += ".zst";
  return path;
}

std::optional<std::string> Finalizer::FindVerified(const std::string& site,
                                                   const Declaration& decl) const {
  if (!decl.placed() || !decl.sha256) return std::nullopt;
  std::string index = store_.IndexPath(site, decl.run, decl.path);
  auto doc = ReadSmallFile(index, 1 << 20);
  if (!doc.ok()) return std::nullopt;
  auto peek = PeekReceipt(*doc);
  if (!peek.ok() || peek->status != "verified" || peek->sha256 != decl.sha256->hex()) {
    return std::nullopt;
  }
  return *doc;
}

Result<RunReceipt> Finalizer::CheckRun(const UploadInfo& info,
                                       const std::string& manifest_path) const {
  RunReceipt run;
  run.site = info.site;
  run.run = info.declaration.run;
  run.manifest_upload_id = info.id;
  run.time = NowRfc3339();
  run.server = server_name_;
  auto text = ReadSmallFile(manifest_path, kMaxManifestBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kInvalidArgument) {
      run.reason = "manifest is larger than 16 MiB";
      return run;
    }
    return text.status();
  }
  json m = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (m.is_discarded() || !m.is_object() || !m.contains("files") || !m["files"].is_array()) {
    run.reason = "manifest is not JSON with a \"files\" array";
    return run;
  }
  if (m.contains("run") && m["run"] != run.run) {
    run.reason = "manifest names another run than seqgate-run";
    return run;
  }
  bool all = !m["files"].empty();
  for (const json& f : m["files"]) {
    RunFileCheck check;
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("sha256") ||
        !f["sha256"].is_string()) {
      run.reason = "a manifest entry lacks \"path\" or \"sha256\"";
      run.files.clear();
      return run;
    }
    auto norm = NormaliseRelativePath(f["path"].get<std::string>());
    if (!norm.ok()) {
      run.reason = "manifest entry: " + norm.status().message();
      run.files.clear();
      return run;
    }
    check.path = *norm;
    check.sha256 = f["sha256"].get<std::string>();
    auto doc = ReadSmallFile(store_.IndexPath(info.site, run.run, check.path), 1 << 20);
    if (!doc.ok()) {
      check.status = "missing";
    } else if (auto peek = PeekReceipt(*doc); !peek.ok() || peek->status != "verified") {
      check.status = "missing";
    } else if (peek->sha256 != check.sha256) {
      check.status = "mismatch";
      check.upload_id = peek->upload_id;
    } else {
      check.status = "verified";
      check.upload_id = peek->upload_id;
    }
    all = all && check.status == "verified";
    run.files.push_back(std::move(check));
  }
  run.complete = all;
  if (!all)
    run.reason = m["files"].empty() ? "manifest lists no files" : "not every file is verified";
  return run;
}

Result<FinalizeOutcome> Finalizer::Complete(LiveUpload& up) const {
  const UploadInfo& info = up.info();
  const Declaration& decl = info.declaration;
  // The verifier computed MD5 all along: a digest declared late is compared like any other.
  SEQGATE_RETURN_IF_ERROR(up.CatchUp());
  auto verified = up.verifier().Finish(decl.sha256, decl.md5);

  FileReceipt r;
  r.site = info.site;
  r.run = decl.run;
  r.path = decl.path;
  r.upload_id = info.id;
  r.encoding = std::string(ContentEncodingName(decl.encoding));
  r.packed_size = *info.length;
  if (decl.sha256) r.declared_sha256 = decl.sha256->hex();
  if (decl.md5) r.declared_md5 = decl.md5->hex();
  r.time = NowRfc3339();
  r.server = server_name_;

  std::string destination;
  if (!verified.ok()) {
    StatusCode code = verified.status().code();
    if (code != StatusCode::kCorruption && code != StatusCode::kUnsupported &&
        code != StatusCode::kInvalidArgument) {
      // An I/O failure says nothing about the content: start over on the next attempt.
      up.Restart().IgnoreError();
      return verified.status();
    }
    r.status = ReceiptStatus::kQuarantined;
    r.reason = verified.status().message();
  } else {
    r.original_size = verified->original_size;
    if (decl.encoding == ContentEncoding::kZstdSeekable) r.frames = verified->frames;
    r.sha256 = verified->sha256.hex();
    // Always stated: gateways that leave MD5 to the centre take it from here.
    if (verified->md5) r.md5 = verified->md5->hex();
    if (verified->packed_size != *info.length) {
      r.status = ReceiptStatus::kQuarantined;
      r.reason = "verifier saw " + std::to_string(verified->packed_size) + " bytes, upload has " +
                 std::to_string(*info.length);
    } else if (decl.placed() && decl.sha256) {
      r.status = ReceiptStatus::kVerified;
    } else {
      r.status = ReceiptStatus::kUnverified;
      r.reason = decl.placed() ? "no seqgate-sha256 declared" : "plain tus upload";
    }
  }

  std::lock_guard<std::mutex> placing(placement_mu_);
  if (r.status == ReceiptStatus::kVerified) {
    destination = store_.FinalPath(info.site, decl.run, FinalRelative(info));
    // A path that meets another stored path (a file where it needs a folder, or the reverse,
    // in the run or in the receipt index beside it) is refused here, before the receipt says
    // "verified": otherwise the move would fail after the receipt was written.
    std::string run_dir = ParentDir(store_.FinalPath(info.site, decl.run, "x"));
    std::string index_dir = ParentDir(store_.IndexPath(info.site, decl.run, "x"));
    std::string blocked = Blocker(run_dir, FinalRelative(info));
    if (blocked.empty()) blocked = Blocker(index_dir, decl.path + ".json");
    if (!blocked.empty()) {
      r.status = ReceiptStatus::kQuarantined;
      r.reason = decl.run + "/" + FinalRelative(info) + " cannot be stored: " + blocked;
    } else if (Exists(destination)) {
      if (auto existing = FindVerified(info.site, decl)) {
        r.duplicate_of = PeekReceipt(*existing)->upload_id;
        r.reason = "identical file already stored by upload " + r.duplicate_of;
      } else {
        r.status = ReceiptStatus::kQuarantined;
        r.reason = decl.run + "/" + FinalRelative(info) + " already holds different content";
      }
    }
  }
  if (r.status == ReceiptStatus::kQuarantined) {
    destination = store_.QuarantinePath(info.site, info.id);
  } else if (r.status == ReceiptStatus::kUnverified) {
    auto md = info.metadata_header;  // only the name is needed: re-parse cheaply
    std::string filename;
    if (auto parsed = ParseUploadMetadata(md, 1 << 20); parsed.ok()) {
      if (auto it = parsed->find("filename"); it != parsed->end()) filename = it->second;
    }
    destination = store_.UnverifiedPath(info.site, info.id, UnverifiedName(info, filename));
  }
  r.stored_as = Relative(store_, destination);

  std::optional<RunReceipt> run;
  if (decl.kind == UploadKind::kManifest && r.status != ReceiptStatus::kQuarantined) {
    SEQGATE_ASSIGN_OR_RETURN(run, CheckRun(info, up.data_path()));
    SEQGATE_ASSIGN_OR_RETURN(std::string run_doc, SignRunReceipt(*run, signer_));
    std::string run_path = store_.RunReceiptPath(info.site, decl.run);
    SEQGATE_RETURN_IF_ERROR(MakeDirs(store_.env(), ParentDir(run_path)));
    SEQGATE_RETURN_IF_ERROR(WriteFileAtomic(store_.env(), run_path, run_doc));
  }

  SEQGATE_ASSIGN_OR_RETURN(std::string doc, SignFileReceipt(r, run, signer_));
  SEQGATE_RETURN_IF_ERROR(
      WriteFileAtomic(store_.env(), store_.ReceiptPath(info.site, info.id), doc));
  SEQGATE_RETURN_IF_ERROR(Recover(info.site, info.id));
  Log(r.status == ReceiptStatus::kQuarantined ? LogLevel::kWarning : LogLevel::kInfo,
      "upload.finalized",
      {{"site", info.site},
       {"upload", info.id},
       {"status", std::string(ReceiptStatusName(r.status))},
       {"run", r.run},
       {"path", r.path},
       {"stored_as", r.stored_as},
       {"reason", r.reason}});
  return FinalizeOutcome{r.status, r.reason, doc};
}

Status Finalizer::Recover(const std::string& site, const std::string& id) const {
  SEQGATE_ASSIGN_OR_RETURN(std::optional<std::string> doc, store_.LoadReceipt(site, id));
  if (!doc) return Status::Ok();
  json j = json::parse(*doc, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("receipt") || !j["receipt"].is_object()) {
    return Corruption("receipt of " + id + " is not a receipt document");
  }
  const json& r = j["receipt"];
  // Our own file, but a damaged disk may hand back anything: read fields by type (value()
  // throws on a wrong one) and never follow a stored path that is not a clean relative one.
  auto text = [&r](const char* key) {
    auto it = r.find(key);
    return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  // (Not NormaliseRelativePath: a stored path is site + run + declared path, longer and deeper
  // than one declared path may be.)
  auto clean = [](const std::string& rel) {
    if (rel.empty() || rel.front() == '/' || rel.find('\0') != std::string::npos) return false;
    for (size_t at = 0; at <= rel.size();) {
      size_t end = std::min(rel.find('/', at), rel.size());
      const std::string_view part(rel.data() + at, end - at);
      if (part.empty() || part == "." || part == "..") return false;
      at = end + 1;
    }
    return true;
  };
  std::string status = text("status");
  bool duplicate = r.contains("duplicate_of");
  std::string data = store_.DataPath(site, id);
  if (Exists(data)) {
    if (duplicate) {
      // The file is already stored under another upload's receipt: ours keeps only its receipt.
      SEQGATE_RETURN_IF_ERROR(store_.env().RemoveFile(data));
      SEQGATE_RETURN_IF_ERROR(FsyncDir(store_.env(), ParentDir(data)));
    } else {
      const std::string stored_as = text("stored_as");
      if (!clean(stored_as)) {
        return Corruption("receipt of " + id + " names no valid stored_as ('" + stored_as + "')");
      }
      std::string dest = store_.root() + "/" + stored_as;
      SEQGATE_RETURN_IF_ERROR(MakeDirs(store_.env(), ParentDir(dest)));
      SEQGATE_RETURN_IF_ERROR(RenameNoReplace(store_.env(), data, dest));
    }
  }
  if (status == "verified" && !duplicate) {
    const std::string run = text("run"), path = text("path");
    if (!clean(run) || !clean(path)) {
      return Corruption("receipt of " + id + " names no valid run and path");
    }
    std::string index = store_.IndexPath(site, run, path);
    if (!Exists(index)) {
      SEQGATE_RETURN_IF_ERROR(MakeDirs(store_.env(), ParentDir(index)));
      SEQGATE_RETURN_IF_ERROR(WriteFileAtomic(store_.env(), index, *doc));
    }
  }
  return Status::Ok();
}

}  // namespace seqgate::ingest
