#include "telepp/mtproto/encrypted_message.hpp"

#include <algorithm>

#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/mtproto/errc.hpp"

namespace telepp::mtproto {
namespace {

constexpr std::size_t kInnerHeader = 32;
constexpr std::size_t kMinPadding = 12;
constexpr std::size_t kMaxPadding = 1024;

std::size_t key_offset(Direction d) { return d == Direction::client_to_server ? 0 : 8; }

// SHA-256(auth_key[88+x .. 120+x) ‖ plaintext): bytes 8..24 are msg_key; the first four, with
// the top bit set, are the quick-ack token.
crypto::Sha256Digest message_hash(const AuthKey& key, Direction d, ByteView plaintext) {
  return crypto::sha256({ByteView(key.data() + 88 + key_offset(d), 32), plaintext});
}

std::uint32_t quick_ack_of(const crypto::Sha256Digest& h) { return load_le32(h.data()) | 0x80000000u; }

}  // namespace

std::uint32_t encrypt_message(const AuthKey& key, Direction direction, const MessageHeader& header, Buffer& packet,
                              Entropy& entropy, std::size_t max_extra_padding) {
  const std::size_t body = packet.size();
  Byte* h = packet.prepend(kInnerHeader);
  store_le64(h, header.salt);
  store_le64(h + 8, header.session_id);
  store_le64(h + 16, static_cast<std::uint64_t>(header.msg_id));
  store_le32(h + 24, static_cast<std::uint32_t>(header.seq_no));
  store_le32(h + 28, static_cast<std::uint32_t>(body));

  // Padding: at least 12 bytes, to a multiple of 16, plus optional random whole blocks.
  std::size_t padding = kMinPadding + (16 - (kInnerHeader + body + kMinPadding) % 16) % 16;
  max_extra_padding = std::min<std::size_t>(max_extra_padding / 16 * 16, 960);
  if (max_extra_padding > 0) {
    Byte r[2];
    entropy.fill(r);
    padding += (static_cast<std::size_t>(r[0] | r[1] << 8) % (max_extra_padding / 16 + 1)) * 16;
  }
  entropy.fill(MutableByteView(packet.append(padding), padding));

  auto plaintext = packet.mutable_view();
  auto digest = message_hash(key, direction, plaintext);
  Int128 msg_key;
  std::memcpy(msg_key.data(), digest.data() + 8, 16);
  auto aes = crypto::derive_aes(key.bytes(), msg_key, direction);
  // The plaintext is a multiple of 16 by construction, so IGE cannot fail here.
  [[maybe_unused]] auto status = crypto::aes_ige_encrypt(aes.key, aes.iv, plaintext);

  Byte* outer = packet.prepend(24);
  store_le64(outer, key.id());
  std::memcpy(outer + 8, msg_key.data(), 16);
  return quick_ack_of(digest);
}

Result<std::uint64_t> packet_auth_key_id(ByteView packet) {
  if (packet.size() < 8) return mtproto_fail(MtprotoErrc::bad_length, "packet of " + std::to_string(packet.size()) + " bytes has no auth_key_id");
  return load_le64(packet.data());
}

Result<DecryptedMessage> decrypt_message(const AuthKey& key, Direction direction, MutableByteView packet) {
  // SECURITY: every check below is required by the MTProto 2.0 security guidelines.
  // The smallest message: an empty body with 12 bytes of padding, rounded up to a block: 24 + 48.
  constexpr std::size_t kMinPacket = 24 + (kInnerHeader + kMinPadding + 15) / 16 * 16;
  if (packet.size() < kMinPacket || (packet.size() - 24) % 16 != 0) {
    return mtproto_fail(MtprotoErrc::bad_length, "encrypted packet of " + std::to_string(packet.size()) +
                                                     " bytes (need 24 + a multiple of 16, at least 72)");
  }
  auto id = load_le64(packet.data());
  if (id != key.id()) return mtproto_fail(MtprotoErrc::unknown_auth_key, "auth_key_id is not the session's key");
  Int128 msg_key;
  std::memcpy(msg_key.data(), packet.data() + 8, 16);
  auto plaintext = packet.subspan(24);
  auto aes = crypto::derive_aes(key.bytes(), msg_key, direction);
  [[maybe_unused]] auto status = crypto::aes_ige_decrypt(aes.key, aes.iv, plaintext);

  auto digest = message_hash(key, direction, plaintext);
  // Constant-time comparison: the difference must not leak through timing.
  Byte diff = 0;
  for (int i = 0; i < 16; ++i) diff |= static_cast<Byte>(digest.data()[8 + i] ^ msg_key.data()[i]);
  if (diff != 0) return mtproto_fail(MtprotoErrc::msg_key_mismatch, "msg_key does not match the decrypted message");

  const Byte* h = plaintext.data();
  DecryptedMessage out;
  out.header.salt = load_le64(h);
  out.header.session_id = load_le64(h + 8);
  out.header.msg_id = static_cast<std::int64_t>(load_le64(h + 16));
  out.header.seq_no = static_cast<std::int32_t>(load_le32(h + 24));
  std::uint32_t length = load_le32(h + 28);
  std::size_t room = plaintext.size() - kInnerHeader;
  if (length % 4 != 0 || length > room || room - length < kMinPadding || room - length > kMaxPadding) {
    return mtproto_fail(MtprotoErrc::bad_length, "message length " + std::to_string(length) + " leaves " +
                                                     std::to_string(room >= length ? room - length : 0) +
                                                     " bytes of padding (must be 12..1024, length a multiple of 4)");
  }
  out.body = ByteView(h + kInnerHeader, length);
  out.quick_ack = quick_ack_of(digest);
  return out;
}

}  // namespace telepp::mtproto
