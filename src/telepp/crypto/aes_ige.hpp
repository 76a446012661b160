#pragma once
/// \file AES-256 in IGE mode, the cipher of MTProto messages and of the handshake's inner data.
/// See https://core.telegram.org/mtproto/description#defining-aes-key-and-initialization-vector.
///
/// IV convention (OpenSSL's and MTProto's): iv[0..16) is the "previous ciphertext block" y_0 and
/// iv[16..32) the "previous plaintext block" x_0; block i is y_i = E(x_i ^ y_{i-1}) ^ x_{i-1}.

#include "telepp/base/bytes.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"

namespace telepp::crypto {

/// Which implementation runs. Both give identical output; `automatic` picks AES-NI when the CPU
/// has it (decided once, at run time).
enum class AesBackend {
  automatic,
  aesni,     ///< x86-64 AES-NI instructions; `unsupported` error where the CPU or build lacks them
  portable,  ///< OpenSSL's AES-256 block cipher (EVP, ECB) driven block by block
};

/// True when this build and CPU can run the AES-NI backend.
bool aesni_available();

/// Encrypts `data` in place. Fails with `bad_length` unless `data.size()` is a multiple of 16
/// (data is left untouched then), or `unsupported` for an unavailable backend. Empty data is OK.
Status aes_ige_encrypt(const Int256& key, const Int256& iv, MutableByteView data,
                       AesBackend backend = AesBackend::automatic);

/// Decrypts `data` in place; same contract as `aes_ige_encrypt`.
Status aes_ige_decrypt(const Int256& key, const Int256& iv, MutableByteView data,
                       AesBackend backend = AesBackend::automatic);

}  // namespace telepp::crypto
