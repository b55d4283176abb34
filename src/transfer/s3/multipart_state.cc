#include "transfer/s3/multipart_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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
    s.version = j.at("version").get<int>();
    if (s.version != 1) return Unsupported("S3 upload state version " + std::to_string(s.version));
    if (j.at("kind").get<std::string>() != "s3-multipart") {
      return Corruption("state file is not an S3 multipart upload state");
    }
    s.endpoint = j.at("endpoint").get<std::string>();
    s.bucket = j.at("bucket").get<std::string>();
    s.key = j.at("key").get<std::string>();
    s.source = j.at("source").get<std::string>();
    s.source_fingerprint = j.at("source_fingerprint").get<std::string>();
    s.object_size = j.at("object_size").get<uint64_t>();
    s.part_size = j.at("part_size").get<uint64_t>();
    s.upload_id = j.at("upload_id").get<std::string>();
    for (const json& p : j.at("parts")) {
      const auto n = p.at("number").get<uint32_t>();
      if (n < 1 || n > 10000)
        return Corruption("S3 upload state has part number " + std::to_string(n));
      s.parts[n] = {p.at("size").get<uint64_t>(), p.at("md5").get<std::string>(),
                    p.at("etag").get<std::string>()};
    }
    s.complete = j.at("complete").get<bool>();
    s.etag = j.at("etag").get<std::string>();
  } catch (const json::exception& e) {  // a boundary: malformed input, not a programmer error
    return Corruption(std::string("S3 upload state: ") + e.what());
  }
  return s;
}

Result<std::optional<MultipartState>> LoadMultipartState(const std::string& path) {
  std::ifstream f(path);
  if (!f) {
    if (errno == ENOENT) return std::optional<MultipartState>();
    return ErrnoStatus(errno, "open S3 upload state", path);
  }
  std::stringstream ss;
  ss << f.rdbuf();
  auto s = MultipartStateFromJson(ss.str());
  if (!s.ok()) return s.status().WithContext(path);
  return std::optional<MultipartState>(std::move(*s));
}

Status SaveMultipartState(const std::string& path, const MultipartState& s) {
  const std::string text = MultipartStateToJson(s);
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(errno, "create", tmp);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "fsync", tmp);
  }
  if (::close(fd) != 0) return ErrnoStatus(errno, "close", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus(errno, "rename", path);
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int rc = ::fsync(dfd);
    const int err = errno;
    ::close(dfd);
    if (rc != 0) return ErrnoStatus(err, "fsync directory", dir);
  }
  return Status::Ok();
}

}  // namespace seqgate::transfer::s3
