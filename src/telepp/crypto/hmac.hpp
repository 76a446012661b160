#pragma once
/// \file HMAC-SHA256 and PBKDF2-HMAC-SHA512 (the latter is the slow hash of 2FA SRP, see
/// https://core.telegram.org/api/srp).

#include <cstdint>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"
#include "telepp/crypto/hash.hpp"

namespace telepp::crypto {

/// HMAC-SHA256 (RFC 2104) of `data` under `key` (any length).
Sha256Digest hmac_sha256(ByteView key, ByteView data);

/// PBKDF2 (RFC 8018) with HMAC-SHA512: `out_len` bytes derived from `password` and `salt` with
/// `iterations` rounds (Telegram's SRP uses 100000 and 64 bytes). Fails with `bad_length` when
/// `iterations` is 0 or `out_len` is 0.
Result<Bytes> pbkdf2_hmac_sha512(ByteView password, ByteView salt, std::uint32_t iterations,
                                 std::size_t out_len = 64);

}  // namespace telepp::crypto
