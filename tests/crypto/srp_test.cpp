// 2FA SRP: a vector recorded from a third-party client, client/server round trips, and the
// checks both sides must make (g_a/g_b ranges, the group, lengths).

#include <gtest/gtest.h>

#include "crypto_test_support.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/srp.hpp"

namespace telepp::crypto {
namespace {

Bytes prime_bytes() { return Bytes(telegram_dh_prime().bytes.begin(), telegram_dh_prime().bytes.end()); }

SrpAlgo test_algo() {
  return SrpAlgo{test::hex("4d11fb6bec38f9d2546bb0f61e4f1c99a1bc0db8f0d5f35b1291b37b213123d7ed48f3c6794d495b"),
                 test::hex("a1b181aafe88188680ae32860d60bb01"), 3, prime_bytes()};
}

Sha256Digest hash_of(std::string_view password, const SrpAlgo& algo) {
  return srp_password_hash(as_bytes(password), algo.salt1, algo.salt2);
}

// The password hash is slow (PBKDF2 with 100000 rounds): compute the ones the tests share once.
const Sha256Digest& right_x() {
  static const Sha256Digest x = hash_of("correct horse", test_algo());
  return x;
}

TEST(SrpTest, ClientProofMatchesGotdsRecordedVector) {
  // source: gotd/td internal/crypto/srp/srp_test.go (password "123123", a = 1, so A = g = 3).
  SrpAlgo algo = test_algo();
  Bytes g_b = test::hex(
      "9c52401a6a8084ec82f01c3725d3fb448bd2f0c909f9d97726eac4b7a74172d952f02466be6734fa274d2b7429e27397f10372d66b400b80"
      "a5c5ae3f28b17bf3105d7a2d2a885998cdc2defc208aec217ab58859a9abc2374ad93dc285f4b3fbcaff4143d7888f2425bd2fb711b25609"
      "ceb21757d935b1ef2f042173ad0ce2fe0e474dac53914bd25a8a9aed4aea8953d55cb88621db37b871ea0d04393ac0987f68094ccc9de823"
      "9251375d8fffd263316cd528c097b7bc9fb919fbedb76c525df3413c374ee076d97a1e6d352bb7cc80fd13651b04b32e2e48c5268150842c"
      "fd07cf855958b1b5ea9c36fdad697fe3aec8dcc6b1efec36874af226204676cf");
  DhValue a{};
  a.bytes[255] = 1;
  auto proof = detail::srp_client_proof_from_secret(algo, hash_of("123123", algo), g_b, a);
  ASSERT_TRUE(proof.ok()) << proof.error().to_string();
  EXPECT_EQ(proof->g_a.bytes[255], 3);
  EXPECT_EQ(to_hex(proof->m1.view()), "999df906bda2c6cbb52f503406eba2d0d0503ace0cc302c38f13ee5010ad4051");
}

TEST(SrpTest, RightPasswordVerifiesAndWrongOneDoesNot) {
  SrpAlgo algo = test_algo();
  test::CounterEntropy entropy("srp round trip");
  auto v = srp_verifier(algo, right_x());
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  auto challenge = srp_server_challenge(algo, v->view(), entropy);
  ASSERT_TRUE(challenge.ok()) << challenge.error().to_string();
  EXPECT_TRUE(check_dh_value(challenge->g_b.view(), algo.p).ok());

  auto good = srp_client_proof(algo, right_x(), challenge->g_b.view(), entropy);
  ASSERT_TRUE(good.ok()) << good.error().to_string();
  auto verified = srp_server_verify(algo, v->view(), *challenge, good->g_a.view(), good->m1.view());
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_TRUE(*verified);

  auto bad = srp_client_proof(algo, hash_of("wrong horse", algo), challenge->g_b.view(), entropy);
  ASSERT_TRUE(bad.ok());
  auto refused = srp_server_verify(algo, v->view(), *challenge, bad->g_a.view(), bad->m1.view());
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(*refused);

  // A proof for another challenge does not verify (B is bound into M1 and S).
  auto other = srp_server_challenge(algo, v->view(), entropy);
  ASSERT_TRUE(other.ok());
  auto replayed = srp_server_verify(algo, v->view(), *other, good->g_a.view(), good->m1.view());
  ASSERT_TRUE(replayed.ok());
  EXPECT_FALSE(*replayed);
  // Nor does a tampered M1.
  Sha256Digest m1 = good->m1;
  m1.bytes[0] ^= 1;
  EXPECT_FALSE(*srp_server_verify(algo, v->view(), *challenge, good->g_a.view(), m1.view()));
}

TEST(SrpTest, SaltsChangeTheHash) {
  SrpAlgo algo = test_algo();
  SrpAlgo other = algo;
  other.salt2[0] ^= 1;
  EXPECT_NE(hash_of("pw", algo), hash_of("pw", other));
  EXPECT_NE(hash_of("pw", algo), hash_of("pw2", algo));
}

TEST(SrpTest, ClientRefusesABadGbAndABadGroup) {
  SrpAlgo algo = test_algo();
  test::CounterEntropy entropy("srp client checks");
  Bytes one(256, 0);
  one[255] = 1;
  auto small = srp_client_proof(algo, right_x(), one, entropy);
  ASSERT_FALSE(small.ok());
  EXPECT_TRUE(is(small.error(), CryptoErrc::out_of_range));
  // p - 1 and values just above p - 2^(2048-64) are refused too.
  Bytes p_minus_1 = algo.p;
  p_minus_1[255] -= 1;
  EXPECT_TRUE(is(srp_client_proof(algo, right_x(), p_minus_1, entropy).error(), CryptoErrc::out_of_range));
  Bytes high = algo.p;  // p minus its low 1984 bits: above p - 2^(2048-64)
  std::fill(high.begin() + 8, high.end(), Byte{0});
  EXPECT_TRUE(is(srp_client_proof(algo, right_x(), high, entropy).error(), CryptoErrc::out_of_range));

  SrpAlgo bad_g = algo;
  bad_g.g = 2;  // Telegram's prime is not 7 mod 8
  EXPECT_TRUE(is(srp_verifier(bad_g, right_x()).error(), CryptoErrc::bad_generator));
  SrpAlgo short_p = algo;
  short_p.p.resize(128);
  EXPECT_FALSE(srp_verifier(short_p, right_x()).ok());
}

TEST(SrpTest, ServerRefusesABadGaAndBadLengths) {
  SrpAlgo algo = test_algo();
  test::CounterEntropy entropy("srp server checks");
  auto v = srp_verifier(algo, right_x());
  ASSERT_TRUE(v.ok());
  auto challenge = srp_server_challenge(algo, v->view(), entropy);
  ASSERT_TRUE(challenge.ok());
  Bytes m1(32, 0);
  Bytes zero(256, 0);
  auto r = srp_server_verify(algo, v->view(), *challenge, zero, m1);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), CryptoErrc::out_of_range));
  // A = p (≡ 0 mod p) would make S = 0 whatever the password.
  EXPECT_TRUE(is(srp_server_verify(algo, v->view(), *challenge, algo.p, m1).error(), CryptoErrc::out_of_range));
  auto good = srp_client_proof(algo, right_x(), challenge->g_b.view(), entropy);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(is(srp_server_verify(algo, v->view(), *challenge, good->g_a.view(), Bytes(31)).error(), CryptoErrc::bad_length));
  EXPECT_TRUE(is(srp_server_verify(algo, Bytes(255, 1), *challenge, good->g_a.view(), m1).error(), CryptoErrc::bad_length));
  EXPECT_TRUE(is(srp_server_challenge(algo, zero, entropy).error(), CryptoErrc::out_of_range));
  EXPECT_TRUE(is(srp_server_challenge(algo, Bytes(10, 1), entropy).error(), CryptoErrc::bad_length));
}

TEST(SrpTest, EntropyThatOnlyGivesZerosIsRefusedNotLooped) {
  SrpAlgo algo = test_algo();
  test::SequenceEntropy zeros(Bytes(256 * 8, 0));
  auto v = srp_verifier(algo, right_x());
  ASSERT_TRUE(v.ok());
  // b = 0 gives g_b = k*v, a value a client may accept; a = 0 gives A = 1, which is refused.
  auto proof = srp_client_proof(algo, right_x(), v->view(), zeros);
  ASSERT_FALSE(proof.ok());
  EXPECT_TRUE(is(proof.error(), CryptoErrc::out_of_range));
}

}  // namespace
}  // namespace telepp::crypto
