#include "telepp/crypto/srp.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <string>

#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/hmac.hpp"
#include "telepp/crypto/openssl_util.hpp"

namespace telepp::crypto {
namespace {

using detail::BnPtr;

// Tries at drawing a secret exponent whose public value lands inside the range the peer
// checks (each try fails with probability ~2^-63; more than one failure means broken entropy).
constexpr int kMaxExponentTries = 8;

DhValue padded(const BIGNUM* x) {
  DhValue out;
  if (BN_bn2binpad(x, out.data(), static_cast<int>(kDhBytes)) != static_cast<int>(kDhBytes)) {
    detail::openssl_fatal("BN_bn2binpad");
  }
  return out;
}

DhValue padded_g(std::int32_t g) {
  DhValue out;
  const auto v = static_cast<std::uint32_t>(g);
  for (std::size_t i = 0; i < 4; ++i) out.bytes[kDhBytes - 1 - i] = static_cast<Byte>(v >> (8 * i));
  return out;
}

BnPtr bn(ByteView bytes) { return detail::bn_from_bytes(bytes); }

BnPtr mod_exp(const BIGNUM* base, const BIGNUM* exponent, const BIGNUM* p) {
  BnPtr e(BN_dup(exponent));
  if (!e) detail::openssl_fatal("BN_dup");
  BN_set_flags(e.get(), BN_FLG_CONSTTIME);  // exponents here are secrets (x, a, b) or derive from them
  BnPtr r = detail::bn_new();
  if (BN_mod_exp_mont_consttime(r.get(), base, e.get(), p, detail::thread_bn_ctx(), nullptr) != 1) {
    detail::openssl_fatal("BN_mod_exp_mont_consttime");
  }
  return r;
}

BnPtr mod_mul(const BIGNUM* a, const BIGNUM* b, const BIGNUM* p) {
  BnPtr r = detail::bn_new();
  if (BN_mod_mul(r.get(), a, b, p, detail::thread_bn_ctx()) != 1) detail::openssl_fatal("BN_mod_mul");
  return r;
}

// The group as both sides see it.
struct Group {
  BnPtr p;
  BnPtr g;
  DhValue p_bytes;
  DhValue g_bytes;
  BnPtr k;  // H(p | g)
};

Result<Group> group_of(const SrpAlgo& algo) {
  // SECURITY: a safe 2048-bit prime and a generator of the large subgroup (cached for Telegram's prime).
  TELEPP_TRY(check_dh_params(algo.p, algo.g));
  Group out{bn(algo.p), detail::bn_new(), {}, padded_g(algo.g), nullptr};
  if (BN_set_word(out.g.get(), static_cast<BN_ULONG>(algo.g)) != 1) detail::openssl_fatal("BN_set_word");
  out.p_bytes = padded(out.p.get());
  out.k = bn(sha256({out.p_bytes.view(), out.g_bytes.view()}).view());
  return out;
}

// u = H(A | B); SECURITY: u = 0 would let a party skip the password.
Result<BnPtr> scrambler(const DhValue& g_a, const DhValue& g_b) {
  BnPtr u = bn(sha256({g_a.view(), g_b.view()}).view());
  if (BN_is_zero(u.get())) return crypto_fail(CryptoErrc::out_of_range, "SRP u = H(A | B) is zero");
  return u;
}

Result<DhValue> checked_value(ByteView value, const Group& group, const char* what) {
  // SECURITY: the same range as the handshake's g_a/g_b.
  if (auto s = check_dh_value(value, group.p_bytes.view()); !s) {
    return crypto_fail(CryptoErrc::out_of_range, std::string("SRP ") + what + ": " + s.error().detail);
  }
  DhValue out;
  std::copy(value.begin(), value.end(), out.bytes.end() - static_cast<std::ptrdiff_t>(value.size()));
  return out;
}

Sha256Digest proof(const Group& group, const SrpAlgo& algo, const DhValue& g_a, const DhValue& g_b, const BIGNUM* s) {
  const DhValue s_bytes = padded(s);
  const Sha256Digest key = sha256(s_bytes.view());
  Sha256Digest pg = sha256(group.p_bytes.view());
  const Sha256Digest hg = sha256(group.g_bytes.view());
  for (std::size_t i = 0; i < pg.size(); ++i) pg.bytes[i] ^= hg.bytes[i];
  return sha256({pg.view(), sha256(algo.salt1).view(), sha256(algo.salt2).view(), g_a.view(), g_b.view(), key.view()});
}

// A random exponent whose g^e mod p (plus `offset`, mod p) passes `check_dh_value`.
Result<std::pair<DhValue, DhValue>> draw_exponent(const Group& group, const BIGNUM* offset, Entropy& entropy) {
  for (int i = 0; i < kMaxExponentTries; ++i) {
    DhValue e;
    entropy.fill({e.data(), e.size()});
    BnPtr e_bn = bn(e.view());
    BnPtr pub = mod_exp(group.g.get(), e_bn.get(), group.p.get());
    if (offset && BN_mod_add(pub.get(), pub.get(), offset, group.p.get(), detail::thread_bn_ctx()) != 1) {
      detail::openssl_fatal("BN_mod_add");
    }
    DhValue pub_bytes = padded(pub.get());
    if (check_dh_value(pub_bytes.view(), group.p_bytes.view())) return std::pair{e, pub_bytes};
  }
  return crypto_fail(CryptoErrc::out_of_range, "SRP: no secret exponent with a public value in range (bad entropy?)");
}

}  // namespace

Sha256Digest srp_password_hash(ByteView password, ByteView salt1, ByteView salt2) {
  auto sh = [](ByteView data, ByteView salt) { return sha256({salt, data, salt}); };
  const Sha256Digest ph1 = sh(sh(password, salt1).view(), salt2);
  auto slow = pbkdf2_hmac_sha512(ph1.view(), salt1, kSrpPbkdf2Iterations, 64);
  if (!slow) detail::openssl_fatal("PBKDF2 with fixed valid arguments");
  return sh(*slow, salt2);
}

Result<DhValue> srp_verifier(const SrpAlgo& algo, const Sha256Digest& x) {
  auto group = group_of(algo);
  if (!group) return Failure{group.take_error()};
  BnPtr x_bn = bn(x.view());
  return padded(mod_exp(group->g.get(), x_bn.get(), group->p.get()).get());
}

namespace detail {

Result<SrpProof> srp_client_proof_from_secret(const SrpAlgo& algo, const Sha256Digest& x, ByteView g_b,
                                              const DhValue& a) {
  auto group = group_of(algo);
  if (!group) return Failure{group.take_error()};
  auto b_pub = checked_value(g_b, *group, "g_b");
  if (!b_pub) return Failure{b_pub.take_error()};
  BnPtr a_bn = bn(a.view());
  const DhValue g_a = padded(mod_exp(group->g.get(), a_bn.get(), group->p.get()).get());
  auto u = scrambler(g_a, *b_pub);
  if (!u) return Failure{u.take_error()};

  // S = (B - k*v)^(a + u*x) mod p, with v = g^x.
  BnPtr x_bn = bn(x.view());
  BnPtr kv = mod_mul(group->k.get(), mod_exp(group->g.get(), x_bn.get(), group->p.get()).get(), group->p.get());
  BnPtr base = detail::bn_new();
  BnPtr b_bn = bn(b_pub->view());
  if (BN_mod_sub(base.get(), b_bn.get(), kv.get(), group->p.get(), detail::thread_bn_ctx()) != 1) {
    detail::openssl_fatal("BN_mod_sub");
  }
  BnPtr exponent = detail::bn_new();
  if (BN_mul(exponent.get(), u->get(), x_bn.get(), detail::thread_bn_ctx()) != 1 ||
      BN_add(exponent.get(), exponent.get(), a_bn.get()) != 1) {
    detail::openssl_fatal("BN_mul/BN_add");
  }
  BnPtr s = mod_exp(base.get(), exponent.get(), group->p.get());
  return SrpProof{g_a, proof(*group, algo, g_a, *b_pub, s.get())};
}

}  // namespace detail

Result<SrpProof> srp_client_proof(const SrpAlgo& algo, const Sha256Digest& x, ByteView g_b, Entropy& entropy) {
  auto group = group_of(algo);
  if (!group) return Failure{group.take_error()};
  // SECURITY: our own A must lie in the range the server checks, like any DH value.
  auto a = draw_exponent(*group, nullptr, entropy);
  if (!a) return Failure{a.take_error()};
  return detail::srp_client_proof_from_secret(algo, x, g_b, a->first);
}

Result<SrpChallenge> srp_server_challenge(const SrpAlgo& algo, ByteView v, Entropy& entropy) {
  if (v.size() != kDhBytes) return crypto_fail(CryptoErrc::bad_length, "SRP verifier must be 256 bytes, got " + std::to_string(v.size()));
  auto group = group_of(algo);
  if (!group) return Failure{group.take_error()};
  BnPtr v_bn = bn(v);
  if (BN_is_zero(v_bn.get()) || BN_is_one(v_bn.get()) || BN_cmp(v_bn.get(), group->p.get()) >= 0) {
    return crypto_fail(CryptoErrc::out_of_range, "SRP verifier must satisfy 1 < v < p");
  }
  // g_b = k*v + g^b mod p
  BnPtr kv = mod_mul(group->k.get(), v_bn.get(), group->p.get());
  auto b = draw_exponent(*group, kv.get(), entropy);
  if (!b) return Failure{b.take_error()};
  return SrpChallenge{b->first, b->second};
}

Result<bool> srp_server_verify(const SrpAlgo& algo, ByteView v, const SrpChallenge& challenge, ByteView g_a,
                               ByteView m1) {
  if (v.size() != kDhBytes) return crypto_fail(CryptoErrc::bad_length, "SRP verifier must be 256 bytes, got " + std::to_string(v.size()));
  if (m1.size() != Sha256Digest::size()) {
    return crypto_fail(CryptoErrc::bad_length, "SRP M1 must be 32 bytes, got " + std::to_string(m1.size()));
  }
  auto group = group_of(algo);
  if (!group) return Failure{group.take_error()};
  auto a_pub = checked_value(g_a, *group, "g_a");
  if (!a_pub) return Failure{a_pub.take_error()};
  auto u = scrambler(*a_pub, challenge.g_b);
  if (!u) return Failure{u.take_error()};
  // S = (A * v^u)^b mod p
  BnPtr base = mod_mul(bn(a_pub->view()).get(), mod_exp(bn(v).get(), u->get(), group->p.get()).get(), group->p.get());
  BnPtr s = mod_exp(base.get(), bn(challenge.b.view()).get(), group->p.get());
  const Sha256Digest expected = proof(*group, algo, *a_pub, challenge.g_b, s.get());
  // SECURITY: constant-time comparison of the proof.
  return CRYPTO_memcmp(expected.data(), m1.data(), expected.size()) == 0;
}

}  // namespace telepp::crypto
