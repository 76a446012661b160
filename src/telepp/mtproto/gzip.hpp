#pragma once
/// \file `gzip_packed` payloads: compress outgoing bodies, inflate incoming ones with a size limit.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"

namespace telepp::mtproto {

inline constexpr std::uint32_t kGzipPackedId = 0x3072cfa1;
/// The largest inflated size accepted (a bomb guard; real payloads are far below).
inline constexpr std::size_t kMaxInflatedSize = 16 * 1024 * 1024;

/// gzip-compresses `data` (what Telegram sends in gzip_packed.packed_data).
Bytes gzip_compress(ByteView data);
/// Inflates gzip data, or zlib-wrapped deflate data (some clients in the wild send that).
/// SECURITY: fails with `decompression` beyond `max_size` bytes, on corrupt or truncated input,
/// and on trailing garbage.
Result<Bytes> gzip_decompress(ByteView data, std::size_t max_size = kMaxInflatedSize);

/// The boxed `gzip_packed` wrapping `body` when that is smaller, else nullopt.
std::optional<Bytes> maybe_gzip_packed(ByteView body);

}  // namespace telepp::mtproto
