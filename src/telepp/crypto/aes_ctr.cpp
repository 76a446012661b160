#include "telepp/crypto/aes_ctr.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cassert>
#include <climits>
#include <utility>

#include "telepp/crypto/openssl_util.hpp"

namespace telepp::crypto {
namespace {

const EVP_CIPHER* aes256_ctr() {
  static const EVP_CIPHER* cipher = [] {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr);
    if (!c) detail::openssl_fatal("EVP_CIPHER_fetch(AES-256-CTR)");
    return c;
  }();
  return cipher;
}

}  // namespace

AesCtr::AesCtr(const Int256& key, const Int128& iv) : ctx_(EVP_CIPHER_CTX_new()) {
  if (!ctx_) detail::openssl_fatal("EVP_CIPHER_CTX_new");
  if (EVP_EncryptInit_ex2(ctx_, aes256_ctr(), key.data(), iv.data(), nullptr) != 1) {
    detail::openssl_fatal("EVP_EncryptInit_ex2(AES-256-CTR)");
  }
}

AesCtr::~AesCtr() { EVP_CIPHER_CTX_free(ctx_); }

AesCtr::AesCtr(AesCtr&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

AesCtr& AesCtr::operator=(AesCtr&& other) noexcept {
  if (this != &other) {
    EVP_CIPHER_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void AesCtr::apply(MutableByteView data) { apply(data, data); }

void AesCtr::apply(ByteView in, MutableByteView out) {
  assert(in.size() == out.size());
  std::size_t done = 0;
  while (done < in.size()) {
    // EVP takes int lengths; feed huge buffers in chunks (CTR keeps its position across calls).
    const std::size_t chunk = std::min<std::size_t>(in.size() - done, std::size_t{1} << 30);
    int len = 0;
    if (EVP_EncryptUpdate(ctx_, out.data() + done, &len, in.data() + done, static_cast<int>(chunk)) != 1 ||
        static_cast<std::size_t>(len) != chunk) {
      detail::openssl_fatal("EVP_EncryptUpdate(AES-256-CTR)");
    }
    done += chunk;
  }
}

}  // namespace telepp::crypto
