#pragma once
/// \file The encryption of `p_q_inner_data_*` in the auth-key handshake: MTProto 2.0's RSA_PAD
/// (client: encrypt; server: decrypt and verify), and the decoding of the pre-2.0 scheme
/// `RSA(SHA1(data) ‖ data ‖ padding)` that old clients may still send.
/// See https://core.telegram.org/mtproto/auth_key#presenting-proof-of-work-server-authentication.

#include <cstddef>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/result.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/crypto/rsa.hpp"

namespace telepp::crypto {

/// The most bytes of TL data RSA_PAD can carry.
inline constexpr std::size_t kRsaPadMaxData = 144;
/// The padded length of that data, and what the server side hands back.
inline constexpr std::size_t kRsaPadPaddedSize = 192;

/// RSA_PAD(data, key): pads `data` (at most 144 bytes) with random bytes to 192, reverses it,
/// appends SHA-256(temp_key ‖ data_with_padding), AES-256-IGE-encrypts that under a random
/// temp_key with a zero IV, prefixes temp_key ^ SHA-256(aes_encrypted), and RSA-encrypts the
/// result, drawing a new temp_key while it is not below the modulus. Returns the 256-byte
/// encrypted_data. Randomness: the padding first, then 32 bytes per temp_key attempt.
/// Fails with `bad_length` for data over 144 bytes, `bad_key` for a key that is not 2048-bit,
/// `out_of_range` if 64 temp_keys in a row were not below the modulus (broken entropy).
Result<Bytes> rsa_pad_encrypt(const RsaPublicKey& key, ByteView data, Entropy& entropy);

/// The server side of RSA_PAD: RSA-decrypts `encrypted_data` (at most 256 bytes, big-endian),
/// recovers temp_key, AES-IGE-decrypts, and checks the embedded SHA-256. Returns the 192-byte
/// data_with_padding (the TL data followed by random padding; its parser finds the end).
/// Fails with `bad_key` (not a 2048-bit key), `bad_length`/`out_of_range` (not a valid RSA
/// input) or `bad_padding` (the hash does not match: tampered or not RSA_PAD).
Result<Bytes> rsa_pad_decrypt(const RsaPrivateKey& key, ByteView encrypted_data);

/// What the pre-MTProto-2.0 scheme carries: RSA(SHA1(data) ‖ data ‖ random) of 255 bytes. The
/// length of `data` is only known once its TL is parsed, so the hash is checked afterwards.
struct LegacyRsaPayload {
  Sha1Digest hash;
  /// 235 bytes: the TL data followed by random padding.
  Bytes data_with_padding;

  /// True when the first `data_length` bytes hash to `hash`. `data_length` is what the TL
  /// parser consumed; a length past the end is false.
  bool hash_matches(std::size_t data_length) const;
};

/// Decrypts the legacy scheme. Fails with `bad_key`, `bad_length`/`out_of_range` as
/// `rsa_pad_decrypt`, or `bad_padding` when the 256-byte plaintext does not start with a zero
/// byte (it must be a 255-byte number). The caller must check `hash_matches` after parsing.
Result<LegacyRsaPayload> rsa_legacy_decrypt(const RsaPrivateKey& key, ByteView encrypted_data);

}  // namespace telepp::crypto
