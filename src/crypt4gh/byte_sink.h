// Where encrypted or decrypted bytes go, in order.
#pragma once

#include "common/bytes.h"
#include "common/status.h"

namespace seqgate::crypt4gh {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends `bytes` to the stream. A failure ends the stream.
  virtual Status Write(ByteView bytes) = 0;
};

}  // namespace seqgate::crypt4gh
