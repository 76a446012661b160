// OsEntropy, and the test entropies themselves.

#include <gtest/gtest.h>

#include <algorithm>

#include "crypto_test_support.hpp"
#include "telepp/crypto/os_entropy.hpp"

namespace telepp::crypto {
namespace {

TEST(OsEntropy, FillsEveryByteAndDiffers) {
  OsEntropy e;
  Bytes a(4096, 0), b(4096, 0);
  e.fill(a);
  os_entropy().fill(b);
  EXPECT_NE(a, b);
  // 4096 random bytes: every byte value appears (probability of a miss ~ 256 * e^-16).
  std::array<int, 256> seen{};
  for (Byte x : a) seen[x]++;
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int n) { return n > 0; }));
  e.fill({});  // empty is fine
  Bytes big(40u << 20);  // more than one getrandom call can return
  e.fill(big);
  EXPECT_NE(std::count(big.begin(), big.end(), Byte{0}), static_cast<std::ptrdiff_t>(big.size()));
}

TEST(TestEntropies, FixedAndCounterAreReproducible) {
  test::SequenceEntropy f(test::hex("010203"));
  Bytes out(2);
  f.fill(out);
  EXPECT_EQ(out, test::hex("0102"));
  EXPECT_EQ(f.consumed(), 2u);
  test::CounterEntropy a("seed"), b("seed");
  Bytes x(100), y(100);
  a.fill(x);
  b.fill(y);
  EXPECT_EQ(x, y);
}

}  // namespace
}  // namespace telepp::crypto
