#pragma once
/// \file Fixed-size big integers as TL carries them: 16 or 32 bytes, in wire order.

#include <array>
#include <compare>
#include <cstddef>

#include "telepp/base/bytes.hpp"

namespace telepp {

/// `N` bytes exactly as they appear on the wire (TL int128/int256 are opaque byte strings:
/// nonces, hashes). Compared bytewise.
template <std::size_t N>
struct FixedBytes {
  std::array<Byte, N> bytes{};

  static constexpr std::size_t size() { return N; }
  Byte* data() { return bytes.data(); }
  const Byte* data() const { return bytes.data(); }
  ByteView view() const { return {bytes.data(), N}; }
  auto operator<=>(const FixedBytes&) const = default;
};

using Int128 = FixedBytes<16>;
using Int256 = FixedBytes<32>;

}  // namespace telepp
