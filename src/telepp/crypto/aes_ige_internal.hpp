#pragma once
/// \file Internal to the crypto layer: the AES-NI IGE kernels (aes_ige_aesni.cpp, compiled with
/// -maes -msse4.1 and only called after a run-time CPU check).

#include <cstddef>

#include "telepp/base/bytes.hpp"

namespace telepp::crypto::detail {

/// `blocks` 16-byte blocks at `data`, in place; `key` 32 bytes, `iv` 32 bytes.
void aesni_ige_encrypt(const Byte* key, const Byte* iv, Byte* data, std::size_t blocks);
void aesni_ige_decrypt(const Byte* key, const Byte* iv, Byte* data, std::size_t blocks);

}  // namespace telepp::crypto::detail
