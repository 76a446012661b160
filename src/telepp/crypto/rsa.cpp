#include "telepp/crypto/rsa.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <cstring>

#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/crypto/openssl_util.hpp"

namespace telepp::crypto {
namespace detail {

struct RsaKeyImpl {
  PkeyPtr pkey;
  BnPtr n;
  BnPtr e;
  Bytes n_bytes;
  Bytes e_bytes;
  std::uint64_t fingerprint = 0;
};

}  // namespace detail

namespace {

using detail::BnPtr;
using detail::PkeyPtr;
using detail::RsaKeyImpl;

// TL `bytes` serialisation: a 1-byte length (or 0xfe and a 3-byte little-endian length from 254
// bytes on), the bytes, zero padding to a multiple of 4.
void append_tl_bytes(Bytes& out, ByteView data) {
  if (data.size() <= 253) {
    out.push_back(static_cast<Byte>(data.size()));
  } else {
    out.push_back(0xfe);
    out.push_back(static_cast<Byte>(data.size()));
    out.push_back(static_cast<Byte>(data.size() >> 8));
    out.push_back(static_cast<Byte>(data.size() >> 16));
  }
  out.insert(out.end(), data.begin(), data.end());
  while (out.size() % 4 != 0) out.push_back(0);
}

std::uint64_t compute_fingerprint(ByteView n, ByteView e) {
  Bytes tl;
  tl.reserve(n.size() + e.size() + 16);
  append_tl_bytes(tl, n);
  append_tl_bytes(tl, e);
  const Sha1Digest digest = sha1(tl);
  // NOTE: "the lower 64 bits of SHA1" are its last 8 bytes read as a little-endian long.
  return load_le64(digest.data() + 12);
}

// Fills n/e/fingerprint from the EVP_PKEY and checks it is an RSA key we can use.
Result<std::shared_ptr<const RsaKeyImpl>> finish_impl(PkeyPtr pkey) {
  if (!pkey || EVP_PKEY_is_a(pkey.get(), "RSA") != 1) {
    return crypto_fail(CryptoErrc::bad_key, "not an RSA key");
  }
  auto impl = std::make_shared<RsaKeyImpl>();
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    BN_free(n);
    BN_free(e);
    return crypto_fail(CryptoErrc::bad_key, "RSA key without modulus or exponent");
  }
  impl->n.reset(n);
  impl->e.reset(e);
  impl->n_bytes = detail::bn_to_min_bytes(n);
  impl->e_bytes = detail::bn_to_min_bytes(e);
  impl->fingerprint = compute_fingerprint(impl->n_bytes, impl->e_bytes);
  impl->pkey = std::move(pkey);
  return std::shared_ptr<const RsaKeyImpl>(std::move(impl));
}

PkeyPtr decode_pem(std::string_view pem, int selection) {
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* dctx =
      OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, "RSA", selection, nullptr, nullptr);
  if (!dctx) detail::openssl_fatal("OSSL_DECODER_CTX_new_for_pkey");
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t len = pem.size();
  const int ok = OSSL_DECODER_from_data(dctx, &data, &len);
  OSSL_DECODER_CTX_free(dctx);
  if (ok != 1) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return PkeyPtr(pkey);
}

std::string encode_pem(const EVP_PKEY* pkey, int selection, const char* structure) {
  OSSL_ENCODER_CTX* ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, "PEM", structure, nullptr);
  if (!ectx) detail::openssl_fatal("OSSL_ENCODER_CTX_new_for_pkey");
  unsigned char* buf = nullptr;
  std::size_t len = 0;
  if (OSSL_ENCODER_to_data(ectx, &buf, &len) != 1) {
    OSSL_ENCODER_CTX_free(ectx);
    detail::openssl_fatal("OSSL_ENCODER_to_data");
  }
  OSSL_ENCODER_CTX_free(ectx);
  std::string out(reinterpret_cast<const char*>(buf), len);
  OPENSSL_clear_free(buf, len);  // may be a private key
  return out;
}

// The number in `data` (<= size bytes) as a BIGNUM, checked against the modulus.
Result<BnPtr> checked_input(const RsaKeyImpl& key, ByteView data) {
  if (data.size() > key.n_bytes.size()) {
    return crypto_fail(CryptoErrc::bad_length, "RSA input of " + std::to_string(data.size()) +
                                                   " bytes for a " + std::to_string(key.n_bytes.size()) + "-byte modulus");
  }
  BnPtr m = detail::bn_from_bytes(data);
  if (BN_cmp(m.get(), key.n.get()) >= 0) {
    return crypto_fail(CryptoErrc::out_of_range, "RSA input is not below the modulus");
  }
  return m;
}

}  // namespace

// ---- RsaPublicKey ----

RsaPublicKey::RsaPublicKey(std::shared_ptr<const detail::RsaKeyImpl> impl) : impl_(std::move(impl)) {}

Result<RsaPublicKey> RsaPublicKey::from_pem(std::string_view pem) {
  PkeyPtr pkey = decode_pem(pem, EVP_PKEY_PUBLIC_KEY);
  if (!pkey) return crypto_fail(CryptoErrc::bad_key, "not a PEM RSA public key");
  auto impl = finish_impl(std::move(pkey));
  if (!impl) return Failure{impl.take_error()};
  return RsaPublicKey(std::move(*impl));
}

Result<RsaPublicKey> RsaPublicKey::from_components(ByteView n_bytes, ByteView e_bytes) {
  BnPtr n = detail::bn_from_bytes(n_bytes);
  BnPtr e = detail::bn_from_bytes(e_bytes);
  if (BN_is_zero(n.get()) || !BN_is_odd(n.get())) return crypto_fail(CryptoErrc::bad_key, "RSA modulus must be odd and non-zero");
  if (!BN_is_odd(e.get()) || BN_is_one(e.get())) return crypto_fail(CryptoErrc::bad_key, "RSA exponent must be odd and > 1");
  if (BN_cmp(e.get(), n.get()) >= 0) return crypto_fail(CryptoErrc::bad_key, "RSA exponent must be below the modulus");

  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  if (!bld || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    detail::openssl_fatal("OSSL_PARAM_BLD");
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  OSSL_PARAM_BLD_free(bld);
  if (!params) detail::openssl_fatal("OSSL_PARAM_BLD_to_param");
  detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* pkey = nullptr;
  const bool ok = ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
                  EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  OSSL_PARAM_free(params);
  if (!ok) return crypto_fail(CryptoErrc::bad_key, "OpenSSL refused the RSA components");
  auto impl = finish_impl(PkeyPtr(pkey));
  if (!impl) return Failure{impl.take_error()};
  return RsaPublicKey(std::move(*impl));
}

const Bytes& RsaPublicKey::n() const { return impl_->n_bytes; }
const Bytes& RsaPublicKey::e() const { return impl_->e_bytes; }
std::size_t RsaPublicKey::size() const { return impl_->n_bytes.size(); }
std::uint64_t RsaPublicKey::fingerprint() const { return impl_->fingerprint; }
std::string RsaPublicKey::to_pem() const { return encode_pem(impl_->pkey.get(), EVP_PKEY_PUBLIC_KEY, "type-specific"); }

// ---- RsaPrivateKey ----

RsaPrivateKey::RsaPrivateKey(std::shared_ptr<const detail::RsaKeyImpl> impl) : impl_(std::move(impl)) {}

Result<RsaPrivateKey> RsaPrivateKey::generate(unsigned bits) {
  if (bits < 1024 || bits > 8192) {
    return crypto_fail(CryptoErrc::bad_key, "RSA key size must be 1024..8192 bits, got " + std::to_string(bits));
  }
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
  if (!pkey) detail::openssl_fatal("EVP_PKEY_Q_keygen(RSA)");
  auto impl = finish_impl(std::move(pkey));
  if (!impl) return Failure{impl.take_error()};
  return RsaPrivateKey(std::move(*impl));
}

Result<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view pem) {
  PkeyPtr pkey = decode_pem(pem, EVP_PKEY_KEYPAIR);
  if (!pkey) return crypto_fail(CryptoErrc::bad_key, "not an unencrypted PEM RSA private key");
  auto impl = finish_impl(std::move(pkey));
  if (!impl) return Failure{impl.take_error()};
  return RsaPrivateKey(std::move(*impl));
}

std::string RsaPrivateKey::to_pem() const { return encode_pem(impl_->pkey.get(), EVP_PKEY_KEYPAIR, "PrivateKeyInfo"); }

RsaPublicKey RsaPrivateKey::public_key() const {
  // The shared state holds the private key too, but RsaPublicKey only ever uses n and e.
  return RsaPublicKey(impl_);
}

std::size_t RsaPrivateKey::size() const { return impl_->n_bytes.size(); }

// ---- raw RSA ----

Result<Bytes> rsa_encrypt_raw(const RsaPublicKey& key, ByteView data) {
  const RsaKeyImpl& k = *key.impl_;
  auto m = checked_input(k, data);
  if (!m) return Failure{m.take_error()};
  BnPtr c = detail::bn_new();
  // The exponent is public: no constant-time requirement here.
  if (BN_mod_exp_mont(c.get(), m->get(), k.e.get(), k.n.get(), detail::thread_bn_ctx(), nullptr) != 1) {
    detail::openssl_fatal("BN_mod_exp_mont");
  }
  return detail::bn_to_bytes(c.get(), k.n_bytes.size());
}

Result<Bytes> rsa_decrypt_raw(const RsaPrivateKey& key, ByteView data) {
  const RsaKeyImpl& k = *key.impl_;
  auto m = checked_input(k, data);
  if (!m) return Failure{m.take_error()};
  // OpenSSL's no-padding private operation wants exactly modulus-size input; it uses CRT with
  // blinding, which a hand-rolled BN_mod_exp would not.
  const Bytes padded = detail::bn_to_bytes(m->get(), k.n_bytes.size());
  detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, k.pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1) {
    return crypto_fail(CryptoErrc::bad_key, "RSA key cannot decrypt (no private part?)");
  }
  Bytes out(k.n_bytes.size());
  std::size_t out_len = out.size();
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &out_len, padded.data(), padded.size()) != 1) {
    return crypto_fail(CryptoErrc::bad_key, "RSA private operation failed");
  }
  if (out_len < out.size()) {  // keep the fixed-size big-endian contract
    std::memmove(out.data() + (out.size() - out_len), out.data(), out_len);
    std::memset(out.data(), 0, out.size() - out_len);
  }
  return out;
}

}  // namespace telepp::crypto
