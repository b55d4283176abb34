#include "pipeline/seekable_reader.h"

#include <zstd.h>

#include <vector>

#include "common/hashing.h"

namespace seqgate::pipeline {

Result<std::unique_ptr<SeekableReader>> SeekableReader::Open(Env& env, const std::string& path) {
  SEQGATE_ASSIGN_OR_RETURN(auto file, env.OpenForRead(path));
  SEQGATE_ASSIGN_OR_RETURN(const FileIdentity id, file->Stat());
  if (id.size < kSeekTableFooterSize + kSkippableHeaderSize) {
    return Corruption("'" + path + "' is too short to hold a seek table");
  }
  uint8_t footer[kSeekTableFooterSize];
  SEQGATE_ASSIGN_OR_RETURN(size_t n, file->ReadAt(id.size - kSeekTableFooterSize, footer));
  (void)n;
  SEQGATE_ASSIGN_OR_RETURN(const size_t trailer_size, SeekTable::TrailerSizeFromFooter(footer));
  if (trailer_size > id.size) {
    return Corruption("'" + path + "': seek table claims more bytes than the file holds");
  }
  std::vector<uint8_t> trailer(trailer_size);
  SEQGATE_ASSIGN_OR_RETURN(n, file->ReadAt(id.size - trailer_size, trailer));
  auto table = SeekTable::Parse(trailer);
  if (!table.ok()) return table.status().WithContext("'" + path + "'");
  if (table->total_compressed() + trailer_size != id.size) {
    return Corruption("'" + path + "': seek table frames add up to " +
                      std::to_string(table->total_compressed()) + " bytes, file has " +
                      std::to_string(id.size - trailer_size) + " before the table");
  }
  return std::unique_ptr<SeekableReader>(new SeekableReader(std::move(file), std::move(*table)));
}

Status SeekableReader::ReadRange(uint64_t offset, uint64_t length,
                                 const std::function<Status(ByteView)>& out) const {
  if (length == 0) return Status::Ok();
  if (offset > table_.total_decompressed() || length > table_.total_decompressed() - offset) {
    return InvalidArgument("range " + std::to_string(offset) + "+" + std::to_string(length) +
                           " is past the end (" + std::to_string(table_.total_decompressed()) +
                           " bytes)");
  }
  std::vector<uint8_t> cbuf, dbuf;
  auto frame = table_.FrameForOffset(offset);
  uint64_t pos = offset;
  const uint64_t end = offset + length;
  for (size_t i = *frame; pos < end; ++i) {
    const SeekEntry& e = table_.entry(i);
    cbuf.resize(e.compressed_size);
    dbuf.resize(e.decompressed_size);
    SEQGATE_ASSIGN_OR_RETURN(const size_t got, file_->ReadAt(table_.compressed_offset(i), cbuf));
    if (got != cbuf.size()) return Corruption("frame " + std::to_string(i) + " is truncated");
    const size_t r = ZSTD_decompress(dbuf.data(), dbuf.size(), cbuf.data(), cbuf.size());
    if (ZSTD_isError(r) || r != dbuf.size()) {
      return Corruption("frame " + std::to_string(i) + " does not decompress to " +
                        std::to_string(dbuf.size()) + " bytes" +
                        (ZSTD_isError(r) ? std::string(": ") + ZSTD_getErrorName(r) : ""));
    }
    if (table_.has_checksums() && static_cast<uint32_t>(Xxh64(dbuf)) != e.checksum) {
      return Corruption("frame " + std::to_string(i) + " fails its seek-table checksum");
    }
    const uint64_t fstart = table_.decompressed_offset(i);
    const size_t from = static_cast<size_t>(pos - fstart);
    const size_t to = static_cast<size_t>(std::min<uint64_t>(end - fstart, dbuf.size()));
    SEQGATE_RETURN_IF_ERROR(out({dbuf.data() + from, to - from}));
    pos = fstart + to;
  }
  return Status::Ok();
}

}  // namespace seqgate::pipeline
