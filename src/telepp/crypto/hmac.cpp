#include "telepp/crypto/hmac.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/openssl_util.hpp"

namespace telepp::crypto {

Sha256Digest hmac_sha256(ByteView key, ByteView data) {
  Sha256Digest out;
  unsigned int len = 0;
  // HMAC() accepts a null key pointer only with length 0; give it a valid pointer either way.
  static const Byte empty = 0;
  const Byte* key_ptr = key.empty() ? &empty : key.data();
  if (!HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), data.data(), data.size(), out.data(), &len) ||
      len != out.size()) {
    detail::openssl_fatal("HMAC");
  }
  return out;
}

Result<Bytes> pbkdf2_hmac_sha512(ByteView password, ByteView salt, std::uint32_t iterations, std::size_t out_len) {
  if (iterations == 0 || iterations > INT_MAX) {
    return crypto_fail(CryptoErrc::bad_length, "PBKDF2 iterations must be in 1..INT_MAX, got " + std::to_string(iterations));
  }
  if (out_len == 0 || out_len > INT_MAX) {
    return crypto_fail(CryptoErrc::bad_length, "PBKDF2 output length must be positive, got " + std::to_string(out_len));
  }
  Bytes out(out_len);
  static const Byte empty = 0;
  const char* pass = reinterpret_cast<const char*>(password.empty() ? &empty : password.data());
  const Byte* salt_ptr = salt.empty() ? &empty : salt.data();
  if (PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), salt_ptr, static_cast<int>(salt.size()),
                        static_cast<int>(iterations), EVP_sha512(), static_cast<int>(out_len), out.data()) != 1) {
    detail::openssl_fatal("PKCS5_PBKDF2_HMAC");
  }
  return out;
}

}  // namespace telepp::crypto
