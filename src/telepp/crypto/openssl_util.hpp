#pragma once
/// \file Internal to the crypto layer (never include from a public header): RAII owners for
/// OpenSSL objects and the fatal path for failures that only allocation can cause.

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>

#include "telepp/base/bytes.hpp"

namespace telepp::crypto::detail {

/// Aborts with OpenSSL's error queue printed. Only for failures no input can cause (allocation,
/// a missing built-in algorithm): a broken environment, not bad peer data.
[[noreturn]] void openssl_fatal(const char* what);

struct BnFree {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
struct BnCtxFree {
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};

using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

/// A fresh BIGNUM (aborts on allocation failure).
BnPtr bn_new();
/// The big-endian unsigned number in `bytes` (leading zeros allowed).
BnPtr bn_from_bytes(ByteView bytes);
/// `value` as exactly `size` big-endian bytes, left-padded with zeros; `value` must fit.
Bytes bn_to_bytes(const BIGNUM* value, std::size_t size);
/// `value` as its minimal big-endian bytes (empty for zero).
Bytes bn_to_min_bytes(const BIGNUM* value);
/// A BN_CTX for the calling thread, reused across calls (BN_CTX is not thread-safe).
BN_CTX* thread_bn_ctx();

}  // namespace telepp::crypto::detail
