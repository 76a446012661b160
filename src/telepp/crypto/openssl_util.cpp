#include "telepp/crypto/openssl_util.hpp"

#include <openssl/err.h>

#include <cstdio>
#include <cstdlib>

namespace telepp::crypto::detail {

void openssl_fatal(const char* what) {
  std::fprintf(stderr, "telepp crypto: OpenSSL failed in %s\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

BnPtr bn_new() {
  BnPtr bn(BN_new());
  if (!bn) openssl_fatal("BN_new");
  return bn;
}

BnPtr bn_from_bytes(ByteView bytes) {
  BnPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn) openssl_fatal("BN_bin2bn");
  return bn;
}

Bytes bn_to_bytes(const BIGNUM* value, std::size_t size) {
  Bytes out(size);
  if (BN_bn2binpad(value, out.data(), static_cast<int>(size)) != static_cast<int>(size)) {
    openssl_fatal("BN_bn2binpad (value does not fit)");
  }
  return out;
}

Bytes bn_to_min_bytes(const BIGNUM* value) {
  Bytes out(static_cast<std::size_t>(BN_num_bytes(value)));
  BN_bn2bin(value, out.data());
  return out;
}

BN_CTX* thread_bn_ctx() {
  thread_local BnCtxPtr ctx(BN_CTX_new());
  if (!ctx) openssl_fatal("BN_CTX_new");
  return ctx.get();
}

}  // namespace telepp::crypto::detail
