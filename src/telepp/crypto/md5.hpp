#pragma once
/// \file MD5, for the one place the API still names it: the md5_checksum a client may give for an
/// uploaded file (inputFile). Not for security.

#include <string>

#include "telepp/base/bytes.hpp"

namespace telepp::crypto {

/// The MD5 digest of `data` as 32 lowercase hex digits (how inputFile.md5_checksum spells it).
std::string md5_hex(ByteView data);

}  // namespace telepp::crypto
