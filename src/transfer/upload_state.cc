#include "transfer/upload_state.h"

#include <nlohmann/json.hpp>

#include "common/json_integer.h"  // the fuzzer found 6.5e67 read as a frame size
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
    s.version = JsonInteger<int>(j.at("version"));
    if (s.version != 1) return Unsupported("upload state version " + std::to_string(s.version));
    s.source_path = j.at("source_path").get<std::string>();
    const json& src = j.at("source");
    s.source.device = JsonInteger<uint64_t>(src.at("device"));
    s.source.inode = JsonInteger<uint64_t>(src.at("inode"));
    s.source.size = JsonInteger<uint64_t>(src.at("size"));
    s.source.mtime_ns = JsonInteger<int64_t>(src.at("mtime_ns"));
    s.source.type = FileType::kRegular;
    s.endpoint = j.at("endpoint").get<std::string>();
    s.upload_url = j.at("upload_url").get<std::string>();
    s.level = JsonInteger<int>(j.at("level"));
    s.frame_size = JsonInteger<uint32_t>(j.at("frame_size"));
    s.md5 = j.at("md5").get<bool>();
    auto enc = pipeline::ParseEncoding(j.at("encoding").get<std::string>());
    if (!enc) return Corruption("upload state has an unknown encoding");
    s.encoding = *enc;
    for (const json& r : j.at("records")) {
      pipeline::FrameRecord f;
      f.index = JsonInteger<uint32_t>(r.at(0));
      f.input_offset = JsonInteger<uint64_t>(r.at(1));
      f.input_size = JsonInteger<uint32_t>(r.at(2));
      f.output_offset = JsonInteger<uint64_t>(r.at(3));
      f.output_size = JsonInteger<uint32_t>(r.at(4));
      f.input_checksum = JsonInteger<uint32_t>(r.at(5));
      f.output_xxh64 = JsonInteger<uint64_t>(r.at(6));
      s.records.push_back(f);
    }
    s.packed = j.at("packed").get<bool>();
    s.trailer_size = JsonInteger<uint64_t>(j.at("trailer_size"));
    s.packed_size = JsonInteger<uint64_t>(j.at("packed_size"));
    s.original_size = JsonInteger<uint64_t>(j.at("original_size"));
    s.original_sha256 = j.at("original_sha256").get<std::string>();
    s.original_md5 = j.at("original_md5").get<std::string>();
    s.acked_offset = JsonInteger<uint64_t>(j.at("acked_offset"));
    s.complete = j.at("complete").get<bool>();
  } catch (const json::exception& e) {  // a boundary: malformed input, not a programmer error
    return Corruption(std::string("upload state: ") + e.what());
  } catch (const JsonNumberError&) {
    return Corruption("upload state: a number is not an integer in range");
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
