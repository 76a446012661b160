#include "telepp/crypto/rsa_pad.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/errors.hpp"

namespace telepp::crypto {
namespace {

constexpr std::size_t kKeyBytes = 256;
constexpr std::size_t kTempKeyBytes = 32;
constexpr std::size_t kDataWithHash = kRsaPadPaddedSize + 32;  // 224
constexpr int kMaxTempKeyAttempts = 64;

Status check_key_size(std::size_t size) {
  if (size != kKeyBytes) {
    return crypto_fail(CryptoErrc::bad_key, "RSA_PAD needs a 2048-bit key, got " + std::to_string(size * 8) + " bits");
  }
  return {};
}

// Wipes a buffer that held key material or plaintext when it goes out of scope.
struct Cleanse {
  Byte* p;
  std::size_t n;
  ~Cleanse() { OPENSSL_cleanse(p, n); }
};

}  // namespace

Result<Bytes> rsa_pad_encrypt(const RsaPublicKey& key, ByteView data, Entropy& entropy) {
  TELEPP_TRY(check_key_size(key.size()));
  if (data.size() > kRsaPadMaxData) {
    return crypto_fail(CryptoErrc::bad_length, "RSA_PAD data must be at most 144 bytes, got " + std::to_string(data.size()));
  }
  Byte data_with_padding[kRsaPadPaddedSize];
  Cleanse wipe_padded{data_with_padding, sizeof data_with_padding};
  if (!data.empty()) std::memcpy(data_with_padding, data.data(), data.size());
  entropy.fill({data_with_padding + data.size(), kRsaPadPaddedSize - data.size()});

  // key_aes_encrypted = temp_key_xor (32) ‖ aes_encrypted (224)
  Byte key_aes_encrypted[kKeyBytes];
  Cleanse wipe_kae{key_aes_encrypted, sizeof key_aes_encrypted};
  Byte* const temp_key_xor = key_aes_encrypted;
  Byte* const aes_encrypted = key_aes_encrypted + kTempKeyBytes;
  Int256 temp_key;
  Cleanse wipe_temp{temp_key.data(), temp_key.size()};
  const Int256 zero_iv{};

  for (int attempt = 0; attempt < kMaxTempKeyAttempts; ++attempt) {
    entropy.fill({temp_key.data(), temp_key.size()});
    // data_with_hash = reverse(data_with_padding) ‖ SHA256(temp_key ‖ data_with_padding)
    std::reverse_copy(data_with_padding, data_with_padding + kRsaPadPaddedSize, aes_encrypted);
    const Sha256Digest hash = sha256({temp_key.view(), ByteView(data_with_padding, kRsaPadPaddedSize)});
    std::memcpy(aes_encrypted + kRsaPadPaddedSize, hash.data(), hash.size());
    TELEPP_TRY(aes_ige_encrypt(temp_key, zero_iv, {aes_encrypted, kDataWithHash}));
    const Sha256Digest mask = sha256(ByteView(aes_encrypted, kDataWithHash));
    for (std::size_t i = 0; i < kTempKeyBytes; ++i) temp_key_xor[i] = static_cast<Byte>(temp_key.bytes[i] ^ mask.bytes[i]);
    // The modulus of a 2048-bit key is exactly 256 minimal bytes, so a bytewise compare of the
    // two big-endian numbers is their numeric order.
    if (std::memcmp(key_aes_encrypted, key.n().data(), kKeyBytes) < 0) {
      return rsa_encrypt_raw(key, ByteView(key_aes_encrypted, kKeyBytes));
    }
  }
  return crypto_fail(CryptoErrc::out_of_range, "RSA_PAD: 64 temp_keys in a row gave key_aes_encrypted >= n");
}

Result<Bytes> rsa_pad_decrypt(const RsaPrivateKey& key, ByteView encrypted_data) {
  TELEPP_TRY(check_key_size(key.size()));
  auto decrypted = rsa_decrypt_raw(key, encrypted_data);
  if (!decrypted) return Failure{decrypted.take_error()};
  Bytes& key_aes_encrypted = *decrypted;
  Cleanse wipe_kae{key_aes_encrypted.data(), key_aes_encrypted.size()};
  Byte* const aes_encrypted = key_aes_encrypted.data() + kTempKeyBytes;

  const Sha256Digest mask = sha256(ByteView(aes_encrypted, kDataWithHash));
  Int256 temp_key;
  Cleanse wipe_temp{temp_key.data(), temp_key.size()};
  for (std::size_t i = 0; i < kTempKeyBytes; ++i) temp_key.bytes[i] = static_cast<Byte>(key_aes_encrypted[i] ^ mask.bytes[i]);

  TELEPP_TRY(aes_ige_decrypt(temp_key, Int256{}, {aes_encrypted, kDataWithHash}));
  Bytes data_with_padding(kRsaPadPaddedSize);
  std::reverse_copy(aes_encrypted, aes_encrypted + kRsaPadPaddedSize, data_with_padding.begin());
  const Sha256Digest expected = sha256({temp_key.view(), ByteView(data_with_padding)});
  // SECURITY: the spec requires the server to verify this hash; without it a tampered or
  // forged encrypted_data would be parsed as p_q_inner_data.
  if (CRYPTO_memcmp(expected.data(), aes_encrypted + kRsaPadPaddedSize, expected.size()) != 0) {
    OPENSSL_cleanse(data_with_padding.data(), data_with_padding.size());
    return crypto_fail(CryptoErrc::bad_padding, "RSA_PAD: SHA-256 of temp_key and data_with_padding does not match");
  }
  return data_with_padding;
}

bool LegacyRsaPayload::hash_matches(std::size_t data_length) const {
  if (data_length > data_with_padding.size()) return false;
  const Sha1Digest actual = sha1(ByteView(data_with_padding.data(), data_length));
  // SECURITY: the only integrity check of the legacy scheme.
  return CRYPTO_memcmp(actual.data(), hash.data(), hash.size()) == 0;
}

Result<LegacyRsaPayload> rsa_legacy_decrypt(const RsaPrivateKey& key, ByteView encrypted_data) {
  TELEPP_TRY(check_key_size(key.size()));
  auto decrypted = rsa_decrypt_raw(key, encrypted_data);
  if (!decrypted) return Failure{decrypted.take_error()};
  const Bytes& m = *decrypted;
  // data_with_hash is 255 bytes, so as a 256-byte big-endian number it starts with a zero.
  if (m[0] != 0) {
    return crypto_fail(CryptoErrc::bad_padding, "legacy RSA: plaintext is not a 255-byte number");
  }
  LegacyRsaPayload out;
  std::memcpy(out.hash.data(), m.data() + 1, out.hash.size());
  out.data_with_padding.assign(m.begin() + 1 + 20, m.end());
  return out;
}

}  // namespace telepp::crypto
