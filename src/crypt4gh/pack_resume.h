// Resuming an encrypted pack at Crypt4GH segment k: re-creates the encrypted object's bytes from
// segment k to the end, byte-identical to the first pass, re-packing only the frames that
// segment k's plaintext comes from (not the whole file, not segments 0..k-1).
#pragma once

#include <string>
#include <vector>

#include "common/env.h"
#include "crypt4gh/encryptor.h"
#include "pipeline/packer.h"

namespace seqgate::crypt4gh {

// Writes to `sink` the object bytes from CiphertextOffsetOfSegment(first_segment, header size)
// to the end, for an earlier Pack of `path` (same options, its `encoding` and frame `records`)
// encrypted with `params`. Re-packed frames are checked against their records: a changed
// source fails with kSourceChanged (then the object must start over with new parameters).
// kInvalidArgument when first_segment lies beyond the end of the packed stream.
Status ResumeEncryptedPack(Env& env, pipeline::WorkerPool& pool, const std::string& path,
                           const pipeline::PackOptions& options, pipeline::Encoding encoding,
                           const std::vector<pipeline::FrameRecord>& records,
                           const EncryptionParams& params, uint64_t first_segment, ByteSink& sink);

}  // namespace seqgate::crypt4gh
