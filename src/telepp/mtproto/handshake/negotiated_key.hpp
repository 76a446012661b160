#pragma once
/// \file What the auth-key handshake produces in both roles, and the vocabulary both share.
/// See https://core.telegram.org/mtproto/auth_key and /api/pfs.

#include <cstdint>
#include <optional>

#include "telepp/base/time.hpp"
#include "telepp/mtproto/auth_key.hpp"

namespace telepp::mtproto::handshake {

/// Which key a handshake creates: a permanent key (p_q_inner_data_dc) or a temporary one
/// (p_q_inner_data_temp_dc) that the server keeps in RAM for at most `expires_in` seconds and that
/// the client binds to its permanent key with auth.bindTempAuthKey (see bind_temp_key.hpp).
enum class KeyKind : std::uint8_t { permanent, temporary };

/// The `dc` field of p_q_inner_data_dc/_temp_dc: the DC number, plus 10000 for a test DC, made
/// negative for a media (not CDN) DC. Example: DC 2 → 2; its media DC → -2; test DC 2 → 10002.
constexpr std::int32_t inner_data_dc(std::int32_t dc_id, bool test, bool media) {
  const std::int32_t id = test ? dc_id + 10000 : dc_id;
  return media ? -id : id;
}

/// A key both sides agreed on, with what comes with it.
struct NegotiatedKey {
  AuthKey auth_key;
  /// The first server salt: new_nonce[0..8) XOR server_nonce[0..8) as a little-endian long.
  std::uint64_t server_salt = 0;
  KeyKind kind = KeyKind::permanent;
  /// Temporary keys: when the key expires, Unix seconds on the server's clock (the server's time
  /// at the end of the handshake plus expires_in). 0 for a permanent key.
  std::int64_t expires_at = 0;
  /// The inner data's `dc` field as sent (see `inner_data_dc`); absent when an old client sent
  /// p_q_inner_data or p_q_inner_data_temp, which have none.
  std::optional<std::int32_t> dc;
};

}  // namespace telepp::mtproto::handshake
