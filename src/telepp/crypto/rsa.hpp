#pragma once
/// \file RSA keys for the auth-key handshake: PEM parsing and writing, the MTProto key
/// fingerprint, raw (unpadded) RSA, and key generation for the server role.
/// See https://core.telegram.org/mtproto/auth_key.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"

namespace telepp::crypto {

namespace detail {
struct RsaKeyImpl;
}

/// An RSA public key (n, e). Cheap to copy (shares immutable state); thread-safe to use.
class RsaPublicKey {
 public:
  /// Parses a PEM public key: "BEGIN RSA PUBLIC KEY" (PKCS#1, what Telegram publishes) or
  /// "BEGIN PUBLIC KEY" (SubjectPublicKeyInfo). Fails with `bad_key`.
  static Result<RsaPublicKey> from_pem(std::string_view pem);
  /// A key from its big-endian modulus and exponent. Fails with `bad_key` on a zero/even
  /// modulus or an exponent that is not odd and > 1.
  static Result<RsaPublicKey> from_components(ByteView n, ByteView e);

  /// Modulus and exponent as minimal big-endian bytes.
  const Bytes& n() const;
  const Bytes& e() const;
  /// Modulus size in bytes (256 for the 2048-bit keys MTProto uses).
  std::size_t size() const;
  /// The MTProto fingerprint: the low 64 bits of SHA-1 over the TL serialisation of
  /// `rsa_public_key n:bytes e:bytes` (the last 8 bytes of the SHA-1, little-endian), as sent in
  /// resPQ.server_public_key_fingerprints.
  std::uint64_t fingerprint() const;
  /// PEM, PKCS#1 ("BEGIN RSA PUBLIC KEY").
  std::string to_pem() const;

 private:
  friend class RsaPrivateKey;
  friend Result<Bytes> rsa_encrypt_raw(const RsaPublicKey&, ByteView);
  explicit RsaPublicKey(std::shared_ptr<const detail::RsaKeyImpl> impl);
  std::shared_ptr<const detail::RsaKeyImpl> impl_;
};

/// An RSA private key, for the server role of the handshake. Cheap to copy; thread-safe to use.
/// Never logged or printed by this library.
class RsaPrivateKey {
 public:
  /// A fresh key of `bits` bits (e = 65537) from OpenSSL's RNG. Fails with `bad_key` for bits
  /// outside 1024..8192.
  static Result<RsaPrivateKey> generate(unsigned bits = 2048);
  /// Parses a PEM private key: "BEGIN PRIVATE KEY" (PKCS#8) or "BEGIN RSA PRIVATE KEY" (PKCS#1),
  /// unencrypted. Fails with `bad_key`.
  static Result<RsaPrivateKey> from_pem(std::string_view pem);

  /// PEM, unencrypted PKCS#8 ("BEGIN PRIVATE KEY"). The caller owns what happens to the text.
  std::string to_pem() const;
  RsaPublicKey public_key() const;
  std::size_t size() const;

 private:
  friend Result<Bytes> rsa_decrypt_raw(const RsaPrivateKey&, ByteView);
  explicit RsaPrivateKey(std::shared_ptr<const detail::RsaKeyImpl> impl);
  std::shared_ptr<const detail::RsaKeyImpl> impl_;
};

/// Raw RSA, no padding: `data` (big-endian, at most key.size() bytes) ^ e mod n, as exactly
/// key.size() big-endian bytes. Fails with `bad_length` for longer data and `out_of_range` when the
/// number is >= n.
Result<Bytes> rsa_encrypt_raw(const RsaPublicKey& key, ByteView data);

/// Raw RSA decryption (CRT, blinded): `data` ^ d mod n as exactly key.size() bytes. Same
/// failures as `rsa_encrypt_raw`.
Result<Bytes> rsa_decrypt_raw(const RsaPrivateKey& key, ByteView data);

}  // namespace telepp::crypto
