#include "adapters/bounded_read.h"

#include <memory>

namespace seqgate::bridge {

Result<std::string> ReadBounded(Env* env, const std::string& path, size_t max_bytes) {
  SEQGATE_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->OpenForRead(path));
  SEQGATE_ASSIGN_OR_RETURN(FileIdentity id, file->Stat());
  auto too_big = [&] {
    return Status(StatusCode::kResourceExhausted, "'" + path + "' is larger than the " +
                                                      std::to_string(max_bytes) +
                                                      "-byte limit for this kind of file");
  };
  if (id.size > max_bytes) return too_big();
  // The file may grow between fstat and read: read one byte more than allowed to notice.
  std::string buf(static_cast<size_t>(id.size) + 1, '\0');
  if (buf.size() > max_bytes + 1) buf.resize(max_bytes + 1);
  size_t have = 0;
  while (have < buf.size()) {
    SEQGATE_ASSIGN_OR_RETURN(
        size_t n, file->ReadAt(have, MutableByteView(reinterpret_cast<uint8_t*>(buf.data()) + have,
                                                     buf.size() - have)));
    if (n == 0) break;
    have += n;
  }
  if (have > max_bytes) return too_big();
  buf.resize(have);
  return buf;
}

Result<std::string> ReadRunFile(Env* env, const RunSnapshot& snap, std::string_view rel,
                                size_t max_bytes) {
  const Entry* e = snap.Find(rel);
  if (e == nullptr) return NotFound(std::string(rel) + ": not in the run folder");
  if (e->type != FileType::kRegular) {
    return InvalidArgument(std::string(rel) + ": is a " + std::string(FileTypeName(e->type)) +
                           ", not a regular file");
  }
  auto r = ReadBounded(env, snap.Abs(rel), max_bytes);
  if (!r.ok()) return r.status();
  return r;
}

Result<std::string> ReadRunFileTail(Env* env, const RunSnapshot& snap, std::string_view rel,
                                    size_t max_bytes) {
  const Entry* e = snap.Find(rel);
  if (e == nullptr || e->type != FileType::kRegular) {
    return NotFound(std::string(rel) + ": not a regular file in the run folder");
  }
  SEQGATE_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->OpenForRead(snap.Abs(rel)));
  SEQGATE_ASSIGN_OR_RETURN(FileIdentity id, file->Stat());
  const uint64_t start = id.size > max_bytes ? id.size - max_bytes : 0;
  std::string buf(static_cast<size_t>(id.size - start), '\0');
  SEQGATE_ASSIGN_OR_RETURN(
      size_t n,
      file->ReadAt(start, MutableByteView(reinterpret_cast<uint8_t*>(buf.data()), buf.size())));
  buf.resize(n);
  return buf;
}

}  // namespace seqgate::bridge
