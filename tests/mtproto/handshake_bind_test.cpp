// Temp-key binding (auth.bindTempAuthKey's encrypted_message): the round trip, the MTProto 1.0
// layout checked by hand, and one test per rejection.
#include <gtest/gtest.h>

#include <cstring>

#include "support/fixed_entropy.hpp"
#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/crypto/kdf.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/handshake/bind_temp_key.hpp"

namespace telepp::mtproto::handshake {
namespace {

using test::FixedEntropy;

AuthKey key_from(std::uint64_t seed) {
  FixedEntropy e(seed);
  AuthKey::Bytes256 bytes;
  e.fill({bytes.data(), bytes.size()});
  return AuthKey(bytes);
}

const AuthKey& perm_key() {
  static const AuthKey key = key_from(1);
  return key;
}
const AuthKey& temp_key() {
  static const AuthKey key = key_from(2);
  return key;
}
constexpr std::uint64_t kSession = 0x1122334455667788ull;
constexpr std::int64_t kMsgId = (std::int64_t{1780000000} << 32) | 0x1234;
constexpr std::int32_t kExpiresAt = 1780086400;
const Time kNow = from_unix_seconds(1780000000);

BindRequestContext request() { return BindRequestContext{temp_key().id(), kSession, kMsgId}; }

BindTempAuthKeyArgs make_args(FixedEntropy& e) {
  auto args = make_bind_temp_auth_key(perm_key(), temp_key(), kSession, kExpiresAt, kMsgId, e);
  EXPECT_TRUE(args.ok());
  return *args;
}

/// MTProto 1.0 encryption of a whole plaintext (header included) with `key`, by hand.
Bytes encrypt_v1(const AuthKey& key, Bytes plain, std::size_t unpadded) {
  const Int128 msg_key = crypto::msg_key_v1(ByteView(plain.data(), unpadded));
  const auto aes = crypto::derive_aes_v1(key.bytes(), msg_key, crypto::Direction::client_to_server);
  EXPECT_TRUE(crypto::aes_ige_encrypt(aes.key, aes.iv, plain).ok());
  Bytes out(24 + plain.size());
  store_le64(out.data(), key.id());
  std::memcpy(out.data() + 8, msg_key.data(), 16);
  std::memcpy(out.data() + 24, plain.data(), plain.size());
  return out;
}

/// random ‖ msg_id ‖ seq_no ‖ length ‖ body ‖ padding to 16.
Bytes plaintext(std::int64_t msg_id, std::uint32_t seq_no, const Bytes& body, std::uint32_t length,
                std::size_t extra_padding = 0) {
  const std::size_t size = (32 + body.size() + 15) / 16 * 16 + extra_padding;
  Bytes p(size, 0x99);
  std::memset(p.data(), 0x77, 16);
  store_le64(p.data() + 16, static_cast<std::uint64_t>(msg_id));
  store_le32(p.data() + 24, seq_no);
  store_le32(p.data() + 28, length);
  std::memcpy(p.data() + 32, body.data(), body.size());
  return p;
}

Bytes inner_body(std::int64_t nonce) {
  return *tl::to_bytes(mtp::bind_auth_key_inner{nonce, static_cast<std::int64_t>(temp_key().id()),
                                                static_cast<std::int64_t>(perm_key().id()),
                                                static_cast<std::int64_t>(kSession), kExpiresAt});
}

void expect_refused(const BindTempAuthKeyArgs& args, MtprotoErrc code, BindRequestContext ctx = request(),
                    Time now = kNow) {
  auto r = verify_bind_temp_auth_key(perm_key(), args, ctx, now);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), code)) << r.error().to_string();
}

TEST(HandshakeBind, RoundTrip) {
  FixedEntropy e(3);
  BindTempAuthKeyArgs args = make_args(e);
  EXPECT_EQ(static_cast<std::uint64_t>(args.perm_auth_key_id), perm_key().id());
  EXPECT_EQ(args.expires_at, kExpiresAt);
  EXPECT_EQ(args.encrypted_message.size(), 24u + 80u);  // 32 + 40 bytes, padded to 80
  auto binding = verify_bind_temp_auth_key(perm_key(), args, request(), kNow);
  ASSERT_TRUE(binding.ok()) << binding.error().to_string();
  EXPECT_EQ(binding->nonce, args.nonce);
  EXPECT_EQ(binding->temp_auth_key_id, temp_key().id());
  EXPECT_EQ(binding->perm_auth_key_id, perm_key().id());
  EXPECT_EQ(binding->temp_session_id, kSession);
  EXPECT_EQ(binding->expires_at, kExpiresAt);
}

TEST(HandshakeBind, LayoutIsMtproto1WithThePermanentKey) {
  FixedEntropy e(4);
  BindTempAuthKeyArgs args = make_args(e);
  const Bytes& m = args.encrypted_message;
  EXPECT_EQ(load_le64(m.data()), perm_key().id());
  Int128 msg_key;
  std::memcpy(msg_key.data(), m.data() + 8, 16);
  const auto aes = crypto::derive_aes_v1(perm_key().bytes(), msg_key, crypto::Direction::client_to_server);
  Bytes plain(m.begin() + 24, m.end());
  ASSERT_TRUE(crypto::aes_ige_decrypt(aes.key, aes.iv, plain).ok());
  EXPECT_EQ(static_cast<std::int64_t>(load_le64(plain.data() + 16)), kMsgId);
  EXPECT_EQ(load_le32(plain.data() + 24), 0u);   // seq_no
  EXPECT_EQ(load_le32(plain.data() + 28), 40u);  // msg_len
  EXPECT_EQ(Bytes(plain.begin() + 32, plain.begin() + 72), inner_body(args.nonce));
  // msg_key: the low 128 bits of SHA-1 of the plaintext without padding.
  auto digest = crypto::sha1(ByteView(plain.data(), 72));
  EXPECT_TRUE(std::equal(digest.bytes.begin() + 4, digest.bytes.end(), msg_key.bytes.begin()));
  // And a hand-made encryption of the same plaintext verifies.
  BindTempAuthKeyArgs hand = args;
  hand.encrypted_message = encrypt_v1(perm_key(), plain, 72);
  EXPECT_TRUE(verify_bind_temp_auth_key(perm_key(), hand, request(), kNow).ok());
}

TEST(HandshakeBind, RandomPartsDifferBetweenMessages) {
  FixedEntropy e(5);
  BindTempAuthKeyArgs a = make_args(e), b = make_args(e);
  EXPECT_NE(a.nonce, b.nonce);
  EXPECT_NE(a.encrypted_message, b.encrypted_message);
}

TEST(HandshakeBind, WrongPermanentKeyIdIsRefused) {
  FixedEntropy e(6);
  BindTempAuthKeyArgs args = make_args(e);
  args.perm_auth_key_id ^= 1;
  expect_refused(args, MtprotoErrc::unknown_auth_key);
}

TEST(HandshakeBind, EncryptedWithAnotherKeyIsRefused) {
  FixedEntropy e(7);
  const AuthKey other = key_from(9);
  auto args = make_bind_temp_auth_key(other, temp_key(), kSession, kExpiresAt, kMsgId, e);
  ASSERT_TRUE(args.ok());
  args->perm_auth_key_id = static_cast<std::int64_t>(perm_key().id());
  expect_refused(*args, MtprotoErrc::unknown_auth_key);
  // ... even with our key's id written in front: the plaintext is then garbage.
  store_le64(args->encrypted_message.data(), perm_key().id());
  auto r = verify_bind_temp_auth_key(perm_key(), *args, request(), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), MtprotoErrc::msg_key_mismatch) || is(r.error(), MtprotoErrc::bad_length))
      << r.error().to_string();
}

TEST(HandshakeBind, EveryByteFlippedAndEveryTruncationIsRefused) {
  FixedEntropy e(8);
  const BindTempAuthKeyArgs args = make_args(e);
  for (std::size_t at = 0; at < args.encrypted_message.size(); ++at) {
    BindTempAuthKeyArgs bad = args;
    bad.encrypted_message[at] ^= 0x01;
    EXPECT_FALSE(verify_bind_temp_auth_key(perm_key(), bad, request(), kNow).ok()) << "byte " << at;
  }
  for (std::size_t n = 0; n < args.encrypted_message.size(); ++n) {
    BindTempAuthKeyArgs bad = args;
    bad.encrypted_message.resize(n);
    EXPECT_FALSE(verify_bind_temp_auth_key(perm_key(), bad, request(), kNow).ok()) << "length " << n;
  }
}

TEST(HandshakeBind, MsgIdOfAnotherRequestIsRefused) {
  FixedEntropy e(10);
  BindRequestContext ctx = request();
  ctx.msg_id += 4;
  expect_refused(make_args(e), MtprotoErrc::bad_msg_id, ctx);
}

TEST(HandshakeBind, NonZeroSeqNoIsRefused) {
  FixedEntropy e(11);
  BindTempAuthKeyArgs args = make_args(e);
  args.encrypted_message = encrypt_v1(perm_key(), plaintext(kMsgId, 1, inner_body(args.nonce), 40), 72);
  expect_refused(args, MtprotoErrc::bad_msg_id);
}

TEST(HandshakeBind, WrongLengthOrTooMuchPaddingIsRefused) {
  FixedEntropy e(12);
  BindTempAuthKeyArgs args = make_args(e);
  args.encrypted_message = encrypt_v1(perm_key(), plaintext(kMsgId, 0, inner_body(args.nonce), 36), 68);
  expect_refused(args, MtprotoErrc::bad_length);
  args.encrypted_message = encrypt_v1(perm_key(), plaintext(kMsgId, 0, inner_body(args.nonce), 40, 16), 72);
  expect_refused(args, MtprotoErrc::bad_length);
}

TEST(HandshakeBind, MsgKeyMismatchIsRefused) {
  FixedEntropy e(13);
  BindTempAuthKeyArgs args = make_args(e);
  Bytes plain = plaintext(kMsgId, 0, inner_body(args.nonce), 40);
  Bytes message = encrypt_v1(perm_key(), plain, 72);
  // Re-encrypt a changed plaintext under the original msg_key's AES key: only msg_key can tell.
  Int128 msg_key;
  std::memcpy(msg_key.data(), message.data() + 8, 16);
  plain[0] ^= 1;  // the random prefix
  const auto aes = crypto::derive_aes_v1(perm_key().bytes(), msg_key, crypto::Direction::client_to_server);
  ASSERT_TRUE(crypto::aes_ige_encrypt(aes.key, aes.iv, plain).ok());
  std::copy(plain.begin(), plain.end(), message.begin() + 24);
  args.encrypted_message = message;
  expect_refused(args, MtprotoErrc::msg_key_mismatch);
}

TEST(HandshakeBind, BodyThatIsNotBindAuthKeyInnerIsRefused) {
  FixedEntropy e(14);
  BindTempAuthKeyArgs args = make_args(e);
  Bytes body = inner_body(args.nonce);
  body[0] ^= 0xff;  // another constructor
  args.encrypted_message = encrypt_v1(perm_key(), plaintext(kMsgId, 0, body, 40), 72);
  expect_refused(args, MtprotoErrc::handshake_unexpected);
}

TEST(HandshakeBind, NonceMismatchIsRefused) {
  FixedEntropy e(15);
  BindTempAuthKeyArgs args = make_args(e);
  args.nonce ^= 1;
  expect_refused(args, MtprotoErrc::handshake_nonce);
}

TEST(HandshakeBind, TempKeyOfAnotherRequestIsRefused) {
  FixedEntropy e(16);
  BindRequestContext ctx = request();
  ctx.temp_auth_key_id ^= 1;
  expect_refused(make_args(e), MtprotoErrc::unknown_auth_key, ctx);
}

TEST(HandshakeBind, InnerPermanentKeyIdMismatchIsRefused) {
  FixedEntropy e(17);
  TempKeyBinding binding{42, temp_key().id(), perm_key().id() ^ 1, kSession, kExpiresAt};
  auto message = encrypt_bind_message(perm_key(), binding, kMsgId, e);
  ASSERT_TRUE(message.ok());
  BindTempAuthKeyArgs args{static_cast<std::int64_t>(perm_key().id()), 42, kExpiresAt, *message};
  expect_refused(args, MtprotoErrc::unknown_auth_key);
}

TEST(HandshakeBind, SessionOfAnotherRequestIsRefused) {
  FixedEntropy e(18);
  BindRequestContext ctx = request();
  ctx.session_id += 1;
  expect_refused(make_args(e), MtprotoErrc::bad_session, ctx);
}

TEST(HandshakeBind, ExpiresAtMismatchIsRefused) {
  FixedEntropy e(19);
  BindTempAuthKeyArgs args = make_args(e);
  args.expires_at += 1;
  expect_refused(args, MtprotoErrc::handshake_unexpected);
}

TEST(HandshakeBind, ExpiredBindingIsRefused) {
  FixedEntropy e(20);
  BindTempAuthKeyArgs args = make_args(e);
  expect_refused(args, MtprotoErrc::handshake_failed, request(), from_unix_seconds(kExpiresAt));
  EXPECT_TRUE(verify_bind_temp_auth_key(perm_key(), args, request(), from_unix_seconds(kExpiresAt - 1)).ok());
}

}  // namespace
}  // namespace telepp::mtproto::handshake
