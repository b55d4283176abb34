#include "transfer/upload_state.h"

#include <nlohmann/json.hpp>

#include "common/small_file.h"

namespace seqgate::transfer {

using nlohmann::json;

std::string UploadStateToJson(const UploadState& s) {
  json records = json::array();
  for (const auto& r : s.records) {
    records.push_back({r.index, r.input_offset, r.input_size, r.output_offset, r.output_size,
                       r.input_checksum, r.output_xxh64});
  }
  json j = {{"version", s.version},
            {"source_path", s.source_path},
            {"source",
             {{"device", s.source.device},
              {"inode", s.source.inode},
              {"size", s.source.size},
              {"mtime_ns", s.source.mtime_ns}}},
            {"endpoint", s.endpoint},
            {"upload_url", s.upload_url},
            {"level", s.level},
            {"frame_size", s.frame_size},
            {"md5", s.md5},
            {"encoding", std::string(pipeline::EncodingWireName(s.encoding))},
            {"records", records},
            {"packed", s.packed},
            {"trailer_size", s.trailer_size},
            {"packed_size", s.packed_size},
            {"original_size", s.original_size},
            {"original_sha256", s.original_sha256},
            {"original_md5", s.original_md5},
            {"acked_offset", s.acked_offset},
            {"complete", s.complete}};
  return j.dump(1) + "\n";
}

Result<UploadState> UploadStateFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corruption("upload state is not a JSON object");
  UploadState s;
  try {
    s.version = j.at("version").get<int>();
    if (s.version != 1) return Unsupported("upload state version " + std::to_string(s.version));
    s.source_path = j.at("source_path").get<std::string>();
    const json& src = j.at("source");
    s.source.device = src.at("device").get<uint64_t>();
    s.source.inode = src.at("inode").get<uint64_t>();
    s.source.size = src.at("size").get<uint64_t>();
    s.source.mtime_ns = src.at("mtime_ns").get<int64_t>();
    s.source.type = FileType::kRegular;
    s.endpoint = j.at("endpoint").get<std::string>();
    s.upload_url = j.at("upload_url").get<std::string>();
    s.level = j.at("level").get<int>();
    s.frame_size = j.at("frame_size").get<uint32_t>();
    s.md5 = j.at("md5").get<bool>();
    auto enc = pipeline::ParseEncoding(j.at("encoding").get<std::string>());
    if (!enc) return Corruption("upload state has an unknown encoding");
    s.encoding = *enc;
    for (const json& r : j.at("records")) {
      pipeline::FrameRecord f;
      f.index = r.at(0).get<uint32_t>();
      f.input_offset = r.at(1).get<uint64_t>();
      f.input_size = r.at(2).get<uint32_t>();
      f.output_offset = r.at(3).get<uint64_t>();
      f.output_size = r.at(4).get<uint32_t>();
      f.input_checksum = r.at(5).get<uint32_t>();
      f.output_xxh64 = r.at(6).get<uint64_t>();
      s.records.push_back(f);
    }
    s.packed = j.at("packed").get<bool>();
    s.trailer_size = j.at("trailer_size").get<uint64_t>();
    s.packed_size = j.at("packed_size").get<uint64_t>();
    s.original_size = j.at("original_size").get<uint64_t>();
    s.original_sha256 = j.at("original_sha256").get<std::string>();
    s.original_md5 = j.at("original_md5").get<std::string>();
    s.acked_offset = j.at("acked_offset").get<uint64_t>();
    s.complete = j.at("complete").get<bool>();
  } catch (const json::exception& e) {  // a boundary: malformed input, not a programmer error
    return Corruption(std::string("upload state: ") + e.what());
  }
  return s;
}

Result<std::optional<UploadState>> LoadUploadState(const std::string& path) {
  SEQGATE_ASSIGN_OR_RETURN(auto text, ReadSmallFileIfExists(path));
  if (!text) return std::optional<UploadState>();
  auto s = UploadStateFromJson(*text);
  if (!s.ok()) return s.status().WithContext(path);
  return std::optional<UploadState>(std::move(*s));
}

Status SaveUploadState(const std::string& path, const UploadState& s) {
  return ReplaceFileDurably(path, UploadStateToJson(s));
}

}  // namespace seqgate::transfer
