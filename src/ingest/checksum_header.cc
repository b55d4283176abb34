#include "ingest/checksum_header.h"

#include <algorithm>
#include <string>

#include "common/bytes.h"

namespace seqgate::ingest {

Result<UploadChecksum> ParseUploadChecksum(std::string_view value) {
  size_t space = value.find(' ');
  if (space == std::string_view::npos) {
    return InvalidArgument("Upload-Checksum must be '<algorithm> <base64 digest>'");
  }
  std::string_view alg = value.substr(0, space);
  std::string_view b64 = value.substr(space + 1);
  UploadChecksum out;
  if (alg == "sha1") {
    out.algorithm = DigestAlgorithm::kSha1;
  } else if (alg == "sha256") {
    out.algorithm = DigestAlgorithm::kSha256;
  } else if (alg == "md5") {
    out.algorithm = DigestAlgorithm::kMd5;
  } else {
    std::string shown(alg.substr(0, 32));
    std::replace_if(
        shown.begin(), shown.end(),
        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, '?');
    return Unsupported("checksum algorithm '" + shown + "' is not supported (" +
                       std::string(kSupportedChecksums) + ")");
  }
  std::string raw;
  if (!Base64Decode(b64, &raw)) {
    return InvalidArgument("Upload-Checksum digest is not standard padded base64");
  }
  if (raw.size() != DigestSize(out.algorithm)) {
    return InvalidArgument("Upload-Checksum " + std::string(alg) + " digest must be " +
                           std::to_string(DigestSize(out.algorithm)) + " bytes");
  }
  std::copy(raw.begin(), raw.end(), out.expected.bytes.begin());
  out.expected.size = raw.size();
  return out;
}

}  // namespace seqgate::ingest
