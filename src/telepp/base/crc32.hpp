#pragma once
/// \file CRC-32 (IEEE 802.3, as zlib computes it): TL constructor IDs and the full transport.

#include <cstdint>

#include "telepp/base/bytes.hpp"

namespace telepp {

/// CRC-32 of `data`, continuing from `crc` (0 to start).
std::uint32_t crc32(ByteView data, std::uint32_t crc = 0);

}  // namespace telepp
