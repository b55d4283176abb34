#include "ingest/upload_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/json_integer.h"
#include "ingest/durable_fs.h"
#include "ingest/path_policy.h"

namespace seqgate::ingest {
namespace {

using nlohmann::json;

constexpr size_t kMaxStateFile = 1 << 20;

std::optional<Digest> DigestFromHex(const json& j, const char* key, size_t size) {
  if (!j.contains(key) || !j[key].is_string()) return std::nullopt;
  Digest d;
  d.size = size;
  if (!FromHex(j[key].get<std::string>(), MutableByteView(d.bytes.data(), size))) {
    return std::nullopt;
  }
  return d;
}

Result<json> LoadJson(const std::string& path) {
  SEQGATE_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path, kMaxStateFile));
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corruption("'" + path + "' is not valid JSON");
  return j;
}

}  // namespace

bool IsValidUploadId(std::string_view id) {
  if (id.size() != kUploadIdHexDigits) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status UploadStore::Init() const {
  for (const char* sub : {".uploads", ".quarantine", ".unverified", ".receipts"}) {
    SEQGATE_RETURN_IF_ERROR(MakeDirs(*env_, root_ + "/" + sub));
  }
  return Status::Ok();
}

std::string UploadStore::UploadDir(const std::string& site, const std::string& id) const {
  return root_ + "/.uploads/" + site + "/" + id;
}
std::string UploadStore::DataPath(const std::string& site, const std::string& id) const {
  return UploadDir(site, id) + "/data";
}
std::string UploadStore::ReceiptPath(const std::string& site, const std::string& id) const {
  return UploadDir(site, id) + "/receipt.json";
}
std::string UploadStore::QuarantinePath(const std::string& site, const std::string& id) const {
  return root_ + "/.quarantine/" + site + "/" + id + ".data";
}
std::string UploadStore::UnverifiedPath(const std::string& site, const std::string& id,
                                        const std::string& name) const {
  return root_ + "/.unverified/" + site + "/" + id + "/" + name;
}
std::string UploadStore::FinalPath(const std::string& site, const std::string& run,
                                   const std::string& path) const {
  return root_ + "/" + site + "/" + run + "/" + path;
}
std::string UploadStore::IndexPath(const std::string& site, const std::string& run,
                                   const std::string& path) const {
  return root_ + "/.receipts/" + site + "/" + run + "/files/" + path + ".json";
}
std::string UploadStore::RunReceiptPath(const std::string& site, const std::string& run) const {
  return root_ + "/.receipts/" + site + "/" + run + "/run.json";
}

Status UploadStore::Create(const UploadInfo& info, const UploadProgress& progress) const {
  std::string dir = UploadDir(info.site, info.id);
  SEQGATE_RETURN_IF_ERROR(MakeDirs(*env_, ParentDir(dir)));
  SEQGATE_RETURN_IF_ERROR(env_->CreateDir(dir, 0750));
  std::string data = DataPath(info.site, info.id);
  SEQGATE_ASSIGN_OR_RETURN(auto file, env_->CreateWritable(data, 0640, CreateMode::kExclusive));
  SEQGATE_RETURN_IF_ERROR(file->Close());
  SEQGATE_RETURN_IF_ERROR(SaveProgress(info.site, info.id, progress));
  // info.json last: an upload folder without it is a crashed creation that Load ignores.
  SEQGATE_RETURN_IF_ERROR(SaveInfo(info));
  return FsyncDir(*env_, ParentDir(dir));
}

Status UploadStore::SaveInfo(const UploadInfo& info) const {
  json j;
  j["site"] = info.site;
  j["id"] = info.id;
  if (info.length) j["length"] = *info.length;
  j["metadata"] = info.metadata_header;
  j["created"] = info.created_unix;
  const Declaration& d = info.declaration;
  j["encoding"] = std::string(ContentEncodingName(d.encoding));
  j["kind"] = d.kind == UploadKind::kManifest ? "manifest" : "file";
  j["run"] = d.run;
  j["path"] = d.path;
  if (d.sha256) j["sha256"] = d.sha256->hex();
  if (d.md5) j["md5"] = d.md5->hex();
  return WriteFileAtomic(*env_, UploadDir(info.site, info.id) + "/info.json", j.dump(2) + "\n");
}

Result<UploadInfo> UploadStore::LoadInfo(const std::string& site, const std::string& id) const {
  if (ValidateSiteName(site).ok() == false || !IsValidUploadId(id)) {
    return NotFound("no such upload");
  }
  auto j = LoadJson(UploadDir(site, id) + "/info.json");
  if (!j.ok()) {
    if (j.status().code() == StatusCode::kNotFound) return NotFound("no such upload");
    return j.status();
  }
  UploadInfo info;
  try {
    info.site = (*j)["site"].get<std::string>();
    info.id = (*j)["id"].get<std::string>();
    if (j->contains("length")) info.length = JsonInteger<uint64_t>((*j)["length"]);
    info.metadata_header = (*j)["metadata"].get<std::string>();
    info.created_unix = JsonInteger<int64_t>((*j)["created"]);
    Declaration& d = info.declaration;
    d.encoding = (*j)["encoding"] == "zstd-seekable" ? ContentEncoding::kZstdSeekable
                                                     : ContentEncoding::kIdentity;
    d.kind = (*j)["kind"] == "manifest" ? UploadKind::kManifest : UploadKind::kFile;
    d.run = (*j)["run"].get<std::string>();
    d.path = (*j)["path"].get<std::string>();
    d.sha256 = DigestFromHex(*j, "sha256", 32);
    d.md5 = DigestFromHex(*j, "md5", 16);
  } catch (const json::exception& e) {
    // nlohmann reports type errors by exception; this is where they become a Status.
    return Corruption("info.json of upload " + id + ": " + e.what());
  } catch (const JsonNumberError&) {
    return Corruption("info.json of upload " + id + ": a number is not an integer in range");
  }
  if (info.site != site || info.id != id) return Corruption("info.json of " + id + " mismatch");
  return info;
}

Status UploadStore::SaveProgress(const std::string& site, const std::string& id,
                                 const UploadProgress& p) const {
  json j = {{"offset", p.offset}, {"expires", p.expires_unix}};
  return WriteFileAtomic(*env_, UploadDir(site, id) + "/progress.json", j.dump() + "\n");
}

Result<UploadProgress> UploadStore::LoadProgress(const std::string& site,
                                                 const std::string& id) const {
  SEQGATE_ASSIGN_OR_RETURN(json j, LoadJson(UploadDir(site, id) + "/progress.json"));
  UploadProgress p;
  if (!j["offset"].is_number_unsigned() || !j["expires"].is_number_integer()) {
    return Corruption("progress.json of upload " + id + " is malformed");
  }
  p.offset = j["offset"].get<uint64_t>();
  p.expires_unix = j["expires"].get<int64_t>();
  return p;
}

Result<std::optional<std::string>> UploadStore::LoadReceipt(const std::string& site,
                                                            const std::string& id) const {
  auto text = ReadSmallFile(ReceiptPath(site, id), kMaxStateFile);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return text.status();
  }
  return std::optional<std::string>(std::move(*text));
}

Status UploadStore::Remove(const std::string& site, const std::string& id) const {
  return RemoveTree(*env_, UploadDir(site, id));
}

std::vector<UploadStore::Listed> UploadStore::ListAll() const {
  std::vector<Listed> out;
  std::error_code ec;
  for (const auto& s : std::filesystem::directory_iterator(root_ + "/.uploads", ec)) {
    std::string site = s.path().filename().string();
    if (!ValidateSiteName(site).ok()) continue;
    std::error_code ec2;
    for (const auto& u : std::filesystem::directory_iterator(s.path(), ec2)) {
      std::string id = u.path().filename().string();
      if (IsValidUploadId(id)) out.push_back({site, id});
    }
  }
  return out;
}

}  // namespace seqgate::ingest
