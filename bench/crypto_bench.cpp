// Benchmarks of the crypto layer. Targets: AES-256-IGE >= 1.3 GB/s each way on one core (a
// single IGE chain is bound by AES latency: both directions are sequential).

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "telepp/crypto/aes_ctr.hpp"
#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/crypto/kdf.hpp"
#include "telepp/crypto/os_entropy.hpp"
#include "telepp/crypto/pq.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/crypto/rsa_pad.hpp"

namespace {

using namespace telepp;
using namespace telepp::crypto;

constexpr std::size_t k512KiB = 512 * 1024;

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  os_entropy().fill(b);
  return b;
}

// g = 3 as dh_mod_exp's base.
ByteView three() {
  static const Byte kThree[1] = {3};
  return ByteView(kThree, 1);
}

template <class T>
T random_fixed() {
  T v;
  os_entropy().fill({v.data(), v.size()});
  return v;
}

void ige(benchmark::State& state, bool encrypt, AesBackend backend) {
  if (backend == AesBackend::aesni && !aesni_available()) {
    state.SkipWithError("no AES-NI");
    return;
  }
  const auto key = random_fixed<Int256>();
  const auto iv = random_fixed<Int256>();
  Bytes data = random_bytes(k512KiB);
  for (auto _ : state) {
    auto r = encrypt ? aes_ige_encrypt(key, iv, data, backend) : aes_ige_decrypt(key, iv, data, backend);
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * k512KiB));
}
void BM_AesIgeEncrypt_AesNi_512KiB(benchmark::State& s) { ige(s, true, AesBackend::aesni); }
void BM_AesIgeDecrypt_AesNi_512KiB(benchmark::State& s) { ige(s, false, AesBackend::aesni); }
void BM_AesIgeEncrypt_Portable_512KiB(benchmark::State& s) { ige(s, true, AesBackend::portable); }
void BM_AesIgeDecrypt_Portable_512KiB(benchmark::State& s) { ige(s, false, AesBackend::portable); }
BENCHMARK(BM_AesIgeEncrypt_AesNi_512KiB);
BENCHMARK(BM_AesIgeDecrypt_AesNi_512KiB);
BENCHMARK(BM_AesIgeEncrypt_Portable_512KiB);
BENCHMARK(BM_AesIgeDecrypt_Portable_512KiB);

void BM_AesCtr_512KiB(benchmark::State& state) {
  AesCtr ctr(random_fixed<Int256>(), random_fixed<Int128>());
  Bytes data = random_bytes(k512KiB);
  for (auto _ : state) {
    ctr.apply(data);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * k512KiB));
}
BENCHMARK(BM_AesCtr_512KiB);

void BM_Sha256_52B_ReusedContext(benchmark::State& state) {
  const Bytes data = random_bytes(52);
  for (auto _ : state) benchmark::DoNotOptimize(sha256(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 52));
}
BENCHMARK(BM_Sha256_52B_ReusedContext);

// For comparison: OpenSSL's one-shot EVP_Digest, which sets up a context per call.
void BM_Sha256_52B_EvpDigestOneShot(benchmark::State& state) {
  const Bytes data = random_bytes(52);
  unsigned char out[32];
  for (auto _ : state) {
    EVP_Digest(data.data(), data.size(), out, nullptr, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 52));
}
BENCHMARK(BM_Sha256_52B_EvpDigestOneShot);

void BM_Sha256_512KiB(benchmark::State& state) {
  const Bytes data = random_bytes(k512KiB);
  for (auto _ : state) benchmark::DoNotOptimize(sha256(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * k512KiB));
}
BENCHMARK(BM_Sha256_512KiB);

// What a sender does per message besides the cipher: msg_key over the padded plaintext, then
// the key/IV derivation.
void BM_MsgKeyAndKdf(benchmark::State& state) {
  const auto auth_key = random_fixed<AuthKeyBytes>();
  const Bytes plaintext = random_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const Int128 mk = msg_key_for(auth_key, plaintext, Direction::client_to_server);
    benchmark::DoNotOptimize(derive_aes(auth_key, mk, Direction::client_to_server));
  }
}
BENCHMARK(BM_MsgKeyAndKdf)->Arg(128)->Arg(1024);

void BM_RsaPadEncrypt(benchmark::State& state) {
  static const auto key = RsaPrivateKey::generate(2048);
  const RsaPublicKey pub = key->public_key();
  const Bytes data = random_bytes(96);
  for (auto _ : state) benchmark::DoNotOptimize(rsa_pad_encrypt(pub, data, os_entropy()));
}
BENCHMARK(BM_RsaPadEncrypt)->Unit(benchmark::kMicrosecond);

void BM_RsaPadDecrypt(benchmark::State& state) {
  static const auto key = RsaPrivateKey::generate(2048);
  const auto enc = rsa_pad_encrypt(key->public_key(), random_bytes(96), os_entropy());
  for (auto _ : state) benchmark::DoNotOptimize(rsa_pad_decrypt(*key, *enc));
}
BENCHMARK(BM_RsaPadDecrypt)->Unit(benchmark::kMicrosecond);

// The client's DH work: g_b = g^b mod p and auth_key = g_a^b mod p (dh_pow_g through the
// global cache: the setup call is the first use of (3, p), the first iteration builds the table).
void BM_DhTwoModExps(benchmark::State& state) {
  const DhValue& p = telegram_dh_prime();
  const Bytes a = random_bytes(256), b = random_bytes(256);
  const auto g_a = dh_pow_g(3, a, p.view());
  for (auto _ : state) {
    benchmark::DoNotOptimize(dh_pow_g(3, b, p.view()));
    benchmark::DoNotOptimize(dh_mod_exp(g_a->view(), b, p.view()));
  }
}
BENCHMARK(BM_DhTwoModExps)->Unit(benchmark::kMillisecond);

// The same without tables: both exponentiations variable-base (the path before DhPowCache).
void BM_DhTwoModExps_NoTable(benchmark::State& state) {
  const DhValue& p = telegram_dh_prime();
  const Bytes a = random_bytes(256), b = random_bytes(256);
  const auto g_a = dh_mod_exp(three(), a, p.view());
  for (auto _ : state) {
    benchmark::DoNotOptimize(dh_mod_exp(three(), b, p.view()));
    benchmark::DoNotOptimize(dh_mod_exp(g_a->view(), b, p.view()));
  }
}
BENCHMARK(BM_DhTwoModExps_NoTable)->Unit(benchmark::kMillisecond);

// g^x mod p alone (g = 3, Telegram's prime, fresh random 2048-bit x per iteration):
// - VariableBase: dh_mod_exp, OpenSSL's BN_mod_exp_mont_consttime (what dh_pow_g did before);
// - Warm: dh_pow_g with the table already built;
// - ColdFirstUse: a fresh cache that builds on the first use: table build + one exponentiation;
// - ColdDefaultPolicy: a fresh default cache, its first two calls (the first takes the
//   variable-base path, the second builds the table), the cost of a prime's first two uses.
std::vector<Bytes> random_exponents() {
  std::vector<Bytes> xs;
  for (int i = 0; i < 64; ++i) xs.push_back(random_bytes(256));
  return xs;
}

void BM_DhPowG_VariableBase(benchmark::State& state) {
  const DhValue& p = telegram_dh_prime();
  const auto xs = random_exponents();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(dh_mod_exp(three(), xs[i++ % xs.size()], p.view()));
}
BENCHMARK(BM_DhPowG_VariableBase)->Unit(benchmark::kMicrosecond);

void BM_DhPowG_Warm(benchmark::State& state) {
  const DhValue& p = telegram_dh_prime();
  const auto xs = random_exponents();
  DhPowCache cache(1);
  (void)dh_pow_g(3, xs[0], p.view(), cache);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(dh_pow_g(3, xs[i++ % xs.size()], p.view(), cache));
}
BENCHMARK(BM_DhPowG_Warm)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DhPowG_Warm)->Unit(benchmark::kMicrosecond)->Threads(2);

void BM_DhPowG_ColdFirstUse(benchmark::State& state) {
  const DhValue& p = telegram_dh_prime();
  const auto xs = random_exponents();
  std::size_t i = 0;
  for (auto _ : state) {
    DhPowCache cache(1);
    benchmark::DoNotOptimize(dh_pow_g(3, xs[i++ % xs.size()], p.view(), cache));
  }
}
BENCHMARK(BM_DhPowG_ColdFirstUse)->Unit(benchmark::kMicrosecond);

void BM_DhPowG_ColdDefaultPolicyTwoUses(benchmark::State& state) {
  const DhValue& p = telegram_dh_prime();
  const auto xs = random_exponents();
  std::size_t i = 0;
  for (auto _ : state) {
    DhPowCache cache;
    benchmark::DoNotOptimize(dh_pow_g(3, xs[i++ % xs.size()], p.view(), cache));
    benchmark::DoNotOptimize(dh_pow_g(3, xs[i++ % xs.size()], p.view(), cache));
  }
}
BENCHMARK(BM_DhPowG_ColdDefaultPolicyTwoUses)->Unit(benchmark::kMicrosecond);

void BM_DhPrimeCheckCold(benchmark::State& state) {
  const DhValue& p = telegram_dh_prime();
  for (auto _ : state) {
    DhPrimeCache empty(false);
    benchmark::DoNotOptimize(check_dh_params(p.view(), 3, empty));
  }
}
BENCHMARK(BM_DhPrimeCheckCold)->Unit(benchmark::kMillisecond);

void BM_DhPrimeCheckCached(benchmark::State& state) {
  const DhValue& p = telegram_dh_prime();
  for (auto _ : state) benchmark::DoNotOptimize(check_dh_params(p.view(), 3));
}
BENCHMARK(BM_DhPrimeCheckCached);

void BM_FactorizePqWorkedExample(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(factorize_pq(0x17ED48941A08F981ull));
}
BENCHMARK(BM_FactorizePqWorkedExample)->Unit(benchmark::kMicrosecond);

void BM_FactorizePqRandom(benchmark::State& state) {
  std::vector<std::uint64_t> pqs;
  for (int i = 0; i < 64; ++i) pqs.push_back(generate_pq(os_entropy()).pq);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(factorize_pq(pqs[i++ % pqs.size()]));
}
BENCHMARK(BM_FactorizePqRandom)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
