#include "telepp/crypto/pq.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "telepp/crypto/errors.hpp"

namespace telepp::crypto {
namespace {

__extension__ typedef unsigned __int128 u128;

// Montgomery arithmetic modulo an odd 64-bit n: multiplications without 128-bit division, which
// is what makes rho run in microseconds (a u128 % costs tens of cycles).
struct Montgomery {
  std::uint64_t n;
  std::uint64_t inv;  // n^-1 mod 2^64
  std::uint64_t r2;   // 2^128 mod n

  explicit Montgomery(std::uint64_t modulus) : n(modulus), inv(modulus) {
    for (int i = 0; i < 5; ++i) inv *= 2 - n * inv;  // Newton: doubles the correct low bits
    const std::uint64_t r = static_cast<std::uint64_t>((static_cast<u128>(1) << 64) % n);
    r2 = static_cast<std::uint64_t>(static_cast<u128>(r) * r % n);
  }
  // t * 2^-64 mod n, for t < n * 2^64.
  std::uint64_t reduce(u128 t) const {
    const std::uint64_t hi = static_cast<std::uint64_t>(t >> 64);
    const std::uint64_t m = static_cast<std::uint64_t>(t) * inv;
    const std::uint64_t mn_hi = static_cast<std::uint64_t>((static_cast<u128>(m) * n) >> 64);
    // t - m*n is a multiple of 2^64; its high half is hi - mn_hi, in (-n, n). Branch-free: in
    // rho these comparisons are coin flips, and mispredictions would cost more than the maths.
    const std::uint64_t r = hi - mn_hi;
    return r + (n & (std::uint64_t{0} - static_cast<std::uint64_t>(hi < mn_hi)));
  }
  std::uint64_t mul(std::uint64_t a, std::uint64_t b) const { return reduce(static_cast<u128>(a) * b); }
  std::uint64_t to(std::uint64_t a) const { return mul(a % n, r2); }
  // (a + b) mod n for a, b < n, branch-free (a + b may carry out of 64 bits when n > 2^63).
  std::uint64_t add(std::uint64_t a, std::uint64_t b) const {
    const std::uint64_t s = a + b;
    const std::uint64_t wrap = static_cast<std::uint64_t>(s < a) | static_cast<std::uint64_t>(s >= n);
    return s - (n & (std::uint64_t{0} - wrap));
  }
};

// The rho map in Montgomery form: y^2 + c. The representation is a bijection that keeps
// differences' gcd with n unchanged (R is coprime to n), so rho works on it directly.
struct RhoMap {
  const Montgomery& mg;
  std::uint64_t c;
  std::uint64_t operator()(std::uint64_t y) const { return mg.add(mg.mul(y, y), c); }
};

inline std::uint64_t absdiff(std::uint64_t a, std::uint64_t b) {
  // Branch-free |a - b|: the sign of the difference is random in rho.
  const std::uint64_t d = a - b;
  const std::uint64_t neg = std::uint64_t{0} - static_cast<std::uint64_t>(a < b);
  return (d ^ neg) - neg;
}

// Brent's variant of Pollard's rho: y -> y^2 + c, gcds batched over m steps, with a step-by-step
// replay when a batch overshoots. Returns a non-trivial factor of the odd composite n, or 0 when
// this c fails. (Running several walks in lockstep was tried: each step gets cheaper, but the
// work to the first hit does not shrink enough to pay for it.)
std::uint64_t pollard_brent(const Montgomery& mg, std::uint64_t y0, std::uint64_t c) {
  constexpr std::uint64_t m = 128;
  const std::uint64_t n = mg.n;
  const RhoMap f{mg, mg.to(c)};
  std::uint64_t y = mg.to(y0), x = y, ys = y, g = 1, q = mg.to(1);
  for (std::uint64_t r = 1; g == 1; r <<= 1) {
    if (r > (std::uint64_t{1} << 36)) return 0;  // far beyond any 64-bit n's need; a safety stop
    x = y;
    for (std::uint64_t i = 0; i < r; ++i) y = f(y);
    for (std::uint64_t k = 0; k < r && g == 1; k += m) {
      ys = y;
      const std::uint64_t steps = std::min(m, r - k);
      for (std::uint64_t i = 0; i < steps; ++i) {
        y = f(y);
        q = mg.mul(q, absdiff(x, y));
      }
      g = std::gcd(q, n);
    }
  }
  if (g == n) {
    // The batch jumped past the factor (or q hit 0): replay it one step at a time.
    do {
      ys = f(ys);
      g = std::gcd(absdiff(x, ys), n);
    } while (g == 1);
  }
  return g == n ? 0 : g;
}

// Pollard's original rho with Floyd cycle detection: the fallback for unlucky Brent runs.
std::uint64_t pollard_floyd(const Montgomery& mg, std::uint64_t c) {
  const RhoMap f{mg, mg.to(c)};
  std::uint64_t x = mg.to(2), y = x, g = 1;
  for (std::uint64_t steps = 0; g == 1 && steps < (std::uint64_t{1} << 26); ++steps) {
    x = f(x);
    y = f(f(y));
    g = std::gcd(absdiff(x, y), mg.n);
  }
  return (g == 1 || g == mg.n) ? 0 : g;
}

std::uint64_t find_factor(std::uint64_t n) {
  if (n % 2 == 0) return 2;
  const Montgomery mg(n);
  for (std::uint64_t c = 1; c < 64; ++c) {
    if (auto d = pollard_brent(mg, c + 1, c)) return d;
  }
  for (std::uint64_t c = 1; c < 16; ++c) {
    if (auto d = pollard_floyd(mg, c)) return d;
  }
  // Last resort, only affordable for a small smallest factor.
  for (std::uint64_t d = 3; d < (std::uint64_t{1} << 22) && d * d <= n; d += 2) {
    if (n % d == 0) return d;
  }
  return 0;
}

// A random prime in [2^30, 2^31), the range of the factors Telegram's servers send.
std::uint64_t random_31_bit_prime(Entropy& entropy) {
  for (;;) {
    Byte b[4];
    entropy.fill({b, 4});
    // Bit 30 set and bit 31 clear: in [2^30, 2^31). Low bit set: odd.
    const std::uint64_t candidate = ((std::uint64_t{b[0]} << 24 | std::uint64_t{b[1]} << 16 |
                                      std::uint64_t{b[2]} << 8 | b[3]) & 0x3fffffffu) | 0x40000001u;
    if (is_prime_u64(candidate)) return candidate;
  }
}

}  // namespace

bool is_prime_u64(std::uint64_t n) {
  if (n < 2) return false;
  static constexpr std::uint64_t kBases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  for (auto p : kBases) {
    if (n % p == 0) return n == p;
  }
  std::uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  const Montgomery mg(n);
  const std::uint64_t one = mg.to(1);
  const std::uint64_t minus_one = n - one;
  // These twelve bases decide primality for every n < 3.3 * 10^24, so for all 64-bit n.
  for (auto a : kBases) {
    std::uint64_t x = one;
    std::uint64_t base = mg.to(a);
    for (std::uint64_t e = d; e; e >>= 1) {
      if (e & 1) x = mg.mul(x, base);
      base = mg.mul(base, base);
    }
    if (x == one || x == minus_one) continue;
    bool composite = true;
    for (int r = 1; r < s; ++r) {
      x = mg.mul(x, x);
      if (x == minus_one) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

Result<PqFactors> factorize_pq(std::uint64_t pq) {
  if (pq < 4) return crypto_fail(CryptoErrc::not_factorable, "pq " + std::to_string(pq) + " has no two prime factors");
  if (is_prime_u64(pq)) return crypto_fail(CryptoErrc::not_factorable, "pq " + std::to_string(pq) + " is prime");
  const std::uint64_t d = find_factor(pq);
  if (d == 0) return crypto_fail(CryptoErrc::not_factorable, "no factor of pq " + std::to_string(pq) + " found");
  const std::uint64_t p = std::min(d, pq / d);
  const std::uint64_t q = std::max(d, pq / d);
  if (!is_prime_u64(p) || !is_prime_u64(q)) {
    return crypto_fail(CryptoErrc::not_factorable, "pq " + std::to_string(pq) + " has more than two prime factors");
  }
  if (p == q) return crypto_fail(CryptoErrc::not_factorable, "pq " + std::to_string(pq) + " is the square of a prime");
  return PqFactors{p, q};
}

PqChallenge generate_pq(Entropy& entropy) {
  // NOTE: the spec says pq is "normally" at most 2^63-1, and clients rely on it: gramjs reads pq
  // as a signed 64-bit number, and a negative one never factors. Factors below 2^31 keep pq
  // below 2^62.
  const std::uint64_t a = random_31_bit_prime(entropy);
  std::uint64_t b = random_31_bit_prime(entropy);
  while (b == a) b = random_31_bit_prime(entropy);
  PqChallenge out;
  out.p = std::min(a, b);
  out.q = std::max(a, b);
  out.pq = out.p * out.q;  // in [2^60, 2^62)
  return out;
}

Result<std::uint64_t> uint64_from_be(ByteView bytes) {
  if (bytes.size() > 8) {
    return crypto_fail(CryptoErrc::bad_length, "a 64-bit number has at most 8 bytes, got " + std::to_string(bytes.size()));
  }
  std::uint64_t v = 0;
  for (Byte b : bytes) v = v << 8 | b;
  return v;
}

Bytes uint64_to_be(std::uint64_t value) {
  Bytes out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    const Byte b = static_cast<Byte>(value >> shift);
    if (!out.empty() || b != 0 || shift == 0) out.push_back(b);
  }
  return out;
}

}  // namespace telepp::crypto
