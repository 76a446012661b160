#pragma once
/// \file MTProto 2.0 encrypted messages: framing, padding, msg_key and AES-256-IGE, in place.
/// See https://core.telegram.org/mtproto/description and /mtproto/security_guidelines.
///
/// Wire layout: auth_key_id (8) ‖ msg_key (16) ‖ AES-IGE(salt (8) ‖ session_id (8) ‖ msg_id (8) ‖
/// seq_no (4) ‖ length (4) ‖ body (length) ‖ padding (12..1024, total a multiple of 16)).

#include <cstdint>

#include "telepp/base/buffer.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/result.hpp"
#include "telepp/crypto/kdf.hpp"
#include "telepp/mtproto/auth_key.hpp"

namespace telepp::mtproto {

using crypto::Direction;

/// The fields inside the encryption, before the body.
struct MessageHeader {
  std::uint64_t salt = 0;
  std::uint64_t session_id = 0;
  std::int64_t msg_id = 0;
  std::int32_t seq_no = 0;
};

/// Bytes in front of the body that `encrypt_message` prepends (room to keep as headroom).
inline constexpr std::size_t kEncryptedHeaderSize = 8 + 16 + 32;
/// The largest body a single encrypted message may carry (the server's limit is about 1 MiB
/// for one request; replies such as upload.getFile are below it).
inline constexpr std::size_t kMaxMessageBody = 16 * 1024 * 1024;

/// Encrypts in place: `packet` holds the body on entry (ideally with `kEncryptedHeaderSize` bytes
/// of headroom) and the whole encrypted message on return. Padding is random, 12..1024 bytes,
/// with extra random blocks up to `max_extra_padding` (a multiple of 16, ≤ 960) to hide sizes.
/// Returns the quick-ack token a server would send for this message (client→server only).
std::uint32_t encrypt_message(const AuthKey& key, Direction direction, const MessageHeader& header, Buffer& packet,
                              Entropy& entropy, std::size_t max_extra_padding = 0);

/// A decrypted message: the header and the body (a view into the packet, which was decrypted in
/// place).
struct DecryptedMessage {
  MessageHeader header;
  ByteView body;
  std::uint32_t quick_ack = 0;  ///< the token for this message, had a client sent it
};

/// The auth_key_id of an encrypted packet (0 for unencrypted messages), or an error when the
/// packet is too short to have one.
Result<std::uint64_t> packet_auth_key_id(ByteView packet);

/// Decrypts `packet` in place and checks it. SECURITY: rejects (and reports) an auth_key_id that
/// is not `key`'s, a length that is not 24 + a multiple of 16 or below the minimum, a msg_key that
/// does not match the decrypted plaintext, and a body length or padding outside 12..1024. The
/// session and msg_id checks need state and belong to the session.
Result<DecryptedMessage> decrypt_message(const AuthKey& key, Direction direction, MutableByteView packet);

}  // namespace telepp::mtproto
