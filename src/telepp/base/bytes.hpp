#pragma once
/// \file Byte views and little-endian helpers.

#include <cstdint>
#include <bit>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace telepp {

using Byte = std::uint8_t;
/// A read-only view of bytes owned elsewhere.
using ByteView = std::span<const Byte>;
/// A writable view of bytes owned elsewhere.
using MutableByteView = std::span<Byte>;
/// Owned bytes.
using Bytes = std::vector<Byte>;

/// Views the characters of a string as bytes.
inline ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const Byte*>(s.data()), s.size()}; }
/// Views bytes as characters.
inline std::string_view as_chars(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

/// Little-endian loads and stores; the wire format of TL and MTProto.
inline std::uint32_t load_le32(const Byte* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}
inline std::uint64_t load_le64(const Byte* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
inline void store_le32(Byte* p, std::uint32_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}
inline void store_le64(Byte* p, std::uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

}  // namespace telepp
