#pragma once
/// \file The handshake's proof of work: factoring the 64-bit pq (client), and choosing it
/// (server). See https://core.telegram.org/mtproto/auth_key#proof-of-work.

#include <cstdint>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/result.hpp"

namespace telepp::crypto {

/// pq = p * q with p < q, both prime.
struct PqFactors {
  std::uint64_t p = 0;
  std::uint64_t q = 0;
  friend bool operator==(const PqFactors&, const PqFactors&) = default;
};

/// Splits `pq` into two primes p < q (Pollard–Brent rho, with Pollard's rho and bounded trial
/// division as fallbacks). Microseconds for the 64-bit pq servers send. Fails with
/// `not_factorable` when pq is below 4, prime, a square of a prime, or has more than two prime
/// factors.
Result<PqFactors> factorize_pq(std::uint64_t pq);

/// Deterministic Miller–Rabin for every 64-bit number.
bool is_prime_u64(std::uint64_t n);

/// What the server sends and expects back.
struct PqChallenge {
  std::uint64_t pq = 0;
  std::uint64_t p = 0;  ///< p < q
  std::uint64_t q = 0;
};

/// Server side: two distinct random primes in [2^30, 2^31) and their product, so pq < 2^62 (the
/// spec: pq is normally at most 2^63-1; Telegram's factors are in this range too).
PqChallenge generate_pq(Entropy& entropy);

/// A big-endian number of at most 8 bytes (how TL carries pq, p and q as `bytes`). Fails with
/// `bad_length` for longer input.
Result<std::uint64_t> uint64_from_be(ByteView bytes);
/// `value` as minimal big-endian bytes (at least one byte), e.g. for p and q in
/// p_q_inner_data.
Bytes uint64_to_be(std::uint64_t value);

}  // namespace telepp::crypto
