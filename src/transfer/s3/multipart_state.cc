#include "transfer/s3/multipart_state.h"

#include <nlohmann/json.hpp>

#include "common/json_integer.h"
#include "common/small_file.h"

namespace seqgate::transfer::s3 {

using nlohmann::json;

std::string MultipartStateToJson(const MultipartState& s) {
  json parts = json::array();
  for (const auto& [n, p] : s.parts) {
    parts.push_back({{"number", n}, {"size", p.size}, {"md5", p.md5}, {"etag", p.etag}});
  }
  json j = {{"version", s.version},
            {"kind", "s3-multipart"},
            {"endpoint", s.endpoint},
            {"bucket", s.bucket},
            {"key", s.key},
            {"source", s.source},
            {"source_fingerprint", s.source_fingerprint},
            {"object_size", s.object_size},
            {"part_size", s.part_size},
            {"upload_id", s.upload_id},
            {"parts", parts},
            {"complete", s.complete},
            {"etag", s.etag}};
  return j.dump(1) + "\n";
}

Result<MultipartState> MultipartStateFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corruption("S3 upload state is not a JSON object");
  MultipartState s;
  try {
    s.version = JsonInteger<int>(j.at("version"));
    if (s.version != 1) return Unsupported("S3 upload state version " + std::to_string(s.version));
    if (j.at("kind").get<std::string>() != "s3-multipart") {
      return Corruption("state file is not an S3 multipart upload state");
    }
    s.endpoint = j.at("endpoint").get<std::string>();
    s.bucket = j.at("bucket").get<std::string>();
    s.key = j.at("key").get<std::string>();
    s.source = j.at("source").get<std::string>();
    s.source_fingerprint = j.at("source_fingerprint").get<std::string>();
    s.object_size = JsonInteger<uint64_t>(j.at("object_size"));
    s.part_size = JsonInteger<uint64_t>(j.at("part_size"));
    s.upload_id = j.at("upload_id").get<std::string>();
    for (const json& p : j.at("parts")) {
      const auto n = JsonInteger<uint32_t>(p.at("number"));
      if (n < 1 || n > 10000)
        return Corruption("S3 upload state has part number " + std::to_string(n));
      s.parts[n] = {JsonInteger<uint64_t>(p.at("size")), p.at("md5").get<std::string>(),
                    p.at("etag").get<std::string>()};
    }
    s.complete = j.at("complete").get<bool>();
    s.etag = j.at("etag").get<std::string>();
  } catch (const json::exception& e) {  // a boundary: malformed input, not a programmer error
    return Corruption(std::string("S3 upload state: ") + e.what());
  } catch (const JsonNumberError&) {
    return Corruption("S3 upload state: a number is not an integer in range");
  }
  return s;
}

Result<std::optional<MultipartState>> LoadMultipartState(const std::string& path) {
  SEQGATE_ASSIGN_OR_RETURN(auto text, ReadSmallFileIfExists(path));
  if (!text) return std::optional<MultipartState>();
  auto s = MultipartStateFromJson(*text);
  if (!s.ok()) return s.status().WithContext(path);
  return std::optional<MultipartState>(std::move(*s));
}

Status SaveMultipartState(const std::string& path, const MultipartState& s) {
  return ReplaceFileDurably(path, MultipartStateToJson(s));
}

}  // namespace seqgate::transfer::s3
