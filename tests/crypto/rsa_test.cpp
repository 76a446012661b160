// RSA keys (PEM, fingerprints), raw RSA, RSA_PAD both ways, the legacy scheme's decoding.

#include <gtest/gtest.h>

#include "crypto_test_support.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/crypto/rsa_pad.hpp"

namespace telepp::crypto {
namespace {

// Telegram's production key as published (PKCS#1), fingerprint 0xd09d1d85de64fd85, which is what
// resPQ carries (85 FD 64 DE 85 1D 9D D0 in the current samples-auth_key page).
constexpr std::string_view kTelegramPem =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g\n"
    "5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO\n"
    "62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/\n"
    "+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9\n"
    "t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs\n"
    "5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

// The same key as SubjectPublicKeyInfo ("BEGIN PUBLIC KEY").
constexpr std::string_view kTelegramSpkiPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6LszBcC1LGzyr992NzE0\n"
    "ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9k\n"
    "rM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO62cECs5HKhT5DZ98K33vmWiLowc621dQ\n"
    "uwKWSQKjWf50XYFw42h21P2KXUGyp2y/+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5\n"
    "gpYc397aYp438fsJoHIgJ2lgMv5h7WY9t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRU\n"
    "hebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP\n"
    "8wIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

// One 2048-bit key shared by the tests of this file (generation takes ~100 ms).
const RsaPrivateKey& test_key() {
  static const RsaPrivateKey key = [] {
    auto k = RsaPrivateKey::generate(2048);
    if (!k) std::abort();
    return *k;
  }();
  return key;
}

TEST(RsaPublicKey, TelegramKeyFingerprintBothPemForms) {
  auto pkcs1 = RsaPublicKey::from_pem(kTelegramPem);
  ASSERT_TRUE(pkcs1.ok()) << pkcs1.error().to_string();
  EXPECT_EQ(pkcs1->fingerprint(), 0xd09d1d85de64fd85ull);
  EXPECT_EQ(pkcs1->size(), 256u);
  EXPECT_EQ(to_hex(pkcs1->e()), "010001");
  EXPECT_EQ(pkcs1->n()[0], 0xe8);

  auto spki = RsaPublicKey::from_pem(kTelegramSpkiPem);
  ASSERT_TRUE(spki.ok()) << spki.error().to_string();
  EXPECT_EQ(spki->fingerprint(), 0xd09d1d85de64fd85ull);
  EXPECT_EQ(spki->n(), pkcs1->n());
}

TEST(RsaPublicKey, ToPemIsPkcs1AndRoundTrips) {
  auto key = RsaPublicKey::from_pem(kTelegramSpkiPem);
  ASSERT_TRUE(key.ok());
  const std::string pem = key->to_pem();
  EXPECT_EQ(pem.rfind("-----BEGIN RSA PUBLIC KEY-----", 0), 0u) << pem;
  auto again = RsaPublicKey::from_pem(pem);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->fingerprint(), key->fingerprint());
}

TEST(RsaPublicKey, FromComponentsMatchesTheWorkedExampleKey) {
  test::VectorFile v("mtproto_auth_example.txt");
  auto key = RsaPublicKey::from_components(v.bytes("server_key_n"), v.bytes("server_key_e"));
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(key->fingerprint(), v.u64("server_key_fingerprint"));
}

TEST(RsaPublicKey, RejectsGarbage) {
  for (std::string_view pem : {std::string_view(""), std::string_view("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"),
                               kTelegramPem.substr(0, 100)}) {
    auto r = RsaPublicKey::from_pem(pem);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), CryptoErrc::bad_key));
  }
  auto even = RsaPublicKey::from_components(test::hex("c0ffee"), test::hex("010001"));
  ASSERT_FALSE(even.ok());
  EXPECT_TRUE(is(even.error(), CryptoErrc::bad_key));
  auto bad_e = RsaPublicKey::from_components(test::hex("c0ffef"), test::hex("01"));
  ASSERT_FALSE(bad_e.ok());
  EXPECT_TRUE(is(bad_e.error(), CryptoErrc::bad_key));
  // A private-key PEM is not a public key, and the reverse.
  EXPECT_FALSE(RsaPrivateKey::from_pem(kTelegramPem).ok());
}

TEST(RsaRaw, MatchesPythonPowOnTheWorkedExample) {
  test::VectorFile v("mtproto_auth_example.txt");
  auto key = RsaPublicKey::from_components(v.bytes("server_key_n"), v.bytes("server_key_e"));
  ASSERT_TRUE(key.ok());
  auto c = rsa_encrypt_raw(*key, v.bytes("data_with_hash"));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(*c, v.bytes("rsa_data_with_hash"));
}

TEST(RsaRaw, EncryptDecryptRoundTripAndRangeErrors) {
  const RsaPrivateKey& priv = test_key();
  const RsaPublicKey pub = priv.public_key();
  ASSERT_EQ(pub.size(), 256u);
  test::CounterEntropy rng("rsa-raw");
  Bytes m(255);
  rng.fill(m);
  auto c = rsa_encrypt_raw(pub, m);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 256u);
  auto back = rsa_decrypt_raw(priv, *c);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  Bytes expected(1, 0);
  expected.insert(expected.end(), m.begin(), m.end());
  EXPECT_EQ(*back, expected);  // fixed-size output, left-padded

  auto too_long = rsa_encrypt_raw(pub, Bytes(257, 1));
  ASSERT_FALSE(too_long.ok());
  EXPECT_TRUE(is(too_long.error(), CryptoErrc::bad_length));
  auto too_big = rsa_encrypt_raw(pub, pub.n());  // m = n
  ASSERT_FALSE(too_big.ok());
  EXPECT_TRUE(is(too_big.error(), CryptoErrc::out_of_range));
  auto too_big_dec = rsa_decrypt_raw(priv, Bytes(256, 0xff));
  ASSERT_FALSE(too_big_dec.ok());
  EXPECT_TRUE(is(too_big_dec.error(), CryptoErrc::out_of_range));
}

TEST(RsaPrivateKey, PemRoundTrip) {
  const RsaPrivateKey& priv = test_key();
  const std::string pem = priv.to_pem();
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  auto again = RsaPrivateKey::from_pem(pem);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->public_key().fingerprint(), priv.public_key().fingerprint());
  // What the loaded key decrypts equals what the original encrypts for.
  auto c = rsa_encrypt_raw(priv.public_key(), test::hex("0102030405"));
  ASSERT_TRUE(c.ok());
  auto m = rsa_decrypt_raw(*again, *c);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(Bytes(m->end() - 5, m->end()), test::hex("0102030405"));
  EXPECT_FALSE(RsaPrivateKey::generate(512).ok());
}

TEST(RsaPad, MatchesThePythonVectorIncludingTheRetry) {
  test::VectorFile v("crypto_rsa_pad.txt");
  auto key = RsaPublicKey::from_pem(kTelegramPem);
  ASSERT_TRUE(key.ok());
  test::SequenceEntropy entropy(v.bytes("entropy"));
  auto enc = rsa_pad_encrypt(*key, v.bytes("data"), entropy);
  ASSERT_TRUE(enc.ok()) << enc.error().to_string();
  EXPECT_EQ(*enc, v.bytes("encrypted_data"));
  // Padding, the rejected temp_key and the accepted one: every byte drawn, none more.
  EXPECT_EQ(entropy.consumed(), v.bytes("entropy").size());
}

TEST(RsaPad, ClientEncryptServerDecryptWithAFreshKey) {
  const RsaPrivateKey& priv = test_key();
  test::CounterEntropy rng("rsa-pad-roundtrip");
  for (std::size_t len : {0u, 1u, 96u, 143u, 144u}) {
    Bytes data(len);
    rng.fill(data);
    auto enc = rsa_pad_encrypt(priv.public_key(), data, rng);
    ASSERT_TRUE(enc.ok()) << enc.error().to_string();
    ASSERT_EQ(enc->size(), 256u);
    auto dec = rsa_pad_decrypt(priv, *enc);
    ASSERT_TRUE(dec.ok()) << dec.error().to_string();
    ASSERT_EQ(dec->size(), kRsaPadPaddedSize);
    EXPECT_TRUE(std::equal(data.begin(), data.end(), dec->begin())) << len;
  }
}

TEST(RsaPad, TamperingIsDetected) {
  const RsaPrivateKey& priv = test_key();
  test::CounterEntropy rng("rsa-pad-tamper");
  const Bytes data(96, 0x5a);
  auto enc = rsa_pad_encrypt(priv.public_key(), data, rng);
  ASSERT_TRUE(enc.ok());

  // Flip a bit of the RSA plaintext (re-encrypting, as an attacker holding the public key can):
  // in temp_key_xor, in the AES part, in the embedded hash.
  auto plain = rsa_decrypt_raw(priv, *enc);
  ASSERT_TRUE(plain.ok());
  for (std::size_t at : {0u, 31u, 32u, 100u, 223u, 224u, 255u}) {
    Bytes forged = *plain;
    forged[at] ^= 0x01;
    auto reenc = rsa_encrypt_raw(priv.public_key(), forged);
    if (!reenc) continue;  // flipped past n: not a valid ciphertext anyway
    auto dec = rsa_pad_decrypt(priv, *reenc);
    ASSERT_FALSE(dec.ok()) << "flip at " << at;
    EXPECT_TRUE(is(dec.error(), CryptoErrc::bad_padding)) << dec.error().to_string();
  }
  // Flip a bit of the RSA ciphertext itself.
  Bytes broken = *enc;
  broken[128] ^= 0x10;
  auto dec = rsa_pad_decrypt(priv, broken);
  ASSERT_FALSE(dec.ok());
  EXPECT_TRUE(is(dec.error(), CryptoErrc::bad_padding) || is(dec.error(), CryptoErrc::out_of_range));
}

TEST(RsaPad, InputErrors) {
  auto tg = RsaPublicKey::from_pem(kTelegramPem);
  ASSERT_TRUE(tg.ok());
  test::CounterEntropy rng("rsa-pad-errors");
  auto too_long = rsa_pad_encrypt(*tg, Bytes(145, 1), rng);
  ASSERT_FALSE(too_long.ok());
  EXPECT_TRUE(is(too_long.error(), CryptoErrc::bad_length));

  auto small = RsaPrivateKey::generate(1024);
  ASSERT_TRUE(small.ok());
  auto wrong_size = rsa_pad_encrypt(small->public_key(), Bytes(16), rng);
  ASSERT_FALSE(wrong_size.ok());
  EXPECT_TRUE(is(wrong_size.error(), CryptoErrc::bad_key));
  EXPECT_TRUE(is(rsa_pad_decrypt(*small, Bytes(128)).error(), CryptoErrc::bad_key));

  auto long_ct = rsa_pad_decrypt(test_key(), Bytes(257, 1));
  ASSERT_FALSE(long_ct.ok());
  EXPECT_TRUE(is(long_ct.error(), CryptoErrc::bad_length));

  // Broken entropy repeating one temp_key gives the same key_aes_encrypted every attempt: the
  // retry loop must end (success, or out_of_range after its bound), never spin forever.
  test::SequenceEntropy ff(Bytes(48 + 64 * 32, 0xff));
  auto r = rsa_pad_encrypt(*tg, Bytes(144, 0), ff);
  EXPECT_TRUE(r.ok() || is(r.error(), CryptoErrc::out_of_range));
}

TEST(RsaLegacy, ServerDecodesTheOldScheme) {
  const RsaPrivateKey& priv = test_key();
  test::CounterEntropy rng("rsa-legacy");
  Bytes data(96);
  rng.fill(data);
  // The client side of the pre-2.0 scheme: SHA1(data) ‖ data ‖ random, 255 bytes, raw RSA.
  const Sha1Digest h = sha1(data);
  Bytes with_hash(h.bytes.begin(), h.bytes.end());
  with_hash.insert(with_hash.end(), data.begin(), data.end());
  Bytes pad(255 - with_hash.size());
  rng.fill(pad);
  with_hash.insert(with_hash.end(), pad.begin(), pad.end());
  auto enc = rsa_encrypt_raw(priv.public_key(), with_hash);
  ASSERT_TRUE(enc.ok());

  auto dec = rsa_legacy_decrypt(priv, *enc);
  ASSERT_TRUE(dec.ok()) << dec.error().to_string();
  ASSERT_EQ(dec->data_with_padding.size(), 235u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), dec->data_with_padding.begin()));
  EXPECT_TRUE(dec->hash_matches(96));
  EXPECT_FALSE(dec->hash_matches(95));
  EXPECT_FALSE(dec->hash_matches(236));

  // An RSA_PAD message is (almost surely) not a valid legacy one and vice versa.
  auto pad_msg = rsa_pad_encrypt(priv.public_key(), data, rng);
  ASSERT_TRUE(pad_msg.ok());
  auto as_legacy = rsa_legacy_decrypt(priv, *pad_msg);
  EXPECT_TRUE(!as_legacy.ok() || !as_legacy->hash_matches(96));
  auto as_pad = rsa_pad_decrypt(priv, *enc);
  ASSERT_FALSE(as_pad.ok());
  EXPECT_TRUE(is(as_pad.error(), CryptoErrc::bad_padding));
}

}  // namespace
}  // namespace telepp::crypto
