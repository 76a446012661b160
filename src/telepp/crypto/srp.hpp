#pragma once
/// \file 2FA passwords: Telegram's SRP-6a variant
/// `passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow`, both seats. See
/// https://core.telegram.org/api/srp.
///
/// Client: `srp_password_hash` (the slow x, ~0.1 s), then `srp_verifier` (v, sent as
/// new_password_hash when setting a password) or `srp_client_proof` (A and M1 for
/// inputCheckPasswordSRP). Server: `srp_server_challenge` (b and B for account.password's srp_B),
/// then `srp_server_verify` (checks the client's A and M1 against the stored verifier).
///
/// Numbers are 256 big-endian bytes, hashed padded to 2048 bits; H = SHA-256; k = H(p | g);
/// u = H(A | B); M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | A | B | H(S)).

#include <cstdint>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/result.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/crypto/hash.hpp"

namespace telepp::crypto {

/// PBKDF2-HMAC-SHA512 rounds of the algorithm.
inline constexpr std::uint32_t kSrpPbkdf2Iterations = 100000;
/// Random bytes a client appends to the server's salt1 when it sets a new password.
inline constexpr std::size_t kSrpNewSalt1Suffix = 32;

/// The algorithm's parameters as account.password carries them (current_algo / new_algo).
struct SrpAlgo {
  Bytes salt1;
  Bytes salt2;
  std::int32_t g = 3;
  Bytes p;  ///< 256 big-endian bytes
};

/// x = PH2(password, salt1, salt2) = SH(PBKDF2-SHA512(PH1, salt1, 100000), salt2), with
/// SH(d, s) = H(s | d | s) and PH1 = SH(SH(password, salt1), salt2). Never fails.
Sha256Digest srp_password_hash(ByteView password, ByteView salt1, ByteView salt2);

/// v = g^x mod p: the verifier a client sends as new_password_hash, and the server stores.
/// Checks the group like `srp_client_proof` (errors of `check_dh_params`).
Result<DhValue> srp_verifier(const SrpAlgo& algo, const Sha256Digest& x);

/// What inputCheckPasswordSRP carries besides srp_id.
struct SrpProof {
  DhValue g_a;  ///< A
  Sha256Digest m1;
};

/// Client side: A and M1 proving knowledge of the password whose hash is `x`, against the
/// server's `g_b` (srp_B). SECURITY: refuses a group that is not a safe 2048-bit prime with a
/// valid g (`check_dh_params`), a g_b outside 1 < g_b < p - 1 and
/// 2^(2048-64) <= g_b <= p - 2^(2048-64) (`out_of_range`), and u = 0 (`out_of_range`).
/// Entropy: 256 bytes for a (more if g^a falls outside the same range).
Result<SrpProof> srp_client_proof(const SrpAlgo& algo, const Sha256Digest& x, ByteView g_b, Entropy& entropy);

namespace detail {
/// `srp_client_proof` with the secret exponent `a` given (vector tests); our own g_a is not
/// range-checked here.
Result<SrpProof> srp_client_proof_from_secret(const SrpAlgo& algo, const Sha256Digest& x, ByteView g_b,
                                              const DhValue& a);
}  // namespace detail

/// The server's ephemeral pair: b is secret; g_b = k*v + g^b mod p is sent as srp_B.
struct SrpChallenge {
  DhValue b;
  DhValue g_b;
};

/// Server side: a fresh challenge for the stored verifier `v` (256 bytes; `bad_length`
/// otherwise, `out_of_range` for a v not in 1 < v < p). Entropy: 256 bytes for b (more when
/// g_b falls outside the range a client accepts).
Result<SrpChallenge> srp_server_challenge(const SrpAlgo& algo, ByteView v, Entropy& entropy);

/// Server side: whether (`g_a`, `m1`) proves the password behind `v` for `challenge`. False for a
/// wrong password. SECURITY: errors (`out_of_range`) for a g_a outside the range of
/// `check_dh_value` or u = 0, and (`bad_length`) for an m1 that is not 32 bytes or a v that is
/// not 256 bytes. M1 is compared in constant time.
Result<bool> srp_server_verify(const SrpAlgo& algo, ByteView v, const SrpChallenge& challenge, ByteView g_a,
                               ByteView m1);

}  // namespace telepp::crypto
