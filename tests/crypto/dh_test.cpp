// DH parameter and value checks, the prime cache, modular exponentiation.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <thread>
#include <utility>
#include <vector>

#include "crypto_test_support.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/base/hex.hpp"
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


// ---- fixed-base dh_pow_g ----

Bytes big_endian_word(std::uint32_t g) {
  return Bytes{static_cast<Byte>(g >> 24), static_cast<Byte>(g >> 16), static_cast<Byte>(g >> 8), static_cast<Byte>(g)};
}

// `x` +/- a small number, as 256 big-endian bytes (x < 2^2048 and no wrap-around).
Bytes add_small(Bytes x, int delta) {
  x.insert(x.begin(), 256 - x.size(), 0);
  int carry = delta;
  for (std::size_t i = x.size(); i-- > 0 && carry != 0;) {
    const int v = x[i] + carry;
    x[i] = static_cast<Byte>(v & 0xff);
    carry = v >> 8;  // arithmetic shift: -1 for a borrow
  }
  return x;
}

Bytes half(Bytes x) {  // x >> 1
  Byte carry = 0;
  for (auto& b : x) {
    const Byte next = static_cast<Byte>(b & 1);
    b = static_cast<Byte>((b >> 1) | (carry << 7));
    carry = next;
  }
  return x;
}

// The exponents that catch comb indexing and edge mistakes: 0 in several lengths, 1, 2, p-1, p,
// p+1, all ones, single bits at block and comb boundaries (the comb cuts 2048 bits into 6
// blocks of 342 bits, each into 9 combs of 38), leading zero bytes, short and random values.
std::vector<Bytes> interesting_exponents(const Bytes& p, test::CounterEntropy& rng) {
  std::vector<Bytes> out;
  out.push_back({});
  out.push_back(test::hex("00"));
  out.push_back(Bytes(256, 0));
  out.push_back(test::hex("01"));
  out.push_back(test::hex("02"));
  out.push_back(add_small(p, -1));
  out.push_back(p);
  out.push_back(add_small(p, 1));
  out.push_back(Bytes(256, 0xff));
  for (int bit : {0, 1, 37, 38, 341, 342, 683, 1709, 2046, 2047}) {
    Bytes e(256, 0);
    e[255 - bit / 8] = static_cast<Byte>(1u << (bit % 8));
    out.push_back(e);
  }
  Bytes leading_zeros(256);
  rng.fill(leading_zeros);
  leading_zeros[0] = leading_zeros[1] = leading_zeros[2] = 0;
  out.push_back(leading_zeros);
  Bytes short_one(255);
  rng.fill(short_one);
  out.push_back(short_one);
  Bytes tiny(8);
  rng.fill(tiny);
  out.push_back(tiny);
  for (int i = 0; i < 6; ++i) {
    Bytes e(256);
    rng.fill(e);
    out.push_back(e);
  }
  return out;
}

TEST(DhPowG, FixedBaseMatchesModExp) {
  test::CounterEntropy rng("dh-fixed-base");
  for (const Bytes& p : {prime_bytes(), rfc3526_prime()}) {
    const auto exponents = interesting_exponents(p, rng);
    for (std::uint32_t g = 2; g <= 7; ++g) {
      DhPowCache cache(1);
      for (std::size_t i = 0; i < exponents.size(); ++i) {
        auto got = dh_pow_g(g, exponents[i], p, cache);
        auto want = dh_mod_exp(big_endian_word(g), exponents[i], p);
        ASSERT_TRUE(got.ok() && want.ok());
        EXPECT_EQ(*got, *want) << "g=" << g << " exponent #" << i << " p=" << to_hex(ByteView(p).first(4));
      }
      EXPECT_TRUE(cache.has_table(g, p)) << g;
    }
  }
}

TEST(DhPowG, PortableTableScanGivesTheSameResults) {
  // The AVX2 scan is what this machine runs; the portable one runs on CPUs without AVX2.
  struct Restore {
    ~Restore() { detail::dh_force_portable_select(false); }
  } restore;
  detail::dh_force_portable_select(true);
  test::CounterEntropy rng("dh-portable-scan");
  for (const Bytes& p : {prime_bytes(), rfc3526_prime()}) {
    const auto exponents = interesting_exponents(p, rng);
    DhPowCache cache(1);
    for (std::size_t i = 0; i < exponents.size(); ++i) {
      EXPECT_EQ(*dh_pow_g(3, exponents[i], p, cache), *dh_mod_exp(test::hex("03"), exponents[i], p)) << i;
    }
    EXPECT_TRUE(cache.has_table(3, p));
  }
}

TEST(DhPowG, KnownAnswersWithoutOpenSslExponentiation) {
  // Independent of dh_mod_exp: Fermat (g^(p-1) = 1) and Euler's criterion (g^((p-1)/2) is 1 for
  // a quadratic residue, p-1 for a non-residue). Telegram's prime is 3 mod 8, so 2 is a
  // non-residue and 3, 4, 7 (its residue rules) are residues; RFC 3526's is 7 mod 8 and every
  // g in 2..7 passes its rules there.
  DhPowCache cache(1);
  Bytes one(256, 0);
  one[255] = 1;
  for (const Bytes& p : {prime_bytes(), rfc3526_prime()}) {
    const Bytes p_minus_1 = add_small(p, -1);
    const Bytes q = half(p_minus_1);
    for (std::uint32_t g = 2; g <= 7; ++g) {
      EXPECT_EQ(test::to_vec(*dh_pow_g(g, p_minus_1, p, cache)), one) << g;
      const bool residue = p != prime_bytes() || g == 3 || g == 4 || g == 7;
      EXPECT_EQ(test::to_vec(*dh_pow_g(g, q, p, cache)), residue ? one : p_minus_1) << g;
      Bytes g_itself(256, 0);
      g_itself[255] = static_cast<Byte>(g);
      EXPECT_EQ(test::to_vec(*dh_pow_g(g, test::hex("01"), p, cache)), g_itself);
      EXPECT_EQ(test::to_vec(*dh_pow_g(g, {}, p, cache)), one);
    }
  }
  EXPECT_EQ(cache.table_count(), DhPowCache::kCapacity);
}

TEST(DhPowG, TableBuiltOnTheConfiguredUse) {
  const Bytes p = prime_bytes();
  test::CounterEntropy rng("dh-policy");
  Bytes e(256);
  rng.fill(e);
  const auto want = dh_mod_exp(test::hex("03"), e, p);

  DhPowCache cache;  // default: the second use builds
  EXPECT_EQ(*dh_pow_g(3, e, p, cache), *want);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.has_table(3, p));  // a prime used once never pays for a table
  EXPECT_EQ(*dh_pow_g(3, e, p, cache), *want);
  EXPECT_TRUE(cache.has_table(3, p));
  EXPECT_EQ(*dh_pow_g(3, e, p, cache), *want);
  EXPECT_FALSE(cache.has_table(7, p));  // keyed by g too

  DhPowCache third(3);
  for (int use = 1; use <= 3; ++use) {
    EXPECT_EQ(*dh_pow_g(3, e, p, third), *want);
    EXPECT_EQ(third.has_table(3, p), use == 3) << use;
  }
  third.clear();
  EXPECT_EQ(third.size(), 0u);
  EXPECT_FALSE(third.has_table(3, p));
}

TEST(DhPowG, OtherInputsTakeTheVariableBasePath) {
  DhPowCache cache(1);
  const Bytes p = prime_bytes();
  // Moduli shorter than 2048 bits, and g = 0 or 1, never get a table.
  auto small = dh_pow_g(3, test::hex("05"), test::hex("07"), cache);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->bytes[255], 5);
  Bytes short_p = rfc3526_prime();
  short_p.erase(short_p.begin());  // 2040 bits, still odd
  EXPECT_EQ(*dh_pow_g(3, p, short_p, cache), *dh_mod_exp(test::hex("03"), p, short_p));
  EXPECT_EQ(*dh_pow_g(0, test::hex("05"), p, cache), DhValue{});
  EXPECT_EQ(dh_pow_g(1, p, p, cache)->bytes[255], 1);
  EXPECT_EQ(cache.size(), 0u);
  // The same errors as dh_mod_exp.
  EXPECT_TRUE(is(dh_pow_g(3, Bytes(257, 1), p, cache).error(), CryptoErrc::bad_length));
  EXPECT_TRUE(is(dh_pow_g(3, test::hex("05"), Bytes(257, 1), cache).error(), CryptoErrc::bad_length));
  Bytes even = p;
  even[255] ^= 1;
  EXPECT_TRUE(is(dh_pow_g(3, test::hex("05"), even, cache).error(), CryptoErrc::out_of_range));
  EXPECT_TRUE(is(dh_pow_g(3, test::hex("05"), {}, cache).error(), CryptoErrc::out_of_range));
}

TEST(DhPowG, DegenerateModulusFallsBackAndStaysCorrect) {
  // m = 3^1292 is odd and 2048 bits long (dh_pow_g takes any odd modulus). With g = 3 every
  // g^(2^k) for k >= 11 is 0 mod m, so no table can have full-width entries: the build gives up
  // once and the pair keeps the variable-base path. g = 2 is invertible mod m: a composite
  // modulus with a working table.
  const Bytes all_ones(256, 0xff);
  const DhValue m = *dh_mod_exp(test::hex("03"), test::hex("050c"), all_ones);  // 3^1292 < 2^2048 - 1
  ASSERT_EQ(m.bytes[0] & 0x80, 0x80);
  DhPowCache cache(1);
  test::CounterEntropy rng("dh-degenerate");
  for (int i = 0; i < 3; ++i) {
    Bytes e(256);
    rng.fill(e);
    for (std::uint32_t g : {3u, 2u}) {
      EXPECT_EQ(*dh_pow_g(g, e, m.view(), cache), *dh_mod_exp(big_endian_word(g), e, m.view())) << g;
    }
  }
  EXPECT_FALSE(cache.has_table(3, m.view()));
  EXPECT_TRUE(cache.has_table(2, m.view()));
  EXPECT_EQ(cache.size(), 2u);
}

TEST(DhPowCache, BoundedLeastRecentlyUsedFirst) {
  DhPowCache cache(1);
  const Bytes e = test::hex("0102030405060708");
  std::vector<std::pair<std::uint32_t, Bytes>> pairs;
  for (const Bytes& p : {prime_bytes(), rfc3526_prime()}) {
    for (std::uint32_t g = 2; g <= 7; ++g) pairs.emplace_back(g, p);
  }
  for (const auto& [g, p] : pairs) {
    ASSERT_TRUE(dh_pow_g(g, e, p, cache).ok());
    EXPECT_LE(cache.size(), DhPowCache::kCapacity);
  }
  EXPECT_EQ(cache.size(), DhPowCache::kCapacity);
  EXPECT_EQ(cache.table_count(), DhPowCache::kCapacity);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(cache.has_table(pairs[i].first, pairs[i].second), i + DhPowCache::kCapacity >= pairs.size()) << i;
  }
  // A use refreshes a pair: touch the oldest kept one, add a new pair, and the next oldest goes.
  const auto& oldest = pairs[pairs.size() - DhPowCache::kCapacity];
  const auto& next_oldest = pairs[pairs.size() - DhPowCache::kCapacity + 1];
  ASSERT_TRUE(dh_pow_g(oldest.first, e, oldest.second, cache).ok());
  ASSERT_TRUE(dh_pow_g(pairs[0].first, e, pairs[0].second, cache).ok());
  EXPECT_TRUE(cache.has_table(oldest.first, oldest.second));
  EXPECT_FALSE(cache.has_table(next_oldest.first, next_oldest.second));
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.table_count(), 0u);
}

TEST(DhPowCache, ThreadsComputeWhileTablesBuild) {
  // Several threads start together on one (g, p): one builds the table while the others take
  // the variable-base path; then on more pairs than the cache holds, so tables are built,
  // evicted and rebuilt under contention. Every result must match.
  constexpr int kThreads = 4;
  test::CounterEntropy rng("dh-threads");
  std::vector<std::pair<std::uint32_t, Bytes>> pairs = {{3, prime_bytes()},   {2, rfc3526_prime()},
                                                        {7, prime_bytes()},   {5, rfc3526_prime()},
                                                        {4, prime_bytes()},   {6, rfc3526_prime()}};
  struct Job {
    std::size_t pair;
    Bytes exponent;
    DhValue want;
  };
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    for (int k = 0; k < 2; ++k) {
      Bytes e(256);
      rng.fill(e);
      jobs.push_back({i, e, *dh_mod_exp(big_endian_word(pairs[i].first), e, pairs[i].second)});
    }
  }

  DhPowCache one_pair(1);
  DhPowCache many_pairs(1);
  std::latch start(kThreads);
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int k = 0; k < 3; ++k) {
        const Job& job = jobs[static_cast<std::size_t>((t + k) % 2)];  // pair 0 only
        auto got = dh_pow_g(pairs[0].first, job.exponent, pairs[0].second, one_pair);
        if (!got.ok() || *got != job.want) ++mismatches[static_cast<std::size_t>(t)];
      }
      for (std::size_t k = 0; k < jobs.size(); ++k) {
        const Job& job = jobs[(k * 5 + static_cast<std::size_t>(t) * 3) % jobs.size()];
        auto got = dh_pow_g(pairs[job.pair].first, job.exponent, pairs[job.pair].second, many_pairs);
        if (!got.ok() || *got != job.want) ++mismatches[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[static_cast<std::size_t>(t)], 0) << "thread " << t;
  EXPECT_EQ(one_pair.table_count(), 1u);
  EXPECT_LE(many_pairs.size(), DhPowCache::kCapacity);
  // Afterwards every pair still computes the right values.
  for (const Job& job : jobs) {
    EXPECT_EQ(*dh_pow_g(pairs[job.pair].first, job.exponent, pairs[job.pair].second, many_pairs), job.want);
  }
}

}  // namespace
}  // namespace telepp::crypto
