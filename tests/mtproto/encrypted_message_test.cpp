// MTProto 2.0 encrypted messages: round trips, padding rules, and one test per rejection rule.
#include <gtest/gtest.h>

#include "session_test_support.hpp"
#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/mtproto/errc.hpp"

namespace telepp::mtproto {
namespace {

using test::FixedEntropy;

Buffer encrypted(const AuthKey& key, Direction d, ByteView body, Entropy& e, std::size_t extra = 0,
                 std::uint32_t* quick_ack = nullptr) {
  Buffer b(kEncryptedHeaderSize, body.size());
  b.append(body);
  auto ack = encrypt_message(key, d, MessageHeader{11, 22, (std::int64_t{1750000000} << 32) | 4, 3}, b, e, extra);
  if (quick_ack) *quick_ack = ack;
  return b;
}

Bytes body_of(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<Byte>(i * 7);
  return b;
}

TEST(EncryptedMessage, RoundTripsBothDirectionsWithTheHeader) {
  auto key = test::test_auth_key();
  FixedEntropy e;
  for (auto d : {Direction::client_to_server, Direction::server_to_client}) {
    for (std::size_t n : {0u, 4u, 16u, 100u, 1020u, 65536u}) {
      auto body = body_of(n);
      std::uint32_t ack = 0;
      auto packet = encrypted(key, d, body, e, 0, &ack);
      EXPECT_EQ((packet.size() - 24) % 16, 0u);
      EXPECT_EQ(load_le64(packet.data()), key.id());
      auto m = decrypt_message(key, d, packet.mutable_view());
      ASSERT_TRUE(m.ok()) << m.error().to_string();
      EXPECT_EQ(m->header.salt, 11u);
      EXPECT_EQ(m->header.session_id, 22u);
      EXPECT_EQ(m->header.seq_no, 3);
      EXPECT_TRUE(std::equal(m->body.begin(), m->body.end(), body.begin(), body.end()));
      EXPECT_EQ(m->quick_ack, ack);
      EXPECT_TRUE(ack & 0x80000000u);
    }
  }
}

TEST(EncryptedMessage, PaddingIsTwelveToTwentySevenBytesOrRandomlyMore) {
  auto key = test::test_auth_key();
  FixedEntropy e;
  for (std::size_t n = 0; n < 64; n += 4) {
    auto packet = encrypted(key, Direction::client_to_server, body_of(n), e);
    std::size_t padding = packet.size() - 24 - 32 - n;
    EXPECT_GE(padding, 12u);
    EXPECT_LT(padding, 28u);
  }
  std::size_t largest = 0;
  for (int i = 0; i < 64; ++i) {
    auto packet = encrypted(key, Direction::client_to_server, body_of(16), e, 960);
    largest = std::max(largest, packet.size() - 24 - 32 - 16);
    EXPECT_LE(packet.size() - 24 - 32 - 16, 1024u);
  }
  EXPECT_GT(largest, 200u);
}

TEST(EncryptedMessage, TheOtherDirectionsKeysDoNotOpenIt) {
  auto key = test::test_auth_key();
  FixedEntropy e;
  auto packet = encrypted(key, Direction::client_to_server, body_of(40), e);
  auto m = decrypt_message(key, Direction::server_to_client, packet.mutable_view());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(is(m.error(), MtprotoErrc::msg_key_mismatch));
}

TEST(EncryptedMessage, RejectsAnotherAuthKeyId) {
  auto key = test::test_auth_key();
  FixedEntropy e;
  auto packet = encrypted(key, Direction::client_to_server, body_of(40), e);
  auto other = test::test_auth_key(8);
  auto m = decrypt_message(other, Direction::client_to_server, packet.mutable_view());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(is(m.error(), MtprotoErrc::unknown_auth_key));
}

TEST(EncryptedMessage, RejectsEveryFlippedBitOfMsgKeyOrCiphertext) {
  auto key = test::test_auth_key();
  FixedEntropy e;
  auto original = encrypted(key, Direction::server_to_client, body_of(48), e).to_bytes();
  for (std::size_t byte = 8; byte < original.size(); ++byte) {
    auto bad = original;
    bad[byte] ^= 0x10;
    auto m = decrypt_message(key, Direction::server_to_client, MutableByteView(bad));
    ASSERT_FALSE(m.ok()) << "flip at " << byte;
    EXPECT_TRUE(is(m.error(), MtprotoErrc::msg_key_mismatch)) << m.error().to_string();
  }
}

TEST(EncryptedMessage, RejectsBadPacketLengths) {
  auto key = test::test_auth_key();
  FixedEntropy e;
  auto original = encrypted(key, Direction::server_to_client, body_of(48), e).to_bytes();
  for (std::size_t n : {0u, 7u, 8u, 24u, 40u, 56u, 71u, 95u}) {
    Bytes cut(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(std::min(n, original.size())));
    auto m = decrypt_message(key, Direction::server_to_client, MutableByteView(cut));
    ASSERT_FALSE(m.ok()) << n;
    EXPECT_TRUE(is(m.error(), MtprotoErrc::bad_length)) << n;
  }
  auto odd = original;
  odd.pop_back();
  EXPECT_TRUE(is(decrypt_message(key, Direction::server_to_client, MutableByteView(odd)).error(), MtprotoErrc::bad_length));
}

// Builds a packet whose msg_key is right for a plaintext with a lying length field.
Bytes forged(const AuthKey& key, std::uint32_t length_field, std::size_t plaintext_size) {
  Bytes plain(plaintext_size, 0x5a);
  store_le32(plain.data() + 28, length_field);
  auto h = crypto::sha256({ByteView(key.data() + 88 + 8, 32), plain});
  Int128 msg_key;
  std::memcpy(msg_key.data(), h.data() + 8, 16);
  auto aes = crypto::derive_aes(key.bytes(), msg_key, Direction::server_to_client);
  EXPECT_TRUE(crypto::aes_ige_encrypt(aes.key, aes.iv, MutableByteView(plain)).ok());
  Bytes packet(24 + plain.size());
  store_le64(packet.data(), key.id());
  std::memcpy(packet.data() + 8, msg_key.data(), 16);
  std::memcpy(packet.data() + 24, plain.data(), plain.size());
  return packet;
}

TEST(EncryptedMessage, RejectsLengthsAndPaddingOutsideTheRules) {
  auto key = test::test_auth_key();
  struct Case {
    std::uint32_t length;
    std::size_t plaintext;
  } cases[] = {
      {100, 64},          // longer than the plaintext
      {24, 64},           // padding 8 < 12
      {2, 64},            // not a multiple of 4
      {16, 32 + 16 + 1040},  // padding 1040 > 1024
      {0xffffffffu, 64},  // absurd
  };
  for (auto c : cases) {
    auto packet = forged(key, c.length, c.plaintext);
    auto m = decrypt_message(key, Direction::server_to_client, MutableByteView(packet));
    ASSERT_FALSE(m.ok()) << c.length;
    EXPECT_TRUE(is(m.error(), MtprotoErrc::bad_length)) << m.error().to_string();
  }
  auto fine = forged(key, 16, 64);  // 16 bytes of body, 16 of padding
  EXPECT_TRUE(decrypt_message(key, Direction::server_to_client, MutableByteView(fine)).ok());
}

}  // namespace
}  // namespace telepp::mtproto
