#pragma once
/// \file Message keys and AES key/IV derivation of encrypted MTProto messages: MTProto 2.0
/// (SHA-256, https://core.telegram.org/mtproto/description#defining-aes-key-and-initialization-vector)
/// and MTProto 1.0 (SHA-1, still used for the `bind_auth_key_inner` message of
/// auth.bindTempAuthKey, https://core.telegram.org/method/auth.bindTempAuthKey).

#include "telepp/base/bytes.hpp"
#include "telepp/base/int128.hpp"

namespace telepp::crypto {

/// An authorization key: 2048 bits, as the big-endian bytes of g^(ab) mod p.
using AuthKeyBytes = FixedBytes<256>;

/// Which way a message travels; selects x = 0 (client to server) or x = 8 (server to client).
enum class Direction { client_to_server, server_to_client };

/// An AES-256-IGE key and IV (see aes_ige.hpp for the IV convention).
struct AesKeyIv {
  Int256 key;
  Int256 iv;
};

/// MTProto 2.0 msg_key: bytes 8..24 of SHA-256(auth_key[88+x .. 120+x) ‖ plaintext), where
/// `plaintext` includes the random padding.
Int128 msg_key_for(const AuthKeyBytes& auth_key, ByteView plaintext, Direction direction);

/// MTProto 2.0 KDF: sha256_a = SHA256(msg_key ‖ auth_key[x..x+36)),
/// sha256_b = SHA256(auth_key[40+x..76+x) ‖ msg_key); key = a[0..8) ‖ b[8..24) ‖ a[24..32),
/// iv = b[0..8) ‖ a[8..24) ‖ b[24..32).
AesKeyIv derive_aes(const AuthKeyBytes& auth_key, const Int128& msg_key, Direction direction);

/// MTProto 1.0 msg_key: bytes 4..20 of SHA-1 of the plaintext WITHOUT padding.
Int128 msg_key_v1(ByteView plaintext_without_padding);

/// MTProto 1.0 KDF (four SHA-1s over msg_key and 32/16-byte slices of the auth key).
AesKeyIv derive_aes_v1(const AuthKeyBytes& auth_key, const Int128& msg_key, Direction direction);

}  // namespace telepp::crypto
