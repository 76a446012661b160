// DH parameter and value checks, the prime cache, modular exponentiation.

#include <gtest/gtest.h>

#include <chrono>

#include "crypto_test_support.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/crypto/errors.hpp"

namespace telepp::crypto {
namespace {

Bytes prime_bytes() { return Bytes(telegram_dh_prime().bytes.begin(), telegram_dh_prime().bytes.end()); }

// A 2048-bit safe prime other than Telegram's: the RFC 3526 group 14 (MODP-2048) prime. It is
// 7 mod 8, 2 mod 3, 4 mod 5, 23 mod 24 and 5 mod 7, so every g in 2..7 passes its residue rule.
Bytes rfc3526_prime() {
  return test::hex(
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
      "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
      "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
      "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
      "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
      "15728E5A8AACAA68FFFFFFFFFFFFFFFF");
}

bool has_code(const Status& s, CryptoErrc c) { return !s.ok() && is(s.error(), c); }

TEST(DhParams, TelegramPrimePassesWithItsGenerators) {
  // p mod 3 = 2 (g=3), p mod 7 = 6 (g=7), g=4 needs nothing. Telegram sends g=3.
  for (int g : {3, 4, 7}) EXPECT_TRUE(check_dh_params(prime_bytes(), g).ok()) << g;
}

TEST(DhParams, ResidueRulesRejectTheWrongGenerators) {
  // Telegram's prime is 3 mod 8 (g=2 needs 7), 3 mod 5 (g=5 needs 1 or 4), 11 mod 24 (g=6 needs
  // 19 or 23).
  for (int g : {2, 5, 6}) {
    Status s = check_dh_params(prime_bytes(), g);
    ASSERT_TRUE(has_code(s, CryptoErrc::bad_generator)) << g;
    EXPECT_NE(s.error().detail.find("g=" + std::to_string(g)), std::string::npos) << s.error().detail;
  }
}

TEST(DhParams, GeneratorOutOfRange) {
  for (int g : {-1, 0, 1, 8, 1000}) EXPECT_TRUE(has_code(check_dh_params(prime_bytes(), g), CryptoErrc::bad_generator)) << g;
}

TEST(DhParams, WrongSize) {
  Bytes short_p = prime_bytes();
  short_p.pop_back();
  EXPECT_TRUE(has_code(check_dh_params(short_p, 3), CryptoErrc::bad_length));
  Bytes long_p = prime_bytes();
  long_p.push_back(0x01);
  EXPECT_TRUE(has_code(check_dh_params(long_p, 3), CryptoErrc::bad_length));
  // 256 bytes but only 2047 bits.
  Bytes low = prime_bytes();
  low[0] = 0x47;
  EXPECT_TRUE(has_code(check_dh_params(low, 3), CryptoErrc::bad_length));
  EXPECT_TRUE(has_code(check_dh_params({}, 3), CryptoErrc::bad_length));
}

TEST(DhParams, NotASafePrime) {
  DhPrimeCache empty(false);
  // p - 6 is odd, composite, and keeps p mod 3 = 2 so the g=3 residue rule still passes.
  Bytes composite = prime_bytes();
  composite[255] = static_cast<Byte>(composite[255] - 6);  // p - 6: same residue mod 3, odd
  Status s = check_dh_params(composite, 3, empty);
  EXPECT_TRUE(has_code(s, CryptoErrc::not_prime)) << (s.ok() ? "ok" : s.error().to_string());

  // A 2048-bit prime that is not safe: the RFC 5114 section 2.3 MODP prime (DSA-style: p-1 has a
  // 256-bit prime factor, so (p-1)/2 is composite). It is 3 mod 5 and 1 mod 7, so g=5 and g=7
  // fail their residue rules first; g=2,3,4,6 reach the primality test.
  const Bytes rfc5114 = test::hex(
      "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA30"
      "16C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B"
      "6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0E"
      "F13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026"
      "C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F"
      "693877FAD7EF09CADB094AE91E1A1597");
  for (int g : {2, 3, 4, 5, 6, 7}) {
    Status r = check_dh_params(rfc5114, g, empty);
    // Either its residue rule already fails, or it is caught as not a safe prime.
    EXPECT_FALSE(r.ok()) << g;
    if (!r.ok() && !is(r.error(), CryptoErrc::bad_generator)) {
      EXPECT_TRUE(is(r.error(), CryptoErrc::not_prime)) << r.error().to_string();
      EXPECT_NE(r.error().detail.find("(p-1)/2"), std::string::npos) << r.error().detail;
    }
  }
  EXPECT_EQ(empty.size(), 0u);
}

TEST(DhParams, AnotherSafePrimeIsProvenThenCached) {
  DhPrimeCache cache(false);
  const Bytes p = rfc3526_prime();
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  ASSERT_TRUE(check_dh_params(p, 2, cache).ok());
  const auto cold = Clock::now() - t0;
  EXPECT_EQ(cache.size(), 1u);
  const auto t1 = Clock::now();
  ASSERT_TRUE(check_dh_params(p, 3, cache).ok());
  const auto warm = Clock::now() - t1;
  EXPECT_EQ(cache.size(), 1u);
  // The primality tests take tens of milliseconds; a cache hit is a lookup.
  EXPECT_LT(warm * 20, cold) << "cold " << std::chrono::duration<double, std::milli>(cold).count() << " ms, warm "
                             << std::chrono::duration<double, std::milli>(warm).count() << " ms";
  // The residue rule is still checked on a cache hit (Telegram's prime is seeded, 3 mod 8).
  DhPrimeCache seeded(true);
  EXPECT_TRUE(has_code(check_dh_params(prime_bytes(), 2, seeded), CryptoErrc::bad_generator));
}

TEST(DhParams, TelegramPrimeIsReallyASafePrime) {
  // The seeded cache must not be what makes it pass: prove it once from scratch.
  DhPrimeCache empty(false);
  EXPECT_TRUE(check_dh_params(prime_bytes(), 3, empty).ok());
}

TEST(DhPrimeCache, BoundedAndClearable) {
  DhPrimeCache cache(false);
  for (std::size_t i = 0; i < DhPrimeCache::kCapacity + 3; ++i) {
    DhValue v{};
    v.bytes[0] = static_cast<Byte>(i + 1);
    cache.insert(v);
    cache.insert(v);  // duplicates are not stored twice
  }
  EXPECT_EQ(cache.size(), DhPrimeCache::kCapacity);
  DhValue first{};
  first.bytes[0] = 1;
  EXPECT_FALSE(cache.contains(first));  // oldest evicted
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(DhPrimeCache(true).contains(telegram_dh_prime()));
}

TEST(DhValue, RangeChecks) {
  const Bytes p = prime_bytes();
  auto status_of = [&](const Bytes& x) { return check_dh_value(x, p); };

  Bytes ok(256, 0);
  ok[0] = 0x40;
  EXPECT_TRUE(status_of(ok).ok());

  EXPECT_TRUE(has_code(status_of(test::hex("00")), CryptoErrc::out_of_range));
  EXPECT_TRUE(has_code(status_of(test::hex("01")), CryptoErrc::out_of_range));
  EXPECT_TRUE(has_code(status_of(test::hex("02")), CryptoErrc::out_of_range));  // > 1 but < 2^1984

  // Exactly 2^1984 is allowed; one less is not.
  Bytes lower(256, 0);
  lower[256 - 248 - 1] = 0x01;  // byte index 7 holds bit 1984
  EXPECT_TRUE(status_of(lower).ok());
  Bytes below(256, 0);
  std::fill(below.begin() + 8, below.end(), 0xff);  // 2^1984 - 1
  Status s = status_of(below);
  ASSERT_TRUE(has_code(s, CryptoErrc::out_of_range));
  EXPECT_NE(s.error().detail.find("below 2^(2048-64)"), std::string::npos);

  // p - 1, p, and anything above p - 2^1984.
  Bytes pm1 = p;
  pm1[255] -= 1;
  EXPECT_TRUE(has_code(status_of(pm1), CryptoErrc::out_of_range));
  EXPECT_TRUE(has_code(status_of(p), CryptoErrc::out_of_range));
  Bytes near_top = p;
  near_top[255] -= 2;  // p - 2: inside (1, p-1) but above p - 2^1984
  s = status_of(near_top);
  ASSERT_TRUE(has_code(s, CryptoErrc::out_of_range));
  EXPECT_NE(s.error().detail.find("above p - 2^(2048-64)"), std::string::npos);

  EXPECT_TRUE(has_code(check_dh_value(Bytes(257, 1), p), CryptoErrc::bad_length));
}

TEST(DhModExp, FixedSizeOutputAndSmallCases) {
  // 3^5 mod 7 = 5, left-padded to 256 bytes.
  auto r = dh_mod_exp(test::hex("03"), test::hex("05"), test::hex("07"));
  ASSERT_TRUE(r.ok());
  Bytes expected(256, 0);
  expected[255] = 5;
  EXPECT_EQ(test::to_vec(*r), expected);
  auto g = dh_pow_g(3, test::hex("05"), test::hex("07"));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, *r);

  EXPECT_TRUE(is(dh_mod_exp(test::hex("03"), test::hex("05"), test::hex("08")).error(), CryptoErrc::out_of_range));
  EXPECT_TRUE(is(dh_mod_exp(test::hex("03"), test::hex("05"), {}).error(), CryptoErrc::out_of_range));
  EXPECT_TRUE(is(dh_mod_exp(test::hex("03"), test::hex("05"), Bytes(257, 1)).error(), CryptoErrc::bad_length));
  EXPECT_TRUE(is(dh_mod_exp(Bytes(257, 1), test::hex("05"), test::hex("07")).error(), CryptoErrc::bad_length));
}

TEST(DhModExp, BothSidesAgree) {
  test::CounterEntropy rng("dh-agree");
  const Bytes p = prime_bytes();
  Bytes a(256), b(256);
  rng.fill(a);
  rng.fill(b);
  auto ga = dh_pow_g(3, a, p);
  auto gb = dh_pow_g(3, b, p);
  ASSERT_TRUE(ga.ok() && gb.ok());
  EXPECT_TRUE(check_dh_value(ga->view(), p).ok());
  auto k1 = dh_mod_exp(ga->view(), b, p);
  auto k2 = dh_mod_exp(gb->view(), a, p);
  ASSERT_TRUE(k1.ok() && k2.ok());
  EXPECT_EQ(*k1, *k2);
}

}  // namespace
}  // namespace telepp::crypto
