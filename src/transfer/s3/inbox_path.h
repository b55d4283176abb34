// The SDA s3inbox's rules for object names (sda-cli CheckValidChars and the inbox proxy), checked
// before any request so a bad name fails at once with the character and its position.
#pragma once

#include <string_view>

#include "common/status.h"

namespace seqgate::transfer::s3 {

// The characters the inbox refuses anywhere in a path, besides control characters.
inline constexpr std::string_view kInboxForbiddenChars = "\\<>\"|!*'();:@&=+$,?%#[]";

// OK when `key` is a valid inbox object path: not empty, no leading '/', no empty, "." or ".."
// segment, no forbidden or control character. kInvalidArgument naming the offending character
// and its byte offset otherwise.
Status CheckInboxKey(std::string_view key);

// OK when `bucket` (the inbox user id) is non-empty and holds no '/', forbidden or control
// character.
Status CheckInboxBucket(std::string_view bucket);

}  // namespace seqgate::transfer::s3
