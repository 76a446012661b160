#pragma once
/// \file Standard base64 (RFC 4648 §4, with padding): TL bytes in the JSON form.

#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"

namespace telepp {

/// Standard alphabet, '=' padded.
std::string to_base64(ByteView data);
/// Accepts exactly what `to_base64` produces (padding required, no whitespace).
Result<Bytes> from_base64(std::string_view text);

}  // namespace telepp
