// pq factorisation (the worked example, random semiprimes, refusals) and server-side generation.

#include <gtest/gtest.h>

#include <chrono>

#include "crypto_test_support.hpp"
#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/pq.hpp"

namespace telepp::crypto {
namespace {

TEST(Pq, WorkedExampleInMicroseconds) {
  test::VectorFile v("mtproto_auth_example.txt");
  const std::uint64_t pq = v.u64("pq");
  ASSERT_EQ(pq, 0x17ED48941A08F981ull);
  const auto t0 = std::chrono::steady_clock::now();
  auto f = factorize_pq(pq);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  EXPECT_EQ(f->p, v.u64("p"));
  EXPECT_EQ(f->q, v.u64("q"));
  EXPECT_EQ(f->p, 0x494C553Bull);
  EXPECT_EQ(f->q, 0x53911073ull);
  // Generous bound (sanitizer builds, loaded CI); a typical run is a few microseconds.
  EXPECT_LT(took, std::chrono::milliseconds(20));
}

TEST(Pq, ServerSentValues) {
  // pq values servers have sent (they appear in later versions of the samples page).
  struct Case {
    std::uint64_t pq, p, q;
  };
  for (const Case& c : {Case{2289844033317725111ull, 1338315091ull, 1710990221ull}}) {
    auto f = factorize_pq(c.pq);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(*f, (PqFactors{c.p, c.q}));
  }
}

TEST(Pq, RandomSemiprimesFromGeneratePq) {
  test::CounterEntropy rng("pq-random");
  for (int i = 0; i < 200; ++i) {
    const PqChallenge c = generate_pq(rng);
    ASSERT_LT(c.p, c.q);
    ASSERT_GE(c.p, 1ull << 30);
    ASSERT_LT(c.q, 1ull << 31);
    // The spec's bound, which clients that read pq as a signed 64-bit number depend on.
    ASSERT_LE(c.pq, 0x7fffffffffffffffull);
    ASSERT_TRUE(is_prime_u64(c.p) && is_prime_u64(c.q));
    ASSERT_EQ(c.pq, c.p * c.q);
    auto f = factorize_pq(c.pq);
    ASSERT_TRUE(f.ok()) << c.pq;
    EXPECT_EQ(*f, (PqFactors{c.p, c.q})) << c.pq;
  }
}

TEST(Pq, UnbalancedAndSmallSemiprimes) {
  struct Case {
    std::uint64_t p, q;
  };
  for (const Case& c : {Case{2, 3}, Case{2, 4294967311ull}, Case{3, 5}, Case{65537, 4294967291ull},
                        Case{65537, 281470681808891ull}, Case{1000003, 18446688733531ull}}) {
    ASSERT_TRUE(is_prime_u64(c.p) && is_prime_u64(c.q)) << c.p << " * " << c.q;
    auto f = factorize_pq(c.p * c.q);
    ASSERT_TRUE(f.ok()) << c.p << " * " << c.q;
    EXPECT_EQ(*f, (PqFactors{c.p, c.q}));
  }
  // Largest: two primes just under 2^32.
  auto f = factorize_pq(4294967291ull * 4294967279ull);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, (PqFactors{4294967279ull, 4294967291ull}));
}

TEST(Pq, RefusesWhatIsNotASemiprime) {
  for (std::uint64_t n : {0ull, 1ull, 2ull, 3ull, 13ull, 18446744073709551557ull /* prime */,
                          49ull /* 7^2 */, 4294967291ull * 4294967291ull /* square */, 30ull /* 2*3*5 */,
                          8ull}) {
    auto f = factorize_pq(n);
    ASSERT_FALSE(f.ok()) << n;
    EXPECT_TRUE(is(f.error(), CryptoErrc::not_factorable)) << n;
  }
}

TEST(Pq, MillerRabin) {
  EXPECT_FALSE(is_prime_u64(0));
  EXPECT_FALSE(is_prime_u64(1));
  EXPECT_TRUE(is_prime_u64(2));
  EXPECT_TRUE(is_prime_u64(37));
  EXPECT_FALSE(is_prime_u64(561));                      // Carmichael
  EXPECT_FALSE(is_prime_u64(3215031751ull));            // strong pseudoprime to bases 2, 3, 5, 7
  EXPECT_FALSE(is_prime_u64(3825123056546413051ull));   // strong pseudoprime to bases 2..23
  EXPECT_TRUE(is_prime_u64(18446744073709551557ull));   // largest 64-bit prime
  EXPECT_FALSE(is_prime_u64(18446744073709551615ull));
  EXPECT_TRUE(is_prime_u64(0x494C553Bull));
  EXPECT_TRUE(is_prime_u64(0x53911073ull));
}

TEST(Pq, BigEndianHelpers) {
  auto v = uint64_from_be(test::hex("17ed48941a08f981"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 0x17ED48941A08F981ull);
  EXPECT_EQ(*uint64_from_be({}), 0u);
  EXPECT_TRUE(is(uint64_from_be(Bytes(9, 1)).error(), CryptoErrc::bad_length));
  EXPECT_EQ(uint64_to_be(0x494C553B), test::hex("494c553b"));
  EXPECT_EQ(uint64_to_be(0), test::hex("00"));
  EXPECT_EQ(uint64_to_be(0x17ED48941A08F981ull), test::hex("17ed48941a08f981"));
}

}  // namespace
}  // namespace telepp::crypto
