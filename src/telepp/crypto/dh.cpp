#include "telepp/crypto/dh.hpp"

#include <openssl/bn.h>

#include <algorithm>
#include <string>

#include "telepp/base/hex.hpp"
#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/openssl_util.hpp"

namespace telepp::crypto {
namespace {

using detail::BnPtr;

DhValue make_telegram_prime() {
  // The prime Telegram's servers send in server_DH_inner_data (with g = 3).
  static constexpr std::string_view kHex =
      "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f"
      "48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37"
      "20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64"
      "2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4"
      "a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754"
      "fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4"
      "e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f"
      "0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b";
  auto bytes = from_hex(kHex);
  DhValue p;
  std::copy(bytes->begin(), bytes->end(), p.bytes.begin());
  return p;
}

// The residue rules from the auth-key docs: with them, g is a quadratic residue mod p, so it
// generates the prime-order subgroup of size (p-1)/2.
Status check_generator_residue(const BIGNUM* p, std::int32_t g) {
  auto mod = [p](BN_ULONG m) {
    const BN_ULONG r = BN_mod_word(p, m);
    if (r == static_cast<BN_ULONG>(-1)) detail::openssl_fatal("BN_mod_word");
    return r;
  };
  auto bad = [g](const std::string& rule, BN_ULONG got) {
    return crypto_fail(CryptoErrc::bad_generator,
                       "DH g=" + std::to_string(g) + " needs " + rule + ", got " + std::to_string(got));
  };
  switch (g) {
    case 2:
      if (auto r = mod(8); r != 7) return bad("p mod 8 = 7", r);
      return {};
    case 3:
      if (auto r = mod(3); r != 2) return bad("p mod 3 = 2", r);
      return {};
    case 4:
      return {};
    case 5:
      if (auto r = mod(5); r != 1 && r != 4) return bad("p mod 5 in {1,4}", r);
      return {};
    case 6:
      if (auto r = mod(24); r != 19 && r != 23) return bad("p mod 24 in {19,23}", r);
      return {};
    case 7:
      if (auto r = mod(7); r != 3 && r != 5 && r != 6) return bad("p mod 7 in {3,5,6}", r);
      return {};
    default:
      return crypto_fail(CryptoErrc::bad_generator, "DH g must be in 2..7, got " + std::to_string(g));
  }
}

bool is_prime(const BIGNUM* n) {
  // BN_check_prime picks the Miller-Rabin round count for a 128-bit security level.
  const int r = BN_check_prime(n, detail::thread_bn_ctx(), nullptr);
  if (r < 0) detail::openssl_fatal("BN_check_prime");
  return r == 1;
}

// 3^(p-1) mod p == 1 (see check_dh_params for why this proves p prime once (p-1)/2 is).
bool pocklington_base3(const BIGNUM* p) {
  BnPtr three = detail::bn_new();
  BnPtr p_minus_1 = detail::bn_new();
  BnPtr r = detail::bn_new();
  if (BN_set_word(three.get(), 3) != 1 || BN_sub(p_minus_1.get(), p, BN_value_one()) != 1 ||
      BN_mod_exp_mont(r.get(), three.get(), p_minus_1.get(), p, detail::thread_bn_ctx(), nullptr) != 1) {
    detail::openssl_fatal("BN_mod_exp_mont");
  }
  return BN_is_one(r.get()) == 1;
}

Result<BnPtr> checked_modulus(ByteView modulus) {
  if (modulus.size() > kDhBytes) {
    return crypto_fail(CryptoErrc::bad_length, "DH modulus longer than 256 bytes: " + std::to_string(modulus.size()));
  }
  BnPtr m = detail::bn_from_bytes(modulus);
  if (BN_is_zero(m.get()) || !BN_is_odd(m.get()) || BN_is_one(m.get())) {
    return crypto_fail(CryptoErrc::out_of_range, "DH modulus must be odd and > 1");
  }
  return m;
}

}  // namespace

const DhValue& telegram_dh_prime() {
  static const DhValue p = make_telegram_prime();
  return p;
}

// ---- DhPrimeCache ----

DhPrimeCache::DhPrimeCache(bool seed_telegram_prime) {
  if (seed_telegram_prime) primes_.push_back(telegram_dh_prime());
}

DhPrimeCache& DhPrimeCache::global() {
  static DhPrimeCache cache(true);
  return cache;
}

bool DhPrimeCache::contains(const DhValue& prime) const {
  std::lock_guard lock(mutex_);
  return std::find(primes_.begin(), primes_.end(), prime) != primes_.end();
}

void DhPrimeCache::insert(const DhValue& prime) {
  std::lock_guard lock(mutex_);
  if (std::find(primes_.begin(), primes_.end(), prime) != primes_.end()) return;
  if (primes_.size() >= kCapacity) primes_.erase(primes_.begin());
  primes_.push_back(prime);
}

void DhPrimeCache::clear() {
  std::lock_guard lock(mutex_);
  primes_.clear();
}

std::size_t DhPrimeCache::size() const {
  std::lock_guard lock(mutex_);
  return primes_.size();
}

// ---- checks ----

Status check_dh_params(ByteView dh_prime, std::int32_t g, DhPrimeCache& cache) {
  // SECURITY: every check below is required by the auth-key docs; a client that skips one can
  // be handed a group in which the server (or a MITM holding the RSA key) learns the shared key.
  if (g < 2 || g > 7) {
    return crypto_fail(CryptoErrc::bad_generator, "DH g must be in 2..7, got " + std::to_string(g));
  }
  if (dh_prime.size() != kDhBytes || (dh_prime[0] & 0x80) == 0) {
    const BnPtr p = detail::bn_from_bytes(dh_prime);
    return crypto_fail(CryptoErrc::bad_length,
                       "DH prime must be exactly 2048 bits, got " + std::to_string(BN_num_bits(p.get())));
  }
  const BnPtr p = detail::bn_from_bytes(dh_prime);
  TELEPP_TRY(check_generator_residue(p.get(), g));

  DhValue key;
  std::copy(dh_prime.begin(), dh_prime.end(), key.bytes.begin());
  if (cache.contains(key)) return {};

  // (p-1)/2 first: Miller-Rabin with OpenSSL's round count for 128-bit security. A non-safe
  // prime (the likely bad input) fails here on its first round.
  BnPtr q = detail::bn_new();
  if (BN_rshift1(q.get(), p.get()) != 1) detail::openssl_fatal("BN_rshift1");  // (p-1)/2 for odd p
  if (!is_prime(q.get())) return crypto_fail(CryptoErrc::not_prime, "DH prime is not safe: (p-1)/2 is not prime");
  // With q = (p-1)/2 prime, Pocklington's criterion proves p prime with one exponentiation:
  // q > sqrt(p) - 1 and p - 1 = 2q, so p is prime iff some a has a^(p-1) = 1 mod p and
  // gcd(a^2 - 1, p) = 1; a = 3 gives gcd(8, p) = 1 for odd p. Half the cost of a second
  // Miller-Rabin run, and a proof rather than a probability.
  if (!pocklington_base3(p.get())) return crypto_fail(CryptoErrc::not_prime, "DH prime p is not prime");
  cache.insert(key);
  return {};
}

Status check_dh_value(ByteView value, ByteView dh_prime) {
  if (value.size() > kDhBytes || dh_prime.size() > kDhBytes) {
    return crypto_fail(CryptoErrc::bad_length, "DH value or prime longer than 256 bytes");
  }
  const BnPtr x = detail::bn_from_bytes(value);
  const BnPtr p = detail::bn_from_bytes(dh_prime);
  BnPtr p_minus_1 = detail::bn_new();
  if (BN_sub(p_minus_1.get(), p.get(), BN_value_one()) != 1) detail::openssl_fatal("BN_sub");
  // SECURITY: 1 < x < p - 1 rules out the trivial subgroup.
  if (BN_cmp(x.get(), BN_value_one()) <= 0 || BN_cmp(x.get(), p_minus_1.get()) >= 0) {
    return crypto_fail(CryptoErrc::out_of_range, "DH value must satisfy 1 < x < p - 1");
  }
  // SECURITY: 2^(2048-64) <= x <= p - 2^(2048-64), as the docs require of g_a and g_b.
  BnPtr bound = detail::bn_new();
  if (BN_set_word(bound.get(), 1) != 1 || BN_lshift(bound.get(), bound.get(), 2048 - 64) != 1) {
    detail::openssl_fatal("BN_lshift");
  }
  if (BN_cmp(x.get(), bound.get()) < 0) {
    return crypto_fail(CryptoErrc::out_of_range, "DH value below 2^(2048-64)");
  }
  BnPtr upper = detail::bn_new();
  if (BN_sub(upper.get(), p.get(), bound.get()) != 1) detail::openssl_fatal("BN_sub");
  if (BN_cmp(x.get(), upper.get()) > 0) {
    return crypto_fail(CryptoErrc::out_of_range, "DH value above p - 2^(2048-64)");
  }
  return {};
}

Result<DhValue> dh_mod_exp(ByteView base, ByteView exponent, ByteView modulus) {
  auto m = checked_modulus(modulus);
  if (!m) return Failure{m.take_error()};
  if (base.size() > kDhBytes || exponent.size() > kDhBytes) {
    return crypto_fail(CryptoErrc::bad_length, "DH base or exponent longer than 256 bytes");
  }
  const BnPtr b = detail::bn_from_bytes(base);
  BnPtr e = detail::bn_from_bytes(exponent);
  BN_set_flags(e.get(), BN_FLG_CONSTTIME);  // the exponent is a secret (a or b)
  BnPtr r = detail::bn_new();
  if (BN_mod_exp_mont_consttime(r.get(), b.get(), e.get(), m->get(), detail::thread_bn_ctx(), nullptr) != 1) {
    detail::openssl_fatal("BN_mod_exp_mont_consttime");
  }
  DhValue out;
  if (BN_bn2binpad(r.get(), out.data(), static_cast<int>(kDhBytes)) != static_cast<int>(kDhBytes)) {
    detail::openssl_fatal("BN_bn2binpad");
  }
  return out;
}

Result<DhValue> dh_pow_g(std::uint32_t g, ByteView exponent, ByteView modulus) {
  const Byte g_bytes[4] = {static_cast<Byte>(g >> 24), static_cast<Byte>(g >> 16), static_cast<Byte>(g >> 8),
                           static_cast<Byte>(g)};
  return dh_mod_exp(ByteView(g_bytes, 4), exponent, modulus);
}

}  // namespace telepp::crypto
