#include "daemon/manifest.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "transfer/file_receipt.h"

namespace seqgate::daemon {

using nlohmann::json;

namespace {

// A receipt field of the expected type, or the empty value: the centre's document is input, and
// nlohmann's value() throws when a field holds another type (e.g. "status": 1).
std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string BuildManifest(const std::string& site, const journal::RunRecord& run,
                          const std::vector<journal::FileRecord>& files) {
  json j;
  j["kind"] = "seqgate-run-manifest";
  j["version"] = 1;
  j["run"] = run.name;
  j["site"] = site;
  j["run_id"] = run.run_id;
  j["flowcell"] = run.flowcell;
  j["family"] = run.family;
  j["instrument"] = run.instrument;
  j["state"] = run.state;
  j["outcome"] = run.outcome.value_or("");
  json meta = json::parse(run.metadata_json.empty() ? "{}" : run.metadata_json, nullptr, false);
  j["metadata"] = meta.is_object() ? meta : json::object();
  std::vector<const journal::FileRecord*> sorted;
  for (const auto& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->rel_path < b->rel_path; });
  json list = json::array();
  for (const journal::FileRecord* f : sorted) {
    json e;
    e["path"] = f->rel_path;
    e["size"] = f->identity.size;
    if (f->packed) {
      e["sha256"] = f->packed->original_sha256;
      if (f->packed->original_md5) e["md5"] = *f->packed->original_md5;
      e["encoding"] = f->packed->encoding == "zstd" ? "zstd-seekable" : f->packed->encoding;
      e["packed_size"] = f->packed->packed_size;
      if (!f->packed->packed_sha256.empty()) e["packed_sha256"] = f->packed->packed_sha256;
    }
    if (f->object) {  // the S3 path: the Crypt4GH object the inbox holds
      e["object"] = {{"key", f->object->key},
                     {"size", f->object->size},
                     {"sha256", f->object->sha256},
                     {"etag", f->object->etag.value_or("")}};
    }
    e["state"] = std::string(journal::FileStateName(f->state));
    list.push_back(std::move(e));
  }
  j["files"] = std::move(list);
  return j.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<RunReceiptSummary> ParseRunReceipt(const std::string& receipt_document) {
  json doc = json::parse(receipt_document, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Corruption("the centre's manifest receipt is not JSON");
  }
  const json* r = doc.contains("receipt") ? &doc["receipt"] : &doc;
  if (!r->is_object() || !r->contains("run_receipt") || !(*r)["run_receipt"].is_object()) {
    return Corruption("the centre's manifest receipt holds no run receipt");
  }
  const json& rr = (*r)["run_receipt"];
  RunReceiptSummary s;
  s.status = StringField(rr, "status");
  s.reason = StringField(rr, "reason");
  if (s.status.empty()) return Corruption("the centre's run receipt has no status");
  return s;
}

std::pair<std::string, std::string> ParseReceiptStatus(const std::string& doc) {
  std::optional<transfer::FileReceipt> r = transfer::ParseFileReceipt(doc);
  if (!r) return {"", ""};
  return {r->status, r->reason};
}

std::optional<journal::PackedInfo> PackedInfoFromReceipt(const std::string& receipt_document) {
  std::optional<transfer::FileReceipt> r = transfer::ParseFileReceipt(receipt_document);
  if (!r || r->sha256.empty()) return std::nullopt;
  journal::PackedInfo k;
  k.encoding = r->encoding == "zstd-seekable" ? "zstd" : "identity";
  k.original_sha256 = r->sha256;
  if (!r->md5.empty()) k.original_md5 = r->md5;
  k.packed_size = r->packed_size;
  k.original_size = r->original_size;
  return k;
}

}  // namespace seqgate::daemon
