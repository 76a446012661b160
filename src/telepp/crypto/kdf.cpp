#include "telepp/crypto/kdf.hpp"

#include <cstring>

#include "telepp/crypto/hash.hpp"

namespace telepp::crypto {
namespace {

constexpr std::size_t offset(Direction d) { return d == Direction::client_to_server ? 0 : 8; }

inline ByteView slice(const AuthKeyBytes& key, std::size_t from, std::size_t len) { return {key.data() + from, len}; }

}  // namespace

Int128 msg_key_for(const AuthKeyBytes& auth_key, ByteView plaintext, Direction direction) {
  const std::size_t x = offset(direction);
  Sha256& h = thread_sha256();
  h.update(slice(auth_key, 88 + x, 32)).update(plaintext);
  Byte large[32];
  h.finish_into(large);
  Int128 out;
  std::memcpy(out.data(), large + 8, 16);
  return out;
}

AesKeyIv derive_aes(const AuthKeyBytes& auth_key, const Int128& msg_key, Direction direction) {
  const std::size_t x = offset(direction);
  Sha256& h = thread_sha256();
  Byte a[32], b[32];
  h.update(msg_key.view()).update(slice(auth_key, x, 36));
  h.finish_into(a);
  h.update(slice(auth_key, 40 + x, 36)).update(msg_key.view());
  h.finish_into(b);
  AesKeyIv out;
  std::memcpy(out.key.data(), a, 8);
  std::memcpy(out.key.data() + 8, b + 8, 16);
  std::memcpy(out.key.data() + 24, a + 24, 8);
  std::memcpy(out.iv.data(), b, 8);
  std::memcpy(out.iv.data() + 8, a + 8, 16);
  std::memcpy(out.iv.data() + 24, b + 24, 8);
  return out;
}

Int128 msg_key_v1(ByteView plaintext_without_padding) {
  const Sha1Digest d = sha1(plaintext_without_padding);
  Int128 out;
  std::memcpy(out.data(), d.data() + 4, 16);
  return out;
}

AesKeyIv derive_aes_v1(const AuthKeyBytes& auth_key, const Int128& msg_key, Direction direction) {
  const std::size_t x = offset(direction);
  Sha1& h = thread_sha1();
  Byte a[20], b[20], c[20], d[20];
  h.update(msg_key.view()).update(slice(auth_key, x, 32));
  h.finish_into(a);
  h.update(slice(auth_key, 32 + x, 16)).update(msg_key.view()).update(slice(auth_key, 48 + x, 16));
  h.finish_into(b);
  h.update(slice(auth_key, 64 + x, 32)).update(msg_key.view());
  h.finish_into(c);
  h.update(msg_key.view()).update(slice(auth_key, 96 + x, 32));
  h.finish_into(d);
  AesKeyIv out;
  // key = a[0..8) ‖ b[8..20) ‖ c[4..16)
  std::memcpy(out.key.data(), a, 8);
  std::memcpy(out.key.data() + 8, b + 8, 12);
  std::memcpy(out.key.data() + 20, c + 4, 12);
  // iv = a[8..20) ‖ b[0..8) ‖ c[16..20) ‖ d[0..8)
  std::memcpy(out.iv.data(), a + 8, 12);
  std::memcpy(out.iv.data() + 12, b, 8);
  std::memcpy(out.iv.data() + 20, c + 16, 4);
  std::memcpy(out.iv.data() + 24, d, 8);
  return out;
}

}  // namespace telepp::crypto
