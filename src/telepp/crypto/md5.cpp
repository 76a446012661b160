#include "telepp/crypto/md5.hpp"

#include <openssl/evp.h>

#include "telepp/crypto/openssl_util.hpp"

namespace telepp::crypto {

std::string md5_hex(ByteView data) {
  unsigned char digest[16];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr) != 1 || size != sizeof digest) {
    detail::openssl_fatal("EVP_Digest(md5)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace telepp::crypto
