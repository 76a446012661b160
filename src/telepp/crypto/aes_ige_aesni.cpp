// AES-256-IGE with x86-64 AES-NI. Compiled with -maes -msse4.1; only reached after the run-time
// CPU check in aes_ige.cpp.
//
// IGE chains both ways: encryption feeds y_{i-1} into block i, decryption feeds x_{i-1}, and each
// comes out of the previous block's AES. So a single message cannot be pipelined in either
// direction; the speed is bounded by the latency of 14 dependent AES rounds per block. What we
// can do is keep everything else off that chain: the XORs with the neighbouring blocks are
// folded into the first and last round keys, so the chain is exactly the 14 AES instructions.

#include <immintrin.h>
#include <wmmintrin.h>

#include "telepp/crypto/aes_ige_internal.hpp"

namespace telepp::crypto::detail {
namespace {

struct RoundKeys {
  __m128i k[15];
};

// One half-step of the AES-256 key schedule: `a` is the key word four positions back, `t` the
// keygenassist result broadcast from the right lane.
inline __m128i expand_step(__m128i a, __m128i t) {
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  return _mm_xor_si128(a, t);
}

template <int Rcon>
inline void expand_pair(__m128i& k0, __m128i& k1, __m128i* out) {
  // Even round key: RotWord(SubWord(w)) ^ rcon of the previous odd key's last word.
  k0 = expand_step(k0, _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k1, Rcon), 0xff));
  out[0] = k0;
  // Odd round key: SubWord (no rotation, no rcon) of the new even key's last word.
  k1 = expand_step(k1, _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k0, 0x00), 0xaa));
  out[1] = k1;
}

RoundKeys expand_encrypt_key(const Byte* key) {
  RoundKeys rk;
  __m128i k0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  __m128i k1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
  rk.k[0] = k0;
  rk.k[1] = k1;
  expand_pair<0x01>(k0, k1, &rk.k[2]);
  expand_pair<0x02>(k0, k1, &rk.k[4]);
  expand_pair<0x04>(k0, k1, &rk.k[6]);
  expand_pair<0x08>(k0, k1, &rk.k[8]);
  expand_pair<0x10>(k0, k1, &rk.k[10]);
  expand_pair<0x20>(k0, k1, &rk.k[12]);
  // The last step needs only the even half (round key 14).
  rk.k[14] = expand_step(k0, _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k1, 0x40), 0xff));
  return rk;
}

// The equivalent inverse cipher's schedule: reversed, with InvMixColumns on the middle keys.
RoundKeys expand_decrypt_key(const Byte* key) {
  RoundKeys enc = expand_encrypt_key(key);
  RoundKeys dec;
  dec.k[0] = enc.k[14];
  for (int i = 1; i < 14; ++i) dec.k[i] = _mm_aesimc_si128(enc.k[14 - i]);
  dec.k[14] = enc.k[0];
  return dec;
}

inline __m128i load(const Byte* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline void store(Byte* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }

}  // namespace

void aesni_ige_encrypt(const Byte* key, const Byte* iv, Byte* data, std::size_t blocks) {
  const RoundKeys rk = expand_encrypt_key(key);
  const __m128i k0 = rk.k[0];
  const __m128i k14 = rk.k[14];

  __m128i x_prev = load(iv + 16);
  __m128i x = load(data);
  // state = AES input after the initial AddRoundKey: x_1 ^ y_0 ^ k0.
  __m128i state = _mm_xor_si128(_mm_xor_si128(x, load(iv)), k0);
  for (std::size_t i = 0; i < blocks; ++i) {
    Byte* block = data + 16 * i;
    const bool has_next = i + 1 < blocks;
    const __m128i x_next = has_next ? load(block + 16) : _mm_setzero_si128();
    // y_i = last_round(state) ^ k14 ^ x_{i-1}; the next state is y_i ^ x_{i+1} ^ k0. Folding
    // (x_{i-1} ^ x_{i+1} ^ k0) into the last round key yields the next state straight out of
    // aesenclast, so nothing but AES rounds sits on the dependency chain.
    const __m128i fold = _mm_xor_si128(x_next, k0);
    const __m128i last_key = _mm_xor_si128(_mm_xor_si128(k14, x_prev), fold);
    __m128i s = _mm_aesenc_si128(state, rk.k[1]);
    s = _mm_aesenc_si128(s, rk.k[2]);
    s = _mm_aesenc_si128(s, rk.k[3]);
    s = _mm_aesenc_si128(s, rk.k[4]);
    s = _mm_aesenc_si128(s, rk.k[5]);
    s = _mm_aesenc_si128(s, rk.k[6]);
    s = _mm_aesenc_si128(s, rk.k[7]);
    s = _mm_aesenc_si128(s, rk.k[8]);
    s = _mm_aesenc_si128(s, rk.k[9]);
    s = _mm_aesenc_si128(s, rk.k[10]);
    s = _mm_aesenc_si128(s, rk.k[11]);
    s = _mm_aesenc_si128(s, rk.k[12]);
    s = _mm_aesenc_si128(s, rk.k[13]);
    state = _mm_aesenclast_si128(s, last_key);
    store(block, _mm_xor_si128(state, fold));  // y_i, off the chain
    x_prev = x;
    x = x_next;
  }
}

void aesni_ige_decrypt(const Byte* key, const Byte* iv, Byte* data, std::size_t blocks) {
  const RoundKeys rk = expand_decrypt_key(key);
  const __m128i k0 = rk.k[0];
  const __m128i k14 = rk.k[14];

  __m128i y_prev = load(iv);
  __m128i y = load(data);
  // x_i = D(y_i ^ x_{i-1}) ^ y_{i-1}; state = y_1 ^ x_0 ^ k0.
  __m128i state = _mm_xor_si128(_mm_xor_si128(y, load(iv + 16)), k0);
  for (std::size_t i = 0; i < blocks; ++i) {
    Byte* block = data + 16 * i;
    const bool has_next = i + 1 < blocks;
    const __m128i y_next = has_next ? load(block + 16) : _mm_setzero_si128();
    const __m128i fold = _mm_xor_si128(y_next, k0);
    const __m128i last_key = _mm_xor_si128(_mm_xor_si128(k14, y_prev), fold);
    __m128i s = _mm_aesdec_si128(state, rk.k[1]);
    s = _mm_aesdec_si128(s, rk.k[2]);
    s = _mm_aesdec_si128(s, rk.k[3]);
    s = _mm_aesdec_si128(s, rk.k[4]);
    s = _mm_aesdec_si128(s, rk.k[5]);
    s = _mm_aesdec_si128(s, rk.k[6]);
    s = _mm_aesdec_si128(s, rk.k[7]);
    s = _mm_aesdec_si128(s, rk.k[8]);
    s = _mm_aesdec_si128(s, rk.k[9]);
    s = _mm_aesdec_si128(s, rk.k[10]);
    s = _mm_aesdec_si128(s, rk.k[11]);
    s = _mm_aesdec_si128(s, rk.k[12]);
    s = _mm_aesdec_si128(s, rk.k[13]);
    state = _mm_aesdeclast_si128(s, last_key);
    store(block, _mm_xor_si128(state, fold));  // x_i, off the chain
    y_prev = y;
    y = y_next;
  }
}

}  // namespace telepp::crypto::detail
