#pragma once
/// \file Hashes of the auth-key handshake (https://core.telegram.org/mtproto/auth_key): the
/// temporary AES key/IV for server_DH_inner_data and client_DH_inner_data, auth_key_id,
/// auth_key_aux_hash, new_nonce_hash1/2/3 and the first server salt.

#include <cstdint>

#include "telepp/base/int128.hpp"
#include "telepp/crypto/kdf.hpp"

namespace telepp::crypto {

/// tmp_aes_key = SHA1(new_nonce ‖ server_nonce) ‖ SHA1(server_nonce ‖ new_nonce)[0..12);
/// tmp_aes_iv = SHA1(server_nonce ‖ new_nonce)[12..20) ‖ SHA1(new_nonce ‖ new_nonce) ‖
/// new_nonce[0..4).
AesKeyIv handshake_tmp_aes(const Int256& new_nonce, const Int128& server_nonce);

/// auth_key_id: the low 64 bits of SHA-1(auth_key), i.e. its last 8 bytes read little-endian
/// (the value written little-endian at the start of every encrypted message).
std::uint64_t auth_key_id(const AuthKeyBytes& auth_key);

/// auth_key_aux_hash: the high 64 bits of SHA-1(auth_key), i.e. its first 8 bytes, as bytes.
FixedBytes<8> auth_key_aux_hash(const AuthKeyBytes& auth_key);

/// Which dh_gen_* answer a new_nonce_hash belongs to.
enum class DhGenOutcome : Byte { ok = 1, retry = 2, fail = 3 };

/// new_nonce_hash1/2/3: the low 128 bits (bytes 4..20) of
/// SHA-1(new_nonce ‖ byte(outcome) ‖ auth_key_aux_hash).
Int128 new_nonce_hash(const Int256& new_nonce, DhGenOutcome outcome, const AuthKeyBytes& auth_key);

/// The first server salt: new_nonce[0..8) XOR server_nonce[0..8), read as a little-endian long.
std::uint64_t handshake_server_salt(const Int256& new_nonce, const Int128& server_nonce);

}  // namespace telepp::crypto
