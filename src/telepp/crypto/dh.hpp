#pragma once
/// \file Diffie–Hellman checks and arithmetic of the auth-key handshake (2048-bit MODP group
/// chosen by the server). See https://core.telegram.org/mtproto/auth_key#dh-key-exchange-complete
/// and https://core.telegram.org/mtproto/security_guidelines.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "telepp/base/bytes.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"

namespace telepp::crypto {

/// The size of dh_prime, g_a, g_b and the auth key: 2048 bits.
inline constexpr std::size_t kDhBytes = 256;
/// A 2048-bit number as 256 big-endian bytes (g_a, g_b, and the shared key = the auth key).
using DhValue = FixedBytes<kDhBytes>;

/// The 2048-bit safe prime Telegram's servers send (with g = 3), big-endian.
const DhValue& telegram_dh_prime();

/// Primes already proven safe, so the expensive primality tests run once per prime. Small
/// (a handful of entries, oldest evicted) and thread-safe.
class DhPrimeCache {
 public:
  static constexpr std::size_t kCapacity = 8;

  /// `seed_telegram_prime`: start with Telegram's well-known prime already trusted.
  explicit DhPrimeCache(bool seed_telegram_prime = true);
  /// The process-wide cache `check_dh_params` uses by default (seeded).
  static DhPrimeCache& global();

  bool contains(const DhValue& prime) const;
  /// Remembers `prime` as a proven safe prime. Callers must have proven it.
  void insert(const DhValue& prime);
  void clear();
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::vector<DhValue> primes_;  // oldest first
};

/// Checks the server's DH parameters as the client must: g in 2..7; dh_prime exactly 2048 bits;
/// the residue rule for g that makes g generate the subgroup of order (p-1)/2 (g=2: p mod 8 = 7;
/// g=3: p mod 3 = 2; g=4: none; g=5: p mod 5 in {1,4}; g=6: p mod 24 in {19,23}; g=7: p mod 7 in
/// {3,5,6}); and p a safe prime: (p-1)/2 prime by Miller-Rabin, then p proven prime from it by
/// Pocklington's criterion (skipped when `cache` already holds p; added on success). Errors:
/// `bad_length` (size), `bad_generator` (g or its residue rule), `not_prime`. The primality work
/// takes ~100 ms on first sight of a prime; a cache hit costs a lookup. Thread-safe.
Status check_dh_params(ByteView dh_prime, std::int32_t g, DhPrimeCache& cache = DhPrimeCache::global());

/// Checks a DH public value (g_a from the server, or our own g_b) against the prime `dh_prime`:
/// 1 < x < p - 1 and 2^(2048-64) <= x <= p - 2^(2048-64). Error `out_of_range` naming the bound,
/// or `bad_length` for a value or prime longer than 256 bytes.
Status check_dh_value(ByteView value, ByteView dh_prime);

/// base ^ exponent mod modulus as 256 big-endian bytes (left-padded with zeros), in constant
/// time with respect to the exponent. All inputs big-endian; the modulus must be odd, non-zero
/// and at most 256 bytes (`bad_length`/`out_of_range` otherwise).
Result<DhValue> dh_mod_exp(ByteView base, ByteView exponent, ByteView modulus);

namespace detail {
struct DhFixedBaseTable;  // dh.cpp: the comb table of one (g, prime) and its Montgomery context
/// Tests only: makes `dh_pow_g` use the portable constant-time table scan even on CPUs with
/// AVX2, so that both scans are tested on one machine. Thread-safe.
void dh_force_portable_select(bool force);
}  // namespace detail

/// Fixed-base tables for `dh_pow_g`, one per (g, 2048-bit modulus), so that g^x for a secret x
/// costs 342 Montgomery multiplications and 37 squarings instead of a variable-base
/// exponentiation (~0.5 ms instead of ~1.9 ms). A table holds 144 KiB and costs about 1.3
/// variable-base exponentiations to build (~2.4 ms). The n-th use of a (g, modulus) builds its
/// table (n = `build_on_use`), so by default a modulus used once never pays for one; earlier
/// uses, and uses by other threads while a table is being built, take the variable-base path
/// (`dh_mod_exp`). At most `kCapacity` (g, modulus) pairs are tracked, least recently used
/// evicted. Thread-safe; the build runs outside the lock and a table is shared read-only.
class DhPowCache {
 public:
  /// (g, modulus) pairs tracked, each with at most one table.
  static constexpr std::size_t kCapacity = 4;
  /// By default the second use of a (g, modulus) builds its table.
  static constexpr unsigned kBuildOnUse = 2;

  /// `build_on_use` >= 1: the use of a (g, modulus) that builds its table (1 = the first).
  explicit DhPowCache(unsigned build_on_use = kBuildOnUse);
  ~DhPowCache();
  DhPowCache(const DhPowCache&) = delete;
  DhPowCache& operator=(const DhPowCache&) = delete;

  /// The process-wide cache `dh_pow_g` uses by default.
  static DhPowCache& global();

  /// g ^ exponent mod modulus; the same contract and errors as `dh_pow_g`.
  Result<DhValue> pow_g(std::uint32_t g, ByteView exponent, ByteView modulus);

  /// (g, modulus) pairs tracked, with or without a table (at most `kCapacity`).
  std::size_t size() const;
  /// Pairs that hold a table.
  std::size_t table_count() const;
  /// Whether (g, modulus) holds a table now.
  bool has_table(std::uint32_t g, ByteView modulus) const;
  /// Forgets every pair (tables still in use by a running `pow_g` stay alive until it returns).
  void clear();

 private:
  struct Entry {
    std::uint32_t g = 0;
    DhValue modulus{};
    unsigned uses = 0;
    bool building = false;  // one thread is building the table outside the lock
    bool unusable = false;  // the build gave up (see dh.cpp): always the variable-base path
    std::shared_ptr<const detail::DhFixedBaseTable> table;
  };
  Entry* find(std::uint32_t g, const DhValue& modulus);  // caller holds mutex_

  const unsigned build_on_use_;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // least recently used first
};

/// g ^ exponent mod modulus, as `dh_mod_exp(g, exponent, modulus)` (g_a / g_b from a secret
/// exponent), through `cache`'s fixed-base table for (g, modulus) once it has one (2048-bit
/// moduli and g >= 2 only; other inputs always take `dh_mod_exp`). Both paths are constant time
/// with respect to the exponent (caveats in dh.cpp). Thread-safe.
Result<DhValue> dh_pow_g(std::uint32_t g, ByteView exponent, ByteView modulus,
                         DhPowCache& cache = DhPowCache::global());

}  // namespace telepp::crypto
