#pragma once
/// \file Unencrypted MTProto messages, the framing of the auth-key handshake:
/// auth_key_id (8, zero) ‖ msg_id (8) ‖ message_data_length (4) ‖ message_data.
/// See https://core.telegram.org/mtproto/description#unencrypted-message.

#include <cstddef>
#include <cstdint>

#include "telepp/base/buffer.hpp"
#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"
#include "telepp/crypto/kdf.hpp"

namespace telepp::mtproto {

using crypto::Direction;

/// Bytes in front of the body: auth_key_id, msg_id and message_data_length.
inline constexpr std::size_t kPlainHeaderSize = 20;
/// Trailing bytes after the body that `unpack_plain_message` tolerates: what a padded transport
/// (padded intermediate adds 0..15 random bytes) may leave behind the message.
inline constexpr std::size_t kPlainMaxTrailing = 15;

/// An unencrypted message as received: its msg_id and a view of its body (into the packet).
struct PlainMessage {
  std::int64_t msg_id = 0;
  ByteView body;
};

/// Frames `body` as an unencrypted message in a new byte string. `msg_id` is written as given
/// (the caller picks one with the sender's parity).
Bytes pack_plain_message(std::int64_t msg_id, ByteView body);

/// Frames in place: `packet` holds the body on entry and the whole message on return. With
/// `kPlainHeaderSize` bytes of headroom nothing is copied.
void pack_plain_message(std::int64_t msg_id, Buffer& packet);

/// Parses an unencrypted message that travels in `direction`. The body is a view into `packet`.
/// SECURITY: rejects a packet shorter than the header (`bad_length`), a non-zero auth_key_id (an
/// encrypted message: `unknown_auth_key`), a msg_id of the wrong parity for its sender (divisible by
/// 4 from a client, odd from a server) or not positive (`bad_msg_id`), and a message_data_length
/// that is negative, not a multiple of 4, longer than the bytes present, or followed by more than
/// `kPlainMaxTrailing` bytes (`bad_length`). Time-window checks on msg_id are the caller's (the
/// handshake runs before either side knows the other's clock).
Result<PlainMessage> unpack_plain_message(ByteView packet, Direction direction);

}  // namespace telepp::mtproto
