#pragma once
/// \file Internal helpers shared by the client and server roles of the handshake and by the
/// temp-key binding. Not part of the public API.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"
#include "telepp/base/time.hpp"
#include "telepp/crypto/kdf.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/message_id.hpp"
#include "telepp/mtproto/plain_message.hpp"
#include "telepp/tl/codec.hpp"

namespace telepp::mtproto::handshake::detail {

/// Bytes of SHA-1 in front of the inner data of server_DH_params_ok and set_client_DH_params.
inline constexpr std::size_t kSha1Size = 20;

/// Wraps a lower layer's error (crypto, tl) with where it happened, keeping its domain and code.
inline Failure in(std::string_view context, Error e) {
  e.detail = std::string(context) + ": " + e.detail;
  return Failure{std::move(e)};
}

/// Constant-time equality of two byte strings of the same length (false when lengths differ).
bool equal_ct(ByteView a, ByteView b);

/// Overwrites `n` bytes at `p` with zeros in a way the optimiser cannot drop (secrets: new_nonce,
/// a, b, tmp_aes).
void wipe(void* p, std::size_t n);

template <std::size_t N>
void wipe(FixedBytes<N>& v) {
  wipe(v.data(), N);
}

/// A TL string holding `bytes` (TL `bytes` fields are std::string in generated structs).
inline std::string tl_string(ByteView bytes) { return std::string(as_chars(bytes)); }
inline ByteView tl_view(const std::string& s) { return as_bytes(s); }

/// Parses one boxed T from the front of `data` and says how many bytes it took; what follows is
/// padding and is not looked at. Fails with the TL error (wrapped with `what`).
template <class T>
Result<std::pair<T, std::size_t>> parse_prefix(ByteView data, std::string_view what) {
  tl::Reader r(data);
  T value{};
  tl::read_object(r, value);
  if (!r.ok()) return in(what, r.error());
  return std::pair<T, std::size_t>(std::move(value), r.offset());
}

/// Serialises `value` boxed (our own values; a failure is reported, not asserted).
template <class T>
Result<Bytes> serialize(const T& value) {
  auto bytes = tl::to_bytes(value);
  if (!bytes) return in("serialising a handshake message", bytes.take_error());
  return std::move(*bytes);
}

/// `value` boxed inside an unencrypted message with the next msg_id of `ids` at `now`.
template <class T>
Result<Bytes> frame(const T& value, MessageIdGenerator& ids, Time now) {
  auto body = serialize(value);
  if (!body) return Failure{body.take_error()};
  return pack_plain_message(ids.next(now), *body);
}

/// Unpacks an unencrypted message and parses its body as exactly one boxed T. A body that is not
/// a T is `handshake_unexpected` (with the TL error in the detail); framing errors keep their codes.
template <class T>
Result<T> unframe(ByteView packet, Direction direction, std::string_view expected) {
  auto message = unpack_plain_message(packet, direction);
  if (!message) return Failure{message.take_error()};
  auto value = tl::deserialize<T>(message->body);
  if (!value) {
    return mtproto_fail(MtprotoErrc::handshake_unexpected,
                        "expected " + std::string(expected) + ": " + value.error().to_string());
  }
  return std::move(*value);
}

/// answer_with_hash / data_with_hash: SHA1(data) ‖ data ‖ 0..15 random bytes to a multiple of 16,
/// encrypted with AES-256-IGE under the handshake's tmp_aes_key/iv.
Result<Bytes> seal_with_sha1(ByteView data, const crypto::AesKeyIv& tmp_aes, Entropy& entropy);

/// The inverse of `seal_with_sha1` for a TL type T (server_DH_inner_data, client_DH_inner_data):
/// decrypts, parses T after the hash, and checks the hash over exactly the bytes T took and that
/// 0..15 bytes of padding follow. Every failure is `handshake_hash`: a wrong key, tampering and a
/// malformed inner object look the same from outside and are treated alike.
template <class T>
Result<T> open_with_sha1(ByteView encrypted, const crypto::AesKeyIv& tmp_aes, std::string_view what);

/// Decrypts `encrypted` (a multiple of 16 bytes, at least one block past the hash) with tmp_aes.
Result<Bytes> decrypt_tmp_aes(ByteView encrypted, const crypto::AesKeyIv& tmp_aes, std::string_view what);
/// Checks SHA1 ‖ T ‖ padding once T is parsed (`consumed` bytes after the hash).
Status check_sha1_and_padding(ByteView plaintext, std::size_t consumed, std::string_view what);

template <class T>
Result<T> open_with_sha1(ByteView encrypted, const crypto::AesKeyIv& tmp_aes, std::string_view what) {
  auto plaintext = decrypt_tmp_aes(encrypted, tmp_aes, what);
  if (!plaintext) return Failure{plaintext.take_error()};
  auto parsed = parse_prefix<T>(ByteView(*plaintext).subspan(kSha1Size), what);
  if (!parsed) {
    wipe(plaintext->data(), plaintext->size());
    return mtproto_fail(MtprotoErrc::handshake_hash, std::string(what) + " does not decrypt to SHA1 and a " +
                                                         std::string(T::tl_info.name) + ": " +
                                                         parsed.error().detail);
  }
  const Status hashed = check_sha1_and_padding(*plaintext, parsed->second, what);
  wipe(plaintext->data(), plaintext->size());
  if (!hashed.ok()) return Failure{hashed.error()};
  return std::move(parsed->first);
}

}  // namespace telepp::mtproto::handshake::detail
