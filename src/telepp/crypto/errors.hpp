#pragma once
/// \file Error codes of the `crypto` domain and helpers to build and test them.

#include <string>

#include "telepp/base/error.hpp"
#include "telepp/base/result.hpp"

namespace telepp::crypto {

/// Codes of `ErrorDomain::crypto`: why a crypto operation refused its input.
enum class CryptoErrc : int {
  bad_length = 1,     ///< an input of a length the operation cannot take (AES blocks, RSA sizes, ...)
  bad_key,            ///< a key that cannot be parsed or used (PEM, modulus, exponent)
  bad_padding,        ///< decrypted data whose padding or embedded hash does not verify
  out_of_range,       ///< a number outside the range the protocol allows (DH g_a/g_b, RSA m >= n)
  not_prime,          ///< a DH prime that is not a safe prime
  bad_generator,      ///< a DH generator g not in 2..7 or not matching the prime's residue rule
  not_factorable,     ///< a pq that is not a product of two primes we can find
  unsupported,        ///< an implementation this CPU or build does not have (e.g. AES-NI)
};

/// An `Error` of the crypto domain with a detail naming the failed check (got/expected values).
inline Error crypto_error(CryptoErrc code, std::string detail) {
  return Error(ErrorDomain::crypto, static_cast<int>(code), std::move(detail));
}

/// `return crypto_fail(...)` converts to any `Result<T>`.
inline Failure crypto_fail(CryptoErrc code, std::string detail) { return fail(crypto_error(code, std::move(detail))); }

/// True when `e` is the given crypto code.
inline bool is(const Error& e, CryptoErrc code) {
  return e.domain == ErrorDomain::crypto && e.code == static_cast<int>(code);
}

}  // namespace telepp::crypto
