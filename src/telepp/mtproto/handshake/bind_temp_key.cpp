#include "telepp/mtproto/handshake/bind_temp_key.hpp"

#include <cstring>
#include <string>

#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/kdf.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/handshake/detail.hpp"

namespace telepp::mtproto::handshake {
namespace {

using detail::in;

// random:int128 (in place of salt and session_id) ‖ msg_id ‖ seq_no ‖ length
constexpr std::size_t kInnerHeader = 16 + 8 + 4 + 4;
// bind_auth_key_inner: constructor, four longs, an int.
constexpr std::size_t kBodySize = 4 + 4 * 8 + 4;
// auth_key_id ‖ msg_key
constexpr std::size_t kOuterHeader = 8 + 16;

}  // namespace

Result<Bytes> encrypt_bind_message(const AuthKey& perm_key, const TempKeyBinding& binding, std::int64_t msg_id,
                                   Entropy& entropy) {
  auto body = detail::serialize(mtp::bind_auth_key_inner{binding.nonce, static_cast<std::int64_t>(binding.temp_auth_key_id),
                                                         static_cast<std::int64_t>(binding.perm_auth_key_id),
                                                         static_cast<std::int64_t>(binding.temp_session_id),
                                                         binding.expires_at});
  if (!body) return Failure{body.take_error()};

  const std::size_t unpadded = kInnerHeader + body->size();
  const std::size_t padded = (unpadded + 15) / 16 * 16;
  Bytes out(kOuterHeader + padded);
  Byte* plain = out.data() + kOuterHeader;
  entropy.fill({plain, 16});
  store_le64(plain + 16, static_cast<std::uint64_t>(msg_id));
  store_le32(plain + 24, 0);  // seq_no
  store_le32(plain + 28, static_cast<std::uint32_t>(body->size()));
  std::memcpy(plain + kInnerHeader, body->data(), body->size());
  if (padded != unpadded) entropy.fill({plain + unpadded, padded - unpadded});

  // MTProto 1.0: msg_key over the plaintext without padding, the SHA-1 KDF with x = 0.
  const Int128 msg_key = crypto::msg_key_v1(ByteView(plain, unpadded));
  const crypto::AesKeyIv aes = crypto::derive_aes_v1(perm_key.bytes(), msg_key, crypto::Direction::client_to_server);
  store_le64(out.data(), perm_key.id());
  std::memcpy(out.data() + 8, msg_key.data(), 16);
  auto status = crypto::aes_ige_encrypt(aes.key, aes.iv, {plain, padded});
  if (!status) return in("bind_auth_key_inner encryption", status.take_error());
  return out;
}

Result<BindTempAuthKeyArgs> make_bind_temp_auth_key(const AuthKey& perm_key, const AuthKey& temp_key,
                                                    std::uint64_t temp_session_id, std::int32_t expires_at,
                                                    std::int64_t msg_id, Entropy& entropy) {
  TempKeyBinding binding;
  Byte nonce[8];
  entropy.fill(nonce);
  binding.nonce = static_cast<std::int64_t>(load_le64(nonce));
  binding.temp_auth_key_id = temp_key.id();
  binding.perm_auth_key_id = perm_key.id();
  binding.temp_session_id = temp_session_id;
  binding.expires_at = expires_at;
  auto encrypted = encrypt_bind_message(perm_key, binding, msg_id, entropy);
  if (!encrypted) return Failure{encrypted.take_error()};
  BindTempAuthKeyArgs args;
  args.perm_auth_key_id = static_cast<std::int64_t>(perm_key.id());
  args.nonce = binding.nonce;
  args.expires_at = expires_at;
  args.encrypted_message = std::move(*encrypted);
  return args;
}

Result<TempKeyBinding> verify_bind_temp_auth_key(const AuthKey& perm_key, const BindTempAuthKeyArgs& args,
                                                 const BindRequestContext& request, Time now) {
  const Bytes& message = args.encrypted_message;
  // SECURITY: the binding must be encrypted with the permanent key the request names.
  if (static_cast<std::uint64_t>(args.perm_auth_key_id) != perm_key.id()) {
    return mtproto_fail(MtprotoErrc::unknown_auth_key, "auth.bindTempAuthKey: perm_auth_key_id is not this key's");
  }
  // SECURITY: whole AES blocks after auth_key_id and msg_key, and room for the header and body.
  if (message.size() < kOuterHeader + kInnerHeader + kBodySize || (message.size() - kOuterHeader) % 16 != 0) {
    return mtproto_fail(MtprotoErrc::bad_length,
                        "bind message: " + std::to_string(message.size()) + " bytes is not 24 + a multiple of 16");
  }
  if (load_le64(message.data()) != perm_key.id()) {
    return mtproto_fail(MtprotoErrc::unknown_auth_key, "bind message: auth_key_id is not the permanent key's");
  }
  Int128 msg_key;
  std::memcpy(msg_key.data(), message.data() + 8, 16);
  Bytes plain(message.begin() + kOuterHeader, message.end());
  const crypto::AesKeyIv aes = crypto::derive_aes_v1(perm_key.bytes(), msg_key, crypto::Direction::client_to_server);
  if (auto s = crypto::aes_ige_decrypt(aes.key, aes.iv, plain); !s) return in("bind message", s.take_error());

  const std::uint32_t length = load_le32(plain.data() + 28);
  // SECURITY: the length must be bind_auth_key_inner's and fit, with less than a block of padding;
  // only then is there a plaintext for msg_key to cover.
  if (length != kBodySize || plain.size() - kInnerHeader - length > 15) {
    return mtproto_fail(MtprotoErrc::bad_length, "bind message: length " + std::to_string(length) + " in " +
                                                     std::to_string(plain.size()) + " bytes of plaintext");
  }
  // SECURITY: msg_key authenticates the plaintext (MTProto 1.0: SHA-1 without the padding).
  const Int128 expected_key = crypto::msg_key_v1(ByteView(plain.data(), kInnerHeader + length));
  if (!detail::equal_ct(expected_key.view(), msg_key.view())) {
    return mtproto_fail(MtprotoErrc::msg_key_mismatch, "bind message: msg_key does not match the plaintext");
  }
  // SECURITY: the binding is only valid inside the very request that carries it.
  const auto msg_id = static_cast<std::int64_t>(load_le64(plain.data() + 16));
  if (msg_id != request.msg_id) {
    return mtproto_fail(MtprotoErrc::bad_msg_id, "bind message: msg_id " + std::to_string(msg_id) +
                                                     " is not the request's " + std::to_string(request.msg_id));
  }
  if (const std::uint32_t seq_no = load_le32(plain.data() + 24); seq_no != 0) {
    return mtproto_fail(MtprotoErrc::bad_msg_id, "bind message: seq_no " + std::to_string(seq_no) + ", expected 0");
  }
  auto inner = tl::deserialize<mtp::bind_auth_key_inner>(ByteView(plain.data() + kInnerHeader, length));
  if (!inner) {
    return mtproto_fail(MtprotoErrc::handshake_unexpected, "bind message: " + inner.error().to_string());
  }
  // SECURITY: every field must match the request that carries the message.
  if (inner->nonce != args.nonce) {
    return mtproto_fail(MtprotoErrc::handshake_nonce, "bind_auth_key_inner: nonce differs from the request's");
  }
  if (static_cast<std::uint64_t>(inner->temp_auth_key_id) != request.temp_auth_key_id) {
    return mtproto_fail(MtprotoErrc::unknown_auth_key,
                        "bind_auth_key_inner: temp_auth_key_id is not the key the request came with");
  }
  if (static_cast<std::uint64_t>(inner->perm_auth_key_id) != perm_key.id()) {
    return mtproto_fail(MtprotoErrc::unknown_auth_key, "bind_auth_key_inner: perm_auth_key_id is not the permanent key's");
  }
  if (static_cast<std::uint64_t>(inner->temp_session_id) != request.session_id) {
    return mtproto_fail(MtprotoErrc::bad_session, "bind_auth_key_inner: temp_session_id is not the request's session");
  }
  if (inner->expires_at != args.expires_at) {
    return mtproto_fail(MtprotoErrc::handshake_unexpected,
                        "bind_auth_key_inner: expires_at " + std::to_string(inner->expires_at) +
                            " differs from the request's " + std::to_string(args.expires_at));
  }
  if (std::int64_t{inner->expires_at} <= unix_seconds(now)) {
    return mtproto_fail(MtprotoErrc::handshake_failed,
                        "bind_auth_key_inner: expires_at " + std::to_string(inner->expires_at) + " is not in the future");
  }
  TempKeyBinding out;
  out.nonce = inner->nonce;
  out.temp_auth_key_id = static_cast<std::uint64_t>(inner->temp_auth_key_id);
  out.perm_auth_key_id = static_cast<std::uint64_t>(inner->perm_auth_key_id);
  out.temp_session_id = static_cast<std::uint64_t>(inner->temp_session_id);
  out.expires_at = inner->expires_at;
  return out;
}

}  // namespace telepp::mtproto::handshake
