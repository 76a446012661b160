#pragma once
/// \file The vocabulary shared by every transport piece: roles, protocols, size limits.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace telepp::mtproto::transport {

/// Which end of the connection a codec runs: the client writes the protocol header and may ask
/// for quick acks; the server detects the header and may send quick acks and transport errors.
enum class Role : std::uint8_t { client, server };

/// The framing of MTProto packets on a stream. See https://core.telegram.org/mtproto/mtproto-transports.
enum class Protocol : std::uint8_t {
  abridged,             ///< 0xef marker; length in 4-byte words, 1 or 4 bytes
  intermediate,         ///< 0xeeeeeeee marker; 4-byte length
  padded_intermediate,  ///< 0xdddddddd marker; 4-byte length, 0..15 random bytes after the payload
  full,                 ///< no marker; length, seq_no, payload, CRC32
};

std::string_view to_string(Protocol protocol);

/// The default limit on one frame's payload: the largest encrypted message (a 16 MiB body plus
/// its 56-byte header and at most 1024 bytes of padding) with room to spare.
inline constexpr std::size_t kDefaultMaxFrameSize = (std::size_t{16} << 20) + 4096;

}  // namespace telepp::mtproto::transport
