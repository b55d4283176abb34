// The one place that decides whether a failure is worth retrying. Every retry loop in seqgate
// (uploads, ingest storage, watchers) asks here instead of inspecting codes itself.
#pragma once

#include "common/status.h"

namespace seqgate {

enum class Retryability {
  kTransient,  // try again later with backoff: the same request may succeed
  kPermanent,  // give up on this item with a clear reason: retrying cannot help
};

Retryability Classify(const Status& status);

inline bool IsTransient(const Status& status) {
  return !status.ok() && Classify(status) == Retryability::kTransient;
}

}  // namespace seqgate
