// Byte sizes as people write them in configs and on command lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace seqgate {

// Parses "1048576", "64K", "8MiB", "1G", "2.5GB"-style sizes. K/M/G/T and KiB/MiB/GiB/TiB are
// binary (powers of 1024); KB/MB/GB/TB are decimal. kInvalidArgument naming the text otherwise.
Result<uint64_t> ParseByteSize(std::string_view text);

// "1.50 GiB", "812 KiB", "17 B": for humans, not for parsing back.
std::string FormatBytes(uint64_t bytes);

}  // namespace seqgate
