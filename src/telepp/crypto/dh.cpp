#include "telepp/crypto/dh.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <string>

#include "telepp/base/hex.hpp"
#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/hash.hpp"
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

// ---- fixed-base exponentiation: g^x with a per-(g, p) comb table ----
//
// Lim–Lee comb ("More flexible exponentiation with precomputation", CRYPTO '94). The exponent,
// treated as exactly 2048 bits, is cut into kTeeth blocks of kBlockBits = kCombs * kSpacing bits
// (bit k*a + j*b + t is tooth k, comb j, offset t). Comb j's table row holds, for every x in
// [0, 2^kTeeth), G[j][x] = prod over the set bits k of x of g^(2^(k*a + j*b)). Then
//   g^e = prod_{t = b-1 .. 0} ( prod_j G[j][I(j, t)] )^(2^t),  I(j, t) = sum_k bit(k*a + j*b + t) << k,
// evaluated Horner-style: kSpacing - 1 = 37 squarings and kCombs * kSpacing = 342
// multiplications by table entries, against ~2048 squarings and ~400 multiplications for a
// variable-base exponentiation. Parameters, from a prototype on the project's EPYC machine
// (2048-bit Montgomery multiplication ~1.0 us, squaring ~0.72 us): more teeth means fewer
// multiplications but a 2^kTeeth-entry constant-time scan before each (64 entries: ~0.1 us with
// AVX2, ~0.27 us without); 5 teeth was ~10% slower, 7 and 8 within noise of 6 with tables 2-4x
// larger. More combs means fewer squarings but a bigger table and more multiplications to
// build it. 6 teeth x 9 combs x 38 bits: 144 KiB (inside L2), ~0.5 ms per g^x against ~1.9 ms,
// ~2.4 ms to build (a chain of ~2000 squarings for the g^(2^i), then 567 multiplications).
//
// SECURITY: the exponent is secret, so the evaluation is constant time with respect to it:
// - the sequence of operations is fixed: every multiplication happens, including those by the
//   G[j][0] = 1 entries; bits above 2048 read as zero by position (public), never by value;
// - each table row is read whole, and the wanted entry is picked with masks (ct_select);
// - entries are stored scaled by a constant c (below) and checked at build time to have a
//   non-zero top 64-bit word, because OpenSSL's BIGNUMs normalise their length: an operand
//   with fewer words than the modulus sends BN_mod_mul_montgomery down a different (slower)
//   path. Unscaled, the entries for small exponents are tiny (g^1 * R mod p, with R mod p tiny
//   for primes just below 2^2048 such as RFC 3526's), so picking them would show in timing.
//   With G'[j][x] = G[j][x] * c every entry is a pseudo-random residue, and the build retries
//   with another c in the ~2^-55 case that one is short. The product of the 342 scaled entries
//   and 37 squarings carries the fixed factor c^(kCombs * (2^kSpacing - 1)), removed by one
//   multiplication by its inverse at the end (which also leaves Montgomery form);
// - the picked entry enters a BIGNUM through BN_lebin2bn with a 0x01 byte above it, then
//   BN_mask_bits: BN_lebin2bn skips leading zero bytes, so without the guard byte its time
//   would depend on the entry picked.
// Caveat: the accumulator is a BIGNUM too. If a product happens to have a zero top word
// (probability ~2^-63.6 per multiplication for Telegram's prime, ~2^-55 per exponentiation) the
// next multiplication takes OpenSSL's generic path. The public BIGNUM API offers no fixed-width
// Montgomery multiplication; BN_mod_exp_mont_consttime avoids this with internal calls.
namespace detail {

struct DhFixedBaseTable {
  static constexpr int kTeeth = 6;                                       // bits per multiplication
  static constexpr int kCombs = 9;                                       // table rows
  static constexpr int kSpacing = 38;                                    // bits per comb = squarings + 1
  static constexpr int kBlockBits = kCombs * kSpacing;                   // 342
  static constexpr std::size_t kRowEntries = std::size_t{1} << kTeeth;  // 64
  static constexpr std::size_t kLimbs = kDhBytes / 8;                    // 64-bit words per entry
  static_assert(kTeeth * kBlockBits >= static_cast<int>(kDhBytes * 8), "the comb must cover 2048 bits");

  struct MontFree {
    void operator()(BN_MONT_CTX* p) const { BN_MONT_CTX_free(p); }
  };
  std::unique_ptr<BN_MONT_CTX, MontFree> mont;
  // c^-(kCombs * (2^kSpacing - 1)) mod p, as a plain (not Montgomery) residue.
  BnPtr unscale;
  // [kCombs][kRowEntries] entries, each G'[j][x] * R mod p as 256 little-endian bytes; uint64
  // storage only for alignment (ct_select masks whole words, so byte order does not matter).
  std::vector<std::uint64_t> limbs;
};

}  // namespace detail

namespace {

using detail::DhFixedBaseTable;
using Limb = std::uint64_t;
constexpr std::size_t kLimbs = DhFixedBaseTable::kLimbs;
constexpr std::size_t kRowEntries = DhFixedBaseTable::kRowEntries;

// All ones when a == b, else zero, without a branch. SECURITY: the empty asm hides the mask's
// value from the optimiser so it cannot turn the masked copies below back into a branch.
inline Limb ct_eq_mask(Limb a, Limb b) {
  const Limb d = a ^ b;
  Limb mask = ((d | (Limb{0} - d)) >> 63) - 1;
#if defined(__GNUC__)
  __asm__("" : "+r"(mask));
#endif
  return mask;
}

// out (kDhBytes bytes) = row[index], reading all kRowEntries entries of the row. SECURITY:
// constant time: the memory access pattern and the work do not depend on `index`.
void ct_select_generic(unsigned char* out, const Limb* row, Limb index) {
  Limb acc[kLimbs] = {};
  for (Limb x = 0; x < kRowEntries; ++x) {
    const Limb mask = ct_eq_mask(x, index);
    const Limb* entry = row + x * kLimbs;
#pragma GCC unroll 32
    for (std::size_t w = 0; w < kLimbs; ++w) acc[w] |= entry[w] & mask;
  }
  std::memcpy(out, acc, sizeof acc);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define TELEPP_DH_SELECT_AVX2 1
// The same with 256-bit registers: eight accumulators hold a whole entry (~3x faster than the
// generic loop, ~0.1 us per row). Only called after a run-time CPU check.
__attribute__((target("avx2"))) void ct_select_avx2(unsigned char* out, const Limb* row, Limb index) {
  using V = Limb __attribute__((vector_size(32)));
  V acc[8] = {};
  for (Limb x = 0; x < kRowEntries; ++x) {
    const Limb mask = ct_eq_mask(x, index);
    const V m = {mask, mask, mask, mask};
    const unsigned char* entry = reinterpret_cast<const unsigned char*>(row + x * kLimbs);
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) {
      V v;
      std::memcpy(&v, entry + 32 * k, sizeof v);
      acc[k] |= v & m;
    }
  }
  std::memcpy(out, acc, sizeof acc);
}

bool cpu_has_avx2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
}
#endif

std::atomic<bool> g_force_portable_select{false};

using SelectFn = void (*)(unsigned char*, const Limb*, Limb);

SelectFn ct_select_for_this_cpu() {
#if defined(TELEPP_DH_SELECT_AVX2)
  if (cpu_has_avx2() && !g_force_portable_select.load(std::memory_order_relaxed)) return ct_select_avx2;
#endif
  return ct_select_generic;
}

void mont_mul(BIGNUM* r, const BIGNUM* a, const BIGNUM* b, BN_MONT_CTX* mont) {
  if (BN_mod_mul_montgomery(r, a, b, mont, detail::thread_bn_ctx()) != 1) {
    detail::openssl_fatal("BN_mod_mul_montgomery");
  }
}

BnPtr bn_dup(const BIGNUM* a) {
  BnPtr r(BN_dup(a));
  if (!r) detail::openssl_fatal("BN_dup");
  return r;
}

// The blinding constant of build attempt `attempt`: SHA-256 blocks of a label, reduced mod p.
// Not secret and needs no unpredictability: it only has to make the entries look random.
BnPtr blinding_constant(const BIGNUM* p, std::uint32_t attempt) {
  static constexpr std::string_view kLabel = "telepp dh fixed-base scale";
  Byte bytes[kDhBytes];
  for (std::uint32_t block = 0; block < kDhBytes / 32; ++block) {
    Byte counter[8];
    store_le32(counter, attempt);
    store_le32(counter + 4, block);
    const auto digest = sha256({as_bytes(kLabel), ByteView(counter, 8)});
    std::memcpy(bytes + 32 * block, digest.data(), 32);
  }
  BnPtr c = detail::bn_from_bytes(ByteView(bytes, kDhBytes));
  if (BN_nnmod(c.get(), c.get(), p, detail::thread_bn_ctx()) != 1) detail::openssl_fatal("BN_nnmod");
  return c;
}

// Builds the table of (g, p) for a 2048-bit odd p and g >= 2; nullptr when no blinding
// constant gave full-width entries (only for degenerate moduli, e.g. g^k = 0 mod p for a p
// made of g's prime factors), in which case the caller keeps the variable-base path.
std::shared_ptr<const DhFixedBaseTable> build_table(std::uint32_t g, const BIGNUM* p) {
  using T = DhFixedBaseTable;
  BN_CTX* ctx = detail::thread_bn_ctx();
  auto table = std::make_shared<T>();
  table->mont.reset(BN_MONT_CTX_new());
  if (!table->mont || BN_MONT_CTX_set(table->mont.get(), p, ctx) != 1) detail::openssl_fatal("BN_MONT_CTX_set");
  BN_MONT_CTX* mont = table->mont.get();

  // base[k * kCombs + j] = g^(2^(k*a + j*b)) in Montgomery form: one chain of ~2048 squarings.
  constexpr int kBases = T::kTeeth * T::kCombs;
  std::vector<BnPtr> base;
  base.reserve(kBases);
  BnPtr x = detail::bn_new();
  if (BN_set_word(x.get(), g) != 1 || BN_to_montgomery(x.get(), x.get(), mont, ctx) != 1) {
    detail::openssl_fatal("BN_to_montgomery");
  }
  for (int m = 0; m < kBases; ++m) {
    base.push_back(bn_dup(x.get()));
    if (m + 1 < kBases) {
      for (int s = 0; s < T::kSpacing; ++s) mont_mul(x.get(), x.get(), x.get(), mont);
    }
  }

  std::vector<BnPtr> row(T::kRowEntries);
  for (auto& e : row) e = detail::bn_new();
  table->limbs.assign(T::kCombs * T::kRowEntries * T::kLimbs, 0);
  constexpr int kMaxAttempts = 4;
  for (std::uint32_t attempt = 0; attempt < kMaxAttempts; ++attempt) {
    BnPtr c = blinding_constant(p, attempt);
    BnPtr c_inv(BN_mod_inverse(nullptr, c.get(), p, ctx));
    if (!c_inv) {  // c shares a factor with a composite modulus
      ERR_clear_error();
      continue;
    }
    bool full_width = true;
    for (int j = 0; j < T::kCombs && full_width; ++j) {
      // G'[j][0] = c; G'[j][x] = G'[j][x without its top bit] * base of that bit.
      if (BN_to_montgomery(row[0].get(), c.get(), mont, ctx) != 1) detail::openssl_fatal("BN_to_montgomery");
      for (std::size_t e = 1; e < T::kRowEntries; ++e) {
        const int top = std::bit_width(e) - 1;
        mont_mul(row[e].get(), row[e ^ (std::size_t{1} << top)].get(), base[top * T::kCombs + j].get(), mont);
      }
      for (std::size_t e = 0; e < T::kRowEntries && full_width; ++e) {
        // SECURITY: see the top of this section: every entry must have a non-zero top word.
        if (BN_num_bits(row[e].get()) <= static_cast<int>(kDhBytes * 8 - 64)) {
          full_width = false;
          break;
        }
        auto* out = reinterpret_cast<unsigned char*>(&table->limbs[(j * T::kRowEntries + e) * T::kLimbs]);
        if (BN_bn2lebinpad(row[e].get(), out, static_cast<int>(kDhBytes)) != static_cast<int>(kDhBytes)) {
          detail::openssl_fatal("BN_bn2lebinpad");
        }
      }
    }
    if (!full_width) continue;
    // The evaluation picks kCombs entries per offset and squares between offsets, so it ends
    // with c^E, E = kCombs * (2^kSpacing - 1); unscale = c^-E.
    BnPtr e = detail::bn_new();
    if (BN_set_bit(e.get(), T::kSpacing) != 1 || BN_sub_word(e.get(), 1) != 1 || BN_mul_word(e.get(), T::kCombs) != 1) {
      detail::openssl_fatal("BN_set_bit");
    }
    table->unscale = detail::bn_new();
    if (BN_mod_exp_mont(table->unscale.get(), c_inv.get(), e.get(), p, ctx, mont) != 1) {
      detail::openssl_fatal("BN_mod_exp_mont");
    }
    return table;
  }
  return nullptr;
}

// g^exponent mod p with the table. SECURITY: constant time in the exponent; see the top of
// this section.
DhValue pow_with_table(const DhFixedBaseTable& table, ByteView exponent) {
  using T = DhFixedBaseTable;
  BN_MONT_CTX* mont = table.mont.get();
  // The exponent as exactly 2048 bits (its length is public: callers pass 256 bytes).
  Byte e[kDhBytes] = {};
  if (!exponent.empty()) std::memcpy(e + (kDhBytes - exponent.size()), exponent.data(), exponent.size());
  auto bit = [&e](int pos) -> Limb {
    if (pos >= static_cast<int>(kDhBytes * 8)) return 0;  // the comb's 4 bits past 2048: by position
    return (e[kDhBytes - 1 - pos / 8] >> (pos % 8)) & 1u;
  };

  BnPtr acc = detail::bn_new();
  BnPtr sel = detail::bn_new();
  BN_set_flags(acc.get(), BN_FLG_CONSTTIME);
  BN_set_flags(sel.get(), BN_FLG_CONSTTIME);
  // The picked entry in little-endian bytes, with a guard byte 0x01 above it (see the top).
  alignas(32) unsigned char picked[kDhBytes + 8] = {};
  picked[kDhBytes] = 0x01;
  const SelectFn ct_select = ct_select_for_this_cpu();
  auto pick = [&](int j, int t) {
    Limb index = 0;
    for (int k = 0; k < T::kTeeth; ++k) index |= bit(k * T::kBlockBits + j * T::kSpacing + t) << k;
    ct_select(picked, &table.limbs[static_cast<std::size_t>(j) * T::kRowEntries * T::kLimbs], index);
    if (BN_lebin2bn(picked, static_cast<int>(kDhBytes + 1), sel.get()) == nullptr ||
        BN_mask_bits(sel.get(), static_cast<int>(kDhBytes * 8)) != 1) {
      detail::openssl_fatal("BN_lebin2bn");
    }
  };

  for (int t = T::kSpacing - 1; t >= 0; --t) {
    if (t != T::kSpacing - 1) mont_mul(acc.get(), acc.get(), acc.get(), mont);
    for (int j = 0; j < T::kCombs; ++j) {
      pick(j, t);
      if (t == T::kSpacing - 1 && j == 0) {
        if (BN_copy(acc.get(), sel.get()) == nullptr) detail::openssl_fatal("BN_copy");
      } else {
        mont_mul(acc.get(), acc.get(), sel.get(), mont);
      }
    }
  }
  // acc = g^e * R * c^E; times c^-E (not in Montgomery form) gives g^e.
  mont_mul(acc.get(), acc.get(), table.unscale.get(), mont);
  DhValue out;
  if (BN_bn2binpad(acc.get(), out.data(), static_cast<int>(kDhBytes)) != static_cast<int>(kDhBytes)) {
    detail::openssl_fatal("BN_bn2binpad");
  }
  OPENSSL_cleanse(e, sizeof e);
  OPENSSL_cleanse(picked, sizeof picked);
  return out;
}

Result<DhValue> pow_variable_base(std::uint32_t g, ByteView exponent, ByteView modulus) {
  const Byte g_bytes[4] = {static_cast<Byte>(g >> 24), static_cast<Byte>(g >> 16), static_cast<Byte>(g >> 8),
                           static_cast<Byte>(g)};
  return dh_mod_exp(ByteView(g_bytes, 4), exponent, modulus);
}

}  // namespace

// ---- DhPowCache ----

void detail::dh_force_portable_select(bool force) { g_force_portable_select.store(force, std::memory_order_relaxed); }

DhPowCache::DhPowCache(unsigned build_on_use) : build_on_use_(std::max(build_on_use, 1u)) {}

DhPowCache::~DhPowCache() = default;

DhPowCache& DhPowCache::global() {
  static DhPowCache cache;
  return cache;
}

DhPowCache::Entry* DhPowCache::find(std::uint32_t g, const DhValue& modulus) {
  for (auto& e : entries_) {
    if (e.g == g && e.modulus == modulus) return &e;
  }
  return nullptr;
}

Result<DhValue> DhPowCache::pow_g(std::uint32_t g, ByteView exponent, ByteView modulus) {
  auto m = checked_modulus(modulus);
  if (!m) return Failure{m.take_error()};
  if (exponent.size() > kDhBytes) {
    return crypto_fail(CryptoErrc::bad_length, "DH base or exponent longer than 256 bytes");
  }
  // Tables are for the handshake's 2048-bit primes only (a full-width modulus is what lets
  // every Montgomery multiplication take the same path).
  if (g < 2 || BN_num_bits(m->get()) != static_cast<int>(kDhBytes * 8)) return pow_variable_base(g, exponent, modulus);

  DhValue key;
  std::copy(modulus.begin(), modulus.end(), key.bytes.begin());  // exactly 256 bytes here
  std::shared_ptr<const detail::DhFixedBaseTable> table;
  bool build = false;
  {
    std::lock_guard lock(mutex_);
    Entry* entry = find(g, key);
    if (entry == nullptr) {
      if (entries_.size() >= kCapacity) entries_.erase(entries_.begin());
      entries_.push_back(Entry{g, key, 0, false, false, nullptr});
    } else {
      std::rotate(entries_.begin() + (entry - entries_.data()), entries_.begin() + (entry - entries_.data()) + 1,
                  entries_.end());
    }
    entry = &entries_.back();
    if (entry->uses < build_on_use_) ++entry->uses;
    if (entry->table) {
      table = entry->table;
    } else if (!entry->building && !entry->unusable && entry->uses >= build_on_use_) {
      entry->building = true;
      build = true;
    }
  }
  if (build) {
    // Outside the lock: other threads meanwhile take the variable-base path.
    table = build_table(g, m->get());
    std::lock_guard lock(mutex_);
    if (Entry* entry = find(g, key)) {  // gone if evicted or cleared meanwhile: then not kept
      entry->building = false;
      entry->table = table;
      entry->unusable = table == nullptr;
    }
  }
  if (!table) return pow_variable_base(g, exponent, modulus);
  return pow_with_table(*table, exponent);
}

std::size_t DhPowCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t DhPowCache::table_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.table != nullptr; }));
}

bool DhPowCache::has_table(std::uint32_t g, ByteView modulus) const {
  if (modulus.size() != kDhBytes) return false;
  DhValue key;
  std::copy(modulus.begin(), modulus.end(), key.bytes.begin());
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_) {
    if (e.g == g && e.modulus == key) return e.table != nullptr;
  }
  return false;
}

void DhPowCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

Result<DhValue> dh_pow_g(std::uint32_t g, ByteView exponent, ByteView modulus, DhPowCache& cache) {
  return cache.pow_g(g, exponent, modulus);
}

}  // namespace telepp::crypto
