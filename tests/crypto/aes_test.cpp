// AES-256-IGE (the shared 1 KiB vector, backends agree, round trips, length errors) and AES-256-CTR.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto_test_support.hpp"
#include "telepp/crypto/aes_ctr.hpp"
#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/errors.hpp"

namespace telepp::crypto {
namespace {

template <std::size_t N>
FixedBytes<N> fixed(const Bytes& b) {
  FixedBytes<N> out;
  EXPECT_EQ(b.size(), N);
  std::copy_n(b.begin(), std::min(N, b.size()), out.bytes.begin());
  return out;
}

struct IgeVector {
  Int256 key, iv;
  Bytes plaintext, ciphertext;
};

IgeVector load_ige_vector() {
  const auto j = nlohmann::json::parse(test::vector_text("aes256_ige_1k.json"));
  return {fixed<32>(test::hex(j.at("key").get<std::string>())), fixed<32>(test::hex(j.at("iv").get<std::string>())),
          test::hex(j.at("plaintext").get<std::string>()), test::hex(j.at("ciphertext").get<std::string>())};
}

std::vector<AesBackend> backends() {
  std::vector<AesBackend> out{AesBackend::automatic, AesBackend::portable};
  if (aesni_available()) out.push_back(AesBackend::aesni);
  return out;
}

TEST(AesIge, SharedVectorEveryBackend) {
  const IgeVector v = load_ige_vector();
  ASSERT_EQ(v.plaintext.size(), 1024u);
  for (auto backend : backends()) {
    SCOPED_TRACE(static_cast<int>(backend));
    Bytes data = v.plaintext;
    ASSERT_TRUE(aes_ige_encrypt(v.key, v.iv, data, backend).ok());
    EXPECT_EQ(data, v.ciphertext);
    ASSERT_TRUE(aes_ige_decrypt(v.key, v.iv, data, backend).ok());
    EXPECT_EQ(data, v.plaintext);
  }
}

TEST(AesIge, BackendsAgreeOnRandomDataOfManyLengths) {
  if (!aesni_available()) GTEST_SKIP() << "no AES-NI on this CPU";
  test::CounterEntropy rng("aes-ige-lengths");
  for (std::size_t blocks : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 64u, 100u, 1000u, 4097u}) {
    Int256 key, iv;
    rng.fill({key.data(), 32});
    rng.fill({iv.data(), 32});
    Bytes plain(blocks * 16);
    rng.fill(plain);
    Bytes a = plain, b = plain;
    ASSERT_TRUE(aes_ige_encrypt(key, iv, a, AesBackend::aesni).ok());
    ASSERT_TRUE(aes_ige_encrypt(key, iv, b, AesBackend::portable).ok());
    ASSERT_EQ(a, b) << blocks << " blocks";
    EXPECT_NE(a, plain);
    ASSERT_TRUE(aes_ige_decrypt(key, iv, a, AesBackend::portable).ok());
    ASSERT_TRUE(aes_ige_decrypt(key, iv, b, AesBackend::aesni).ok());
    EXPECT_EQ(a, plain) << blocks << " blocks";
    EXPECT_EQ(b, plain) << blocks << " blocks";
  }
}

TEST(AesIge, EncryptThenDecryptIsIdentity) {
  test::CounterEntropy rng("aes-ige-roundtrip");
  for (auto backend : backends()) {
    for (std::size_t len : {0u, 16u, 48u, 512u * 1024u}) {
      Int256 key, iv;
      rng.fill({key.data(), 32});
      rng.fill({iv.data(), 32});
      Bytes plain(len);
      rng.fill(plain);
      Bytes data = plain;
      ASSERT_TRUE(aes_ige_encrypt(key, iv, data, backend).ok());
      ASSERT_TRUE(aes_ige_decrypt(key, iv, data, backend).ok());
      EXPECT_EQ(data, plain);
    }
  }
}

TEST(AesIge, IvHalvesAreUsedAsDocumented) {
  // One block, zero plaintext: y_1 = E(0 ^ y_0) ^ x_0. Changing only x_0 (iv[16..32)) must flip
  // exactly those bits of the output.
  Int256 key{}, iv{};
  Bytes a(16, 0), b(16, 0);
  ASSERT_TRUE(aes_ige_encrypt(key, iv, a).ok());
  iv.bytes[16] = 0x80;
  ASSERT_TRUE(aes_ige_encrypt(key, iv, b).ok());
  EXPECT_EQ(a[0] ^ b[0], 0x80);
  for (int i = 1; i < 16; ++i) EXPECT_EQ(a[i], b[i]);
}

TEST(AesIge, RejectsPartialBlocksAndLeavesDataAlone) {
  Int256 key{}, iv{};
  for (std::size_t len : {1u, 15u, 17u, 33u}) {
    Bytes data(len, 0x42);
    for (auto backend : backends()) {
      auto enc = aes_ige_encrypt(key, iv, data, backend);
      ASSERT_FALSE(enc.ok());
      EXPECT_TRUE(is(enc.error(), CryptoErrc::bad_length)) << enc.error().to_string();
      auto dec = aes_ige_decrypt(key, iv, data, backend);
      ASSERT_FALSE(dec.ok());
      EXPECT_TRUE(is(dec.error(), CryptoErrc::bad_length));
    }
    EXPECT_EQ(data, Bytes(len, 0x42));
  }
}

TEST(AesIge, AesniBackendReportsUnsupportedWhereMissing) {
  if (aesni_available()) GTEST_SKIP() << "AES-NI present";
  Int256 key{}, iv{};
  Bytes data(16);
  auto r = aes_ige_encrypt(key, iv, data, AesBackend::aesni);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), CryptoErrc::unsupported));
}

TEST(AesCtr, SplitCallsEqualOneCall) {
  test::CounterEntropy rng("aes-ctr");
  Int256 key;
  Int128 iv;
  rng.fill({key.data(), 32});
  rng.fill({iv.data(), 16});
  Bytes plain(1000);
  rng.fill(plain);

  Bytes whole = plain;
  AesCtr one(key, iv);
  one.apply(whole);
  EXPECT_NE(whole, plain);

  // Pieces that start and end inside keystream blocks.
  Bytes split = plain;
  AesCtr many(key, iv);
  std::size_t pos = 0;
  for (std::size_t n : {1u, 2u, 13u, 16u, 17u, 31u, 64u, 5u, 0u}) {
    many.apply(MutableByteView(split).subspan(pos, n));
    pos += n;
  }
  many.apply(MutableByteView(split).subspan(pos));
  EXPECT_EQ(split, whole);

  // Decryption is the same operation from the same starting state.
  AesCtr back(key, iv);
  Bytes out(whole.size());
  back.apply(whole, out);
  EXPECT_EQ(out, plain);
}

TEST(AesCtr, KnownAnswerNistSp800_38a) {
  // SP 800-38A F.5.5 CTR-AES256.Encrypt, first two blocks.
  const Int256 key = fixed<32>(test::hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"));
  const Int128 iv = fixed<16>(test::hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
  Bytes data = test::hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
  AesCtr ctr(key, iv);
  ctr.apply(data);
  EXPECT_EQ(data, test::hex("601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"));
}

TEST(AesCtr, MovedStreamContinues) {
  const Int256 key{};
  const Int128 iv{};
  Bytes ref(48, 0);
  AesCtr(key, iv).apply(ref);
  AesCtr a(key, iv);
  Bytes part1(16, 0), part2(32, 0);
  a.apply(part1);
  AesCtr b = std::move(a);
  b.apply(part2);
  part1.insert(part1.end(), part2.begin(), part2.end());
  EXPECT_EQ(part1, ref);
}

}  // namespace
}  // namespace telepp::crypto
