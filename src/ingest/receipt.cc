#include "ingest/receipt.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "common/bytes.h"

namespace seqgate::ingest {
namespace {

using nlohmann::json;

json FileJson(const FileReceipt& r) {
  json j;
  j["kind"] = "file";
  j["version"] = 1;
  j["site"] = r.site;
  j["run"] = r.run;
  j["path"] = r.path;
  j["upload"] = r.upload_id;
  j["encoding"] = r.encoding;
  j["packed_size"] = r.packed_size;
  if (r.original_size) j["original_size"] = *r.original_size;
  if (r.frames) j["frames"] = *r.frames;
  j["sha256"] = r.sha256;
  if (!r.md5.empty()) j["md5"] = r.md5;
  j["declared_sha256"] = r.declared_sha256;
  if (!r.declared_md5.empty()) j["declared_md5"] = r.declared_md5;
  j["status"] = std::string(ReceiptStatusName(r.status));
  j["reason"] = r.reason;
  if (!r.duplicate_of.empty()) j["duplicate_of"] = r.duplicate_of;
  j["stored_as"] = r.stored_as;
  j["time"] = r.time;
  j["server"] = r.server;
  return j;
}

json RunJson(const RunReceipt& r) {
  json files = json::array();
  for (const auto& f : r.files) {
    files.push_back(
        {{"path", f.path}, {"sha256", f.sha256}, {"status", f.status}, {"upload", f.upload_id}});
  }
  return {{"kind", "run"},
          {"version", 1},
          {"site", r.site},
          {"run", r.run},
          {"manifest_upload", r.manifest_upload_id},
          {"files", files},
          {"status", r.complete ? "complete" : "incomplete"},
          {"reason", r.reason},
          {"time", r.time},
          {"server", r.server}};
}

// The canonical form is nlohmann's compact dump: object keys sorted (std::map), no spaces,
// UTF-8 passed through. Python's json.dumps(sort_keys=True, separators=(",", ":"),
// ensure_ascii=False) yields the same bytes for the values we emit.
Result<std::string> Sign(const json& receipt, const ReceiptSigner& signer) {
  std::string canonical;
  try {
    canonical = receipt.dump();
  } catch (const json::type_error&) {  // text that is not UTF-8 cannot be a JSON string
    return InvalidArgument("receipt field is not valid UTF-8; nothing signed");
  }
  SEQGATE_ASSIGN_OR_RETURN(std::string sig, signer.Sign(canonical));
  json doc;
  doc["receipt"] = receipt;
  doc["signature"] = {
      {"algorithm", "ed25519"}, {"key_id", signer.key_id()}, {"value", Base64Encode(AsBytes(sig))}};
  return doc.dump(2) + "\n";
}

}  // namespace

std::string_view ReceiptStatusName(ReceiptStatus s) {
  switch (s) {
    case ReceiptStatus::kVerified:
      return "verified";
    case ReceiptStatus::kUnverified:
      return "unverified";
    case ReceiptStatus::kQuarantined:
      return "quarantined";
  }
  return "unverified";
}

Result<std::string> SignFileReceipt(const FileReceipt& receipt,
                                    const std::optional<RunReceipt>& run,
                                    const ReceiptSigner& signer) {
  json j = FileJson(receipt);
  if (run) j["run_receipt"] = RunJson(*run);
  return Sign(j, signer);
}

Result<std::string> SignRunReceipt(const RunReceipt& run, const ReceiptSigner& signer) {
  return Sign(RunJson(run), signer);
}

Result<std::string> VerifyReceiptDocument(std::string_view document,
                                          std::string_view public_key_pem) {
  json doc = json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("receipt") ||
      !doc.contains("signature") || !doc["signature"].is_object() ||
      !doc["signature"].contains("value") || !doc["signature"]["value"].is_string()) {
    return Corruption("not a receipt document");
  }
  std::string sig;
  if (!Base64Decode(doc["signature"]["value"].get<std::string>(), &sig)) {
    return Corruption("receipt signature is not base64");
  }
  std::string canonical = doc["receipt"].dump();
  if (!VerifyEd25519(public_key_pem, canonical, sig)) {
    return Corruption("receipt signature does not verify");
  }
  return canonical;
}

Result<ReceiptDigest> PeekReceipt(std::string_view document) {
  json doc = json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("receipt") ||
      !doc["receipt"].is_object()) {
    return Corruption("not a receipt document");
  }
  const json& r = doc["receipt"];
  // Typed or empty: value() would throw on a field of another type, and this runs on request
  // paths (deduplication, GET receipt, run checks).
  auto text = [&r](const char* key) {
    auto it = r.find(key);
    return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  ReceiptDigest d;
  d.status = text("status");
  d.sha256 = text("sha256");
  d.upload_id = text("upload");
  if (auto it = r.find("packed_size"); it != r.end() && it->is_number_unsigned()) {
    d.packed_size = it->get<uint64_t>();
  }
  return d;
}

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace seqgate::ingest
