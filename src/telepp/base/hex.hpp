#pragma once
/// \file Lowercase hexadecimal, for logs, JSON int128/int256 and test vectors.

#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"

namespace telepp {

/// Lowercase hex of `data`, two digits per byte.
std::string to_hex(ByteView data);
/// Parses hex (either case; ASCII whitespace ignored). Fails on odd length or other characters.
Result<Bytes> from_hex(std::string_view text);

}  // namespace telepp
