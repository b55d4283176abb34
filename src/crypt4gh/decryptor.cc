#include "crypt4gh/decryptor.h"

#include <algorithm>

#include "crypt4gh/format.h"

namespace seqgate::crypt4gh {

Status Decryptor::Write(ByteView data) {
  if (!header_done_) {
    // Bytes are added a little at a time, so the header is never over-buffered.
    while (!data.empty() && !header_done_) {
      const size_t want = std::min<size_t>(data.size(), 4096);
      header_buf_.insert(header_buf_.end(), data.begin(),
                         data.begin() + static_cast<std::ptrdiff_t>(want));
      data = data.subspan(want);
      SEQGATE_ASSIGN_OR_RETURN(auto parsed, ParseHeader(header_buf_, sk_));
      if (parsed) {
        header_done_ = true;
        header_size_ = parsed->size;
        keys_ = std::move(parsed->data_keys);
        // Whatever followed the header in this buffer is segment data.
        seg_.assign(header_buf_.begin() + static_cast<std::ptrdiff_t>(header_size_),
                    header_buf_.end());
        header_buf_.clear();
        header_buf_.shrink_to_fit();
        seg_.reserve(kSealedSegmentSize);  // < 4 KiB left over: never a whole segment
      } else if (header_buf_.size() >= kMaxHeaderSize) {
        return Corruption("Crypt4GH header is larger than 1 MiB");
      }
    }
  }
  while (!data.empty()) {
    const size_t take = std::min(data.size(), kSealedSegmentSize - seg_.size());
    seg_.insert(seg_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (seg_.size() == kSealedSegmentSize) SEQGATE_RETURN_IF_ERROR(OpenSegment());
  }
  return Status::Ok();
}

Status Decryptor::OpenSegment() {
  const uint64_t offset = header_size_ + segment_ * kSealedSegmentSize;
  if (seg_.size() < kSegmentOverhead) {
    return Corruption("Crypt4GH segment " + std::to_string(segment_) + " at offset " +
                      std::to_string(offset) + " is truncated (" + std::to_string(seg_.size()) +
                      " bytes, less than its nonce and tag)");
  }
  Nonce nonce{};
  std::copy_n(seg_.begin(), nonce.size(), nonce.begin());
  const ByteView sealed = ByteView(seg_).subspan(nonce.size());
  plain_.resize(sealed.size() - kTagSize);
  bool opened = false;
  for (size_t i = 0; i < keys_.size() && !opened; ++i) {
    const size_t k = (last_key_ + i) % keys_.size();  // the key that worked last, first
    SEQGATE_ASSIGN_OR_RETURN(opened, aead_.Open(keys_[k], nonce, sealed, plain_));
    if (opened) last_key_ = k;
  }
  if (!opened) {
    return Corruption("Crypt4GH segment " + std::to_string(segment_) + " at offset " +
                      std::to_string(offset) + " fails authentication: the file was " +
                      (seg_.size() < kSealedSegmentSize
                           ? "truncated, altered or damaged (it ends inside this segment)"
                           : "altered or damaged"));
  }
  SEQGATE_RETURN_IF_ERROR(sink_.Write(plain_));
  plain_bytes_ += plain_.size();
  ++segment_;
  seg_.clear();
  return Status::Ok();
}

Status Decryptor::Finish() {
  if (!header_done_) {
    if (header_buf_.empty()) return Corruption("empty input: not a Crypt4GH file");
    return Corruption("Crypt4GH header is truncated (" + std::to_string(header_buf_.size()) +
                      " bytes)");
  }
  if (!seg_.empty()) return OpenSegment();
  return Status::Ok();
}

}  // namespace seqgate::crypt4gh
