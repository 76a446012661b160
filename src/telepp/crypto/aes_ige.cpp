#include "telepp/crypto/aes_ige.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <string>

#include "telepp/crypto/aes_ige_internal.hpp"
#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/openssl_util.hpp"

namespace telepp::crypto {
namespace {

const EVP_CIPHER* aes256_ecb() {
  static const EVP_CIPHER* cipher = [] {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-ECB", nullptr);
    if (!c) detail::openssl_fatal("EVP_CIPHER_fetch(AES-256-ECB)");
    return c;  // kept for the life of the process
  }();
  return cipher;
}

// One reusable cipher context per thread: allocating one per message would cost more than
// encrypting a short message.
EVP_CIPHER_CTX* thread_ecb_ctx(const Int256& key, bool encrypt) {
  thread_local detail::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) detail::openssl_fatal("EVP_CIPHER_CTX_new");
  if (EVP_CipherInit_ex2(ctx.get(), aes256_ecb(), key.data(), nullptr, encrypt ? 1 : 0, nullptr) != 1) {
    detail::openssl_fatal("EVP_CipherInit_ex2");
  }
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  return ctx.get();
}

inline void xor16(Byte* out, const Byte* a, const Byte* b) {
  for (int i = 0; i < 16; ++i) out[i] = static_cast<Byte>(a[i] ^ b[i]);
}

// One AES block through the (already keyed) ECB context.
inline void ecb_block(EVP_CIPHER_CTX* ctx, const Byte* in, Byte* out) {
  int len = 0;
  if (EVP_CipherUpdate(ctx, out, &len, in, 16) != 1 || len != 16) detail::openssl_fatal("EVP_CipherUpdate");
}

// IGE is sequential both ways: every block's cipher input depends on the previous block's
// output, so the portable path drives the block cipher one block at a time.
void portable_encrypt(const Int256& key, const Int256& iv, Byte* data, std::size_t blocks) {
  EVP_CIPHER_CTX* ctx = thread_ecb_ctx(key, true);
  Byte y_prev[16], x_prev[16], x[16], t[16];
  std::memcpy(y_prev, iv.data(), 16);
  std::memcpy(x_prev, iv.data() + 16, 16);
  for (std::size_t i = 0; i < blocks; ++i) {
    Byte* block = data + 16 * i;
    std::memcpy(x, block, 16);
    xor16(t, x, y_prev);
    ecb_block(ctx, t, t);
    xor16(block, t, x_prev);
    std::memcpy(y_prev, block, 16);
    std::memcpy(x_prev, x, 16);
  }
}

void portable_decrypt(const Int256& key, const Int256& iv, Byte* data, std::size_t blocks) {
  EVP_CIPHER_CTX* ctx = thread_ecb_ctx(key, false);
  Byte y_prev[16], x_prev[16], y[16], t[16];
  std::memcpy(y_prev, iv.data(), 16);
  std::memcpy(x_prev, iv.data() + 16, 16);
  for (std::size_t i = 0; i < blocks; ++i) {
    Byte* block = data + 16 * i;
    std::memcpy(y, block, 16);
    xor16(t, y, x_prev);
    ecb_block(ctx, t, t);
    xor16(block, t, y_prev);
    std::memcpy(x_prev, block, 16);
    std::memcpy(y_prev, y, 16);
  }
}

bool cpu_has_aesni() {
#if defined(TELEPP_HAVE_AESNI)
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
  }();
  return has;
#else
  return false;
#endif
}

enum class Way { encrypt, decrypt };

Status run(Way way, const Int256& key, const Int256& iv, MutableByteView data, AesBackend backend) {
  if (data.size() % 16 != 0) {
    return crypto_fail(CryptoErrc::bad_length,
                       "AES-IGE data must be whole 16-byte blocks, got " + std::to_string(data.size()) + " bytes");
  }
  bool use_aesni = false;
  switch (backend) {
    case AesBackend::automatic: use_aesni = cpu_has_aesni(); break;
    case AesBackend::aesni:
      if (!cpu_has_aesni()) return crypto_fail(CryptoErrc::unsupported, "AES-NI is not available on this CPU/build");
      use_aesni = true;
      break;
    case AesBackend::portable: break;
  }
  const std::size_t blocks = data.size() / 16;
  if (blocks == 0) return {};
#if defined(TELEPP_HAVE_AESNI)
  if (use_aesni) {
    if (way == Way::encrypt) detail::aesni_ige_encrypt(key.data(), iv.data(), data.data(), blocks);
    else detail::aesni_ige_decrypt(key.data(), iv.data(), data.data(), blocks);
    return {};
  }
#else
  (void)use_aesni;
#endif
  if (way == Way::encrypt) portable_encrypt(key, iv, data.data(), blocks);
  else portable_decrypt(key, iv, data.data(), blocks);
  return {};
}

}  // namespace

bool aesni_available() { return cpu_has_aesni(); }

Status aes_ige_encrypt(const Int256& key, const Int256& iv, MutableByteView data, AesBackend backend) {
  return run(Way::encrypt, key, iv, data, backend);
}

Status aes_ige_decrypt(const Int256& key, const Int256& iv, MutableByteView data, AesBackend backend) {
  return run(Way::decrypt, key, iv, data, backend);
}

}  // namespace telepp::crypto
