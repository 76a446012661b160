// MTProto 2.0 / 1.0 message keys and KDFs against the hand-computed vector file.

#include <gtest/gtest.h>

#include "crypto_test_support.hpp"
#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/handshake_kdf.hpp"
#include "telepp/crypto/kdf.hpp"

namespace telepp::crypto {
namespace {

using test::to_vec;

struct KdfVectors : ::testing::Test {
  test::VectorFile v{"crypto_kdf.txt"};
  AuthKeyBytes auth_key = v.fixed<256>("auth_key");
  Bytes plaintext = v.bytes("plaintext");
};

TEST_F(KdfVectors, InputsAreThePatternsTheFileDescribes) {
  for (int i = 0; i < 256; ++i) ASSERT_EQ(auth_key.bytes[i], static_cast<Byte>(7 * i + 3));
  ASSERT_EQ(plaintext.size(), 80u);
}

TEST_F(KdfVectors, MsgKeyV2BothDirections) {
  EXPECT_EQ(to_vec(msg_key_for(auth_key, plaintext, Direction::client_to_server)), v.bytes("msg_key_c2s"));
  EXPECT_EQ(to_vec(msg_key_for(auth_key, plaintext, Direction::server_to_client)), v.bytes("msg_key_s2c"));
}

TEST_F(KdfVectors, DeriveAesV2BothDirections) {
  const auto c2s = derive_aes(auth_key, v.fixed<16>("msg_key_c2s"), Direction::client_to_server);
  EXPECT_EQ(to_vec(c2s.key), v.bytes("aes_key_c2s"));
  EXPECT_EQ(to_vec(c2s.iv), v.bytes("aes_iv_c2s"));
  const auto s2c = derive_aes(auth_key, v.fixed<16>("msg_key_s2c"), Direction::server_to_client);
  EXPECT_EQ(to_vec(s2c.key), v.bytes("aes_key_s2c"));
  EXPECT_EQ(to_vec(s2c.iv), v.bytes("aes_iv_s2c"));
}

TEST_F(KdfVectors, V1MsgKeyAndKdf) {
  const Int128 mk = msg_key_v1(plaintext);
  EXPECT_EQ(to_vec(mk), v.bytes("msg_key_v1"));
  const auto c2s = derive_aes_v1(auth_key, mk, Direction::client_to_server);
  EXPECT_EQ(to_vec(c2s.key), v.bytes("aes_key_v1_c2s"));
  EXPECT_EQ(to_vec(c2s.iv), v.bytes("aes_iv_v1_c2s"));
  const auto s2c = derive_aes_v1(auth_key, mk, Direction::server_to_client);
  EXPECT_EQ(to_vec(s2c.key), v.bytes("aes_key_v1_s2c"));
  EXPECT_EQ(to_vec(s2c.iv), v.bytes("aes_iv_v1_s2c"));
}

TEST_F(KdfVectors, AuthKeyHashes) {
  EXPECT_EQ(auth_key_id(auth_key), v.u64("auth_key_id"));
  EXPECT_EQ(to_vec(auth_key_aux_hash(auth_key)), v.bytes("auth_key_aux_hash"));
  const Int256 new_nonce = v.fixed<32>("new_nonce");
  EXPECT_EQ(to_vec(new_nonce_hash(new_nonce, DhGenOutcome::ok, auth_key)), v.bytes("new_nonce_hash1"));
  EXPECT_EQ(to_vec(new_nonce_hash(new_nonce, DhGenOutcome::retry, auth_key)), v.bytes("new_nonce_hash2"));
  EXPECT_EQ(to_vec(new_nonce_hash(new_nonce, DhGenOutcome::fail, auth_key)), v.bytes("new_nonce_hash3"));
}

TEST_F(KdfVectors, MessageRoundTripBothWays) {
  // What a sender does and what the receiver re-derives: msg_key from the plaintext, key/IV from
  // msg_key, and the receiver's check that the decrypted plaintext gives the same msg_key.
  for (Direction d : {Direction::client_to_server, Direction::server_to_client}) {
    const Int128 mk = msg_key_for(auth_key, plaintext, d);
    const AesKeyIv sender = derive_aes(auth_key, mk, d);
    Bytes wire = plaintext;
    ASSERT_TRUE(aes_ige_encrypt(sender.key, sender.iv, wire).ok());
    const AesKeyIv receiver = derive_aes(auth_key, mk, d);
    ASSERT_TRUE(aes_ige_decrypt(receiver.key, receiver.iv, wire).ok());
    EXPECT_EQ(wire, plaintext);
    EXPECT_EQ(msg_key_for(auth_key, wire, d), mk);
  }
  // The two directions never share keys.
  EXPECT_NE(msg_key_for(auth_key, plaintext, Direction::client_to_server),
            msg_key_for(auth_key, plaintext, Direction::server_to_client));
}

}  // namespace
}  // namespace telepp::crypto
