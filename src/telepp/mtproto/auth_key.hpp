#pragma once
/// \file `AuthKey`: the 2048-bit key the handshake produces, with its derived identifiers.
/// See https://core.telegram.org/mtproto/auth_key and /mtproto/description.

#include <cstdint>

#include "telepp/base/int128.hpp"

namespace telepp::mtproto {

/// An MTProto authorisation key. SECURITY: the key bytes are secret: never log them (log `id()`).
class AuthKey {
 public:
  static constexpr std::size_t kSize = 256;
  using Bytes256 = FixedBytes<kSize>;

  AuthKey() = default;
  /// Takes the key's 256 bytes (big-endian, as the handshake yields them).
  explicit AuthKey(const Bytes256& key);

  bool empty() const { return id_ == 0 && key_ == Bytes256{}; }
  const Bytes256& bytes() const { return key_; }
  const Byte* data() const { return key_.data(); }
  /// auth_key_id: the lower 64 bits of SHA-1(key), as sent in every encrypted message.
  std::uint64_t id() const { return id_; }
  /// auth_key_aux_hash: the higher 64 bits of SHA-1(key) (used by new_nonce_hash).
  std::uint64_t aux_hash() const { return aux_hash_; }

  friend bool operator==(const AuthKey& a, const AuthKey& b) { return a.key_ == b.key_; }

 private:
  Bytes256 key_{};
  std::uint64_t id_ = 0;
  std::uint64_t aux_hash_ = 0;
};

}  // namespace telepp::mtproto
