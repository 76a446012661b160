#pragma once
/// \file obfuscated2: the 64-byte init payload and the AES-256-CTR keys derived from it. See
/// https://core.telegram.org/mtproto/mtproto-transports#transport-obfuscation. `Codec` runs it;
/// these pieces are public for tests and tools.

#include <array>
#include <cstdint>
#include <optional>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/mtproto/transport/protocol.hpp"

namespace telepp::mtproto::transport {

/// Size of the init payload the client sends first.
inline constexpr std::size_t kObfuscationInitSize = 64;
/// Where the protocol tag and the DC id sit inside the (decrypted) init.
inline constexpr std::size_t kObfuscationTagOffset = 56;
inline constexpr std::size_t kObfuscationDcOffset = 60;

using ObfuscationInit = std::array<Byte, kObfuscationInitSize>;

/// The 4-byte tag that names `protocol` inside an obfuscated init (little-endian on the wire):
/// 0xefefefef abridged, 0xeeeeeeee intermediate, 0xdddddddd padded intermediate. The full
/// transport has none (nullopt): it cannot be obfuscated.
std::optional<std::uint32_t> protocol_tag(Protocol protocol);
/// The protocol a tag names, or nullopt for anything else.
std::optional<Protocol> protocol_from_tag(std::uint32_t tag);

/// True when the first 8 bytes of `init` would make the server read it as something else: first
/// byte 0xef (abridged), first word 'HEAD', 'POST', 'GET ', 'OPTI', 16 03 01 02 (TLS),
/// 0xdddddddd or 0xeeeeeeee, or a zero second word (full transport, seq_no 0). `init` must hold
/// at least 8 bytes (asserted).
bool is_forbidden_init_prefix(ByteView init);

/// A fresh init: 64 random bytes, drawn again whole until `is_forbidden_init_prefix` is false,
/// then the tag of `protocol` at 56..60 and, when `dc_id` is not 0, `dc_id` (int16 LE) at 60..62.
/// `protocol` must not be `full` (asserted).
ObfuscationInit make_obfuscation_init(Protocol protocol, std::int16_t dc_id, Entropy& entropy);

/// One direction's AES-256-CTR key and initial counter block.
struct CtrKeyIv {
  Int256 key;
  Int128 iv;
};

/// The keys of the direction the init's sender encrypts with (client→server): key = init[8..40],
/// iv = init[40..56]; with a non-empty `secret` (the 16 key bytes of an MTProxy secret) the key
/// becomes SHA-256(key ‖ secret).
CtrKeyIv obfuscation_keys_client_to_server(const ObfuscationInit& init, ByteView secret);
/// The same from the reversed init: the server→client direction.
CtrKeyIv obfuscation_keys_server_to_client(const ObfuscationInit& init, ByteView secret);

}  // namespace telepp::mtproto::transport
