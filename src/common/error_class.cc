#include "common/error_class.h"

namespace seqgate {

Retryability Classify(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kTimeout:
    case StatusCode::kIoError:            // a failed read may be a flaky share
    case StatusCode::kResourceExhausted:  // disk space and descriptors come back
      return Retryability::kTransient;
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
    case StatusCode::kSourceChanged:  // the caller restarts the file from scratch instead
    case StatusCode::kCorruption:
    case StatusCode::kUnsupported:
    case StatusCode::kAborted:
    case StatusCode::kInternal:
      return Retryability::kPermanent;
  }
  return Retryability::kPermanent;
}

}  // namespace seqgate
