// CPU cost of the auth-key handshake, each role measured on its own.
//
// Clean in-memory exchanges are recorded once with fixed randomness (16 of them, with different
// server randomness, hence different pq). Each side is then replayed against the recorded messages
// of the other with the same randomness, so it sends exactly the recorded messages and the
// recorded answers stay valid: a client iteration is start() and the three answers (resPQ,
// server_DH_params_ok, dh_gen_ok); a server iteration is the three requests.
// Targets: client <= 4 ms, server <= 4 ms.
//
// Client figures: with Telegram's DH prime already proven (it is cached, as after a client's first
// connection, and seeded into the global cache), and the first-time cost with the primality proof.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "telepp/base/entropy.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/crypto/pq.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/crypto/rsa_pad.hpp"
#include "telepp/mtproto/handshake/handshake.hpp"

namespace {

using namespace telepp;
using namespace telepp::mtproto::handshake;

/// splitmix64 bytes: deterministic, so a replay draws what the recording drew.
class SeededEntropy final : public Entropy {
 public:
  explicit SeededEntropy(std::uint64_t seed) : state_(seed) {}
  void fill(MutableByteView out) override {
    for (auto& b : out) {
      if (left_ == 0) {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        word_ = z ^ (z >> 31);
        left_ = 8;
      }
      b = static_cast<Byte>(word_);
      word_ >>= 8;
      --left_;
    }
  }

 private:
  std::uint64_t state_;
  std::uint64_t word_ = 0;
  int left_ = 0;
};

constexpr std::uint64_t kClientSeed = 1;
constexpr std::uint64_t kServerSeed = 2;
const Time kClientNow = from_unix_seconds(1750000000);
const Time kServerNow = kClientNow + std::chrono::seconds(3);

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "handshake_bench: %s\n", what);
  std::abort();
}

/// One recorded exchange: req_pq_multi, resPQ, req_DH_params, server_DH_params_ok,
/// set_client_DH_params, dh_gen_ok.
using Transcript = std::vector<Bytes>;

struct Setup {
  // The client's cost depends on pq (Pollard's rho takes a different walk for each), so client
  // runs cycle through exchanges recorded with different server randomness.
  static constexpr std::size_t kTranscripts = 16;

  crypto::RsaPrivateKey key;
  ClientHandshakeConfig client_config;
  ServerHandshakeConfig server_config;
  std::vector<Transcript> transcripts;  // transcripts[i] recorded with server seed kServerSeed + i
  // Each side's state just before each of its steps in transcripts[0], for the per-step figures.
  std::vector<ClientHandshake> client_before;  // before resPQ, server_DH_params_ok, dh_gen_ok
  std::vector<ServerHandshake> server_before;  // before req_pq_multi, req_DH_params, set_client_DH_params

  Setup() : key(generate()) {
    client_config.dc_id = 2;
    client_config.trust(key.public_key());
    server_config.keys.push_back(key);
    for (std::size_t i = 0; i < kTranscripts; ++i) transcripts.push_back(record(kServerSeed + i, i == 0));
  }

  Transcript record(std::uint64_t server_seed, bool keep_states) {
    Transcript messages;
    ClientHandshake client(client_config);
    ServerHandshake server(server_config);
    SeededEntropy ce(kClientSeed), se(server_seed);
    auto first = client.start(kClientNow, ce);
    if (!first) die("start failed");
    messages.push_back(*first);
    for (int round = 0; round < 3; ++round) {
      if (keep_states) server_before.push_back(server);
      auto answer = server.on_message(messages.back(), kServerNow, se);
      if (!answer) die("server step failed");
      messages.push_back(answer->send);
      if (keep_states) client_before.push_back(client);
      auto next = client.on_message(messages.back(), kClientNow, ce);
      if (!next) die("client step failed");
      if (next->done) break;
      messages.push_back(next->send);
    }
    if (messages.size() != 6 || client.state() != ClientState::done) die("the recorded exchange did not complete");
    return messages;
  }

  static crypto::RsaPrivateKey generate() {
    auto k = crypto::RsaPrivateKey::generate(2048);
    if (!k) die("RSA key generation failed");
    return *k;
  }
};

const Setup& setup() {
  static const Setup s;
  return s;
}

/// One whole client run against the recorded answers of `t`.
void run_client(const ClientHandshakeConfig& config, const Transcript& t) {
  ClientHandshake client(config);
  SeededEntropy entropy(kClientSeed);
  auto first = client.start(kClientNow, entropy);
  benchmark::DoNotOptimize(first);
  for (std::size_t i : {1u, 3u, 5u}) {
    auto step = client.on_message(t[i], kClientNow, entropy);
    if (!step) die("client replay diverged");
    benchmark::DoNotOptimize(step);
  }
  if (client.state() != ClientState::done) die("client replay did not finish");
}

void BM_ClientHandshake(benchmark::State& state) {
  const Setup& s = setup();
  std::size_t i = 0;
  for (auto _ : state) run_client(s.client_config, s.transcripts[i++ % Setup::kTranscripts]);
}
BENCHMARK(BM_ClientHandshake)->Unit(benchmark::kMillisecond);

void BM_ClientHandshakeFirstTime(benchmark::State& state) {
  // A fresh, empty prime cache per run: Telegram's prime is proven safe every time.
  const Setup& s = setup();
  std::size_t i = 0;
  for (auto _ : state) {
    crypto::DhPrimeCache cache(false);
    ClientHandshakeConfig config = s.client_config;
    config.prime_cache = &cache;
    run_client(config, s.transcripts[i++ % Setup::kTranscripts]);
  }
}
BENCHMARK(BM_ClientHandshakeFirstTime)->Unit(benchmark::kMillisecond);

void BM_ServerHandshake(benchmark::State& state) {
  const Setup& s = setup();
  std::size_t n = 0;
  for (auto _ : state) {
    const std::size_t which = n++ % Setup::kTranscripts;
    ServerHandshake server(s.server_config);
    SeededEntropy entropy(kServerSeed + which);
    for (std::size_t i : {0u, 2u, 4u}) {
      auto step = server.on_message(s.transcripts[which][i], kServerNow, entropy);
      if (!step) die("server replay diverged");
      benchmark::DoNotOptimize(step);
    }
    if (server.state() != ServerState::done) die("server replay did not finish");
  }
}
BENCHMARK(BM_ServerHandshake)->Unit(benchmark::kMillisecond);

// ---- per step (a copy of the state before the step, then the step) ----

/// Entropy positioned where the recording was before `step` of that side: replays the draws.
SeededEntropy entropy_before(bool client, std::size_t step) {
  const Setup& s = setup();
  SeededEntropy e(client ? kClientSeed : kServerSeed);
  if (client) {
    ClientHandshake c(s.client_config);
    (void)c.start(kClientNow, e);
    for (std::size_t i = 0; i < step; ++i) (void)c.on_message(s.transcripts[0][1 + 2 * i], kClientNow, e);
  } else {
    ServerHandshake sv(s.server_config);
    for (std::size_t i = 0; i < step; ++i) (void)sv.on_message(s.transcripts[0][2 * i], kServerNow, e);
  }
  return e;
}

void BM_ClientStep(benchmark::State& state) {
  const Setup& s = setup();
  const auto step = static_cast<std::size_t>(state.range(0));
  const SeededEntropy start = entropy_before(true, step);
  for (auto _ : state) {
    ClientHandshake client = s.client_before[step];
    SeededEntropy entropy = start;
    auto r = client.on_message(s.transcripts[0][1 + 2 * step], kClientNow, entropy);
    if (!r) die("client step diverged");
    benchmark::DoNotOptimize(r);
  }
  static const char* const kNames[] = {"resPQ -> req_DH_params", "server_DH_params_ok -> set_client_DH_params",
                                       "dh_gen_ok -> key"};
  state.SetLabel(kNames[step]);
}
BENCHMARK(BM_ClientStep)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

void BM_ServerStep(benchmark::State& state) {
  const Setup& s = setup();
  const auto step = static_cast<std::size_t>(state.range(0));
  const SeededEntropy start = entropy_before(false, step);
  for (auto _ : state) {
    ServerHandshake server = s.server_before[step];
    SeededEntropy entropy = start;
    auto r = server.on_message(s.transcripts[0][2 * step], kServerNow, entropy);
    if (!r) die("server step diverged");
    benchmark::DoNotOptimize(r);
  }
  static const char* const kNames[] = {"req_pq_multi -> resPQ", "req_DH_params -> server_DH_params_ok",
                                       "set_client_DH_params -> dh_gen_ok"};
  state.SetLabel(kNames[step]);
}
BENCHMARK(BM_ServerStep)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

// ---- the crypto operations the steps are made of, for reading the figures above ----

void BM_PartFactorizePq(benchmark::State& state) {
  // The recorded pqs (products of two random 32-bit primes, as the server picks them), in turn.
  // resPQ: 20-byte header, constructor, nonce, server_nonce, then pq's length byte and 8 bytes.
  std::vector<std::uint64_t> pqs;
  for (const Transcript& t : setup().transcripts) {
    auto pq = crypto::uint64_from_be(ByteView(t[1]).subspan(20 + 36 + 1, 8));
    if (!pq) die("pq");
    pqs.push_back(*pq);
  }
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(crypto::factorize_pq(pqs[i++ % pqs.size()]));
}
BENCHMARK(BM_PartFactorizePq)->Unit(benchmark::kMicrosecond);

void BM_PartRsaPadEncrypt(benchmark::State& state) {
  const auto key = setup().key.public_key();
  SeededEntropy e(5);
  Bytes data(100, 0x42);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::rsa_pad_encrypt(key, data, e));
}
BENCHMARK(BM_PartRsaPadEncrypt)->Unit(benchmark::kMicrosecond);

void BM_PartRsaPadDecrypt(benchmark::State& state) {
  SeededEntropy e(6);
  Bytes data(100, 0x42);
  auto encrypted = crypto::rsa_pad_encrypt(setup().key.public_key(), data, e);
  if (!encrypted) die("rsa_pad_encrypt");
  for (auto _ : state) benchmark::DoNotOptimize(crypto::rsa_pad_decrypt(setup().key, *encrypted));
}
BENCHMARK(BM_PartRsaPadDecrypt)->Unit(benchmark::kMicrosecond);

void BM_PartDhPowG(benchmark::State& state) {
  crypto::DhValue b;
  SeededEntropy(7).fill({b.data(), b.size()});
  const auto& p = crypto::telegram_dh_prime();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::dh_pow_g(3, b.view(), p.view()));
}
BENCHMARK(BM_PartDhPowG)->Unit(benchmark::kMicrosecond);

void BM_PartDhModExp(benchmark::State& state) {
  crypto::DhValue b;
  SeededEntropy(8).fill({b.data(), b.size()});
  const auto& p = crypto::telegram_dh_prime();
  auto g_a = crypto::dh_pow_g(3, b.view(), p.view());
  if (!g_a) die("dh_pow_g");
  for (auto _ : state) benchmark::DoNotOptimize(crypto::dh_mod_exp(g_a->view(), b.view(), p.view()));
}
BENCHMARK(BM_PartDhModExp)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
