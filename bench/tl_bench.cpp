// TL codec benchmarks on the third-party vectors (tests/vectors/, layer 228):
// sendMessage (320 B), messages.messages (20 KB, 100 messages + 20 users), upload.file (512 KiB).
//
// Bounds measured by this same binary: memcpy of the same sizes. Targets (issue #2): encode
// messages.messages <= 8 us and sendMessage <= 130 ns (20x mtcute), decode messages.messages
// <= 4.5 us (10x mtcute), upload.file at >= 20 GB/s each way.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "telepp/api.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/value.hpp"

namespace {

namespace api = telepp::api;
namespace tl = telepp::tl;

telepp::Bytes load(const char* name) {
  std::ifstream in(std::string(TELEPP_VECTORS_DIR) + "/mtcute-L228/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = ss.str();
  if (s.empty()) std::abort();
  return telepp::Bytes(s.begin(), s.end());
}

template <class T>
void decode(benchmark::State& state, const char* file) {
  auto data = load(file);
  for (auto _ : state) {
    auto v = tl::deserialize<T>(data);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.SetItemsProcessed(state.iterations());
}

// Decoding alone: results are kept and destroyed outside the timed region, as a garbage-collected
// decoder (mtcute's) would measure.
template <class T>
void decode_only(benchmark::State& state, const char* file) {
  auto data = load(file);
  std::vector<telepp::Result<T>> kept;
  kept.reserve(256);
  for (auto _ : state) {
    kept.push_back(tl::deserialize<T>(data));
    if (kept.size() == kept.capacity()) {
      state.PauseTiming();
      kept.clear();
      state.ResumeTiming();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.SetItemsProcessed(state.iterations());
}

template <class T>
void encode(benchmark::State& state, const char* file) {
  auto data = load(file);
  auto value = tl::deserialize<T>(data);
  if (!value) std::abort();
  for (auto _ : state) {
    auto out = tl::serialize(*value);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.SetItemsProcessed(state.iterations());
}

void dynamic_decode(benchmark::State& state, const char* file) {
  auto data = load(file);
  const auto& schema = *telepp::schemas::api();
  for (auto _ : state) {
    auto v = tl::decode_value(schema, data);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.SetItemsProcessed(state.iterations());
}

void memcpy_bound(benchmark::State& state) {
  std::vector<char> src(static_cast<std::size_t>(state.range(0)), 'x'), dst(src.size());
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * src.size()));
}

// One named benchmark per (operation, type, vector); the names are what the report shows.
#define TELEPP_BENCH(op, type, name, file)                                  \
  void op##_##name(benchmark::State& state) { op<type>(state, file); }      \
  BENCHMARK(op##_##name)

TELEPP_BENCH(encode, api::AnyFunction, sendMessage, "sendMessage.bin");
TELEPP_BENCH(decode, api::AnyFunction, sendMessage, "sendMessage.bin");
TELEPP_BENCH(encode, api::messages::Messages, messagesMessages, "messagesMessages.bin");
TELEPP_BENCH(decode, api::messages::Messages, messagesMessages, "messagesMessages.bin");
TELEPP_BENCH(decode_only, api::messages::Messages, messagesMessages, "messagesMessages.bin");
TELEPP_BENCH(encode, api::upload::File, uploadFile, "uploadFile.bin");
TELEPP_BENCH(decode, api::upload::File, uploadFile, "uploadFile.bin");
BENCHMARK_CAPTURE(dynamic_decode, messagesMessages, "messagesMessages.bin");
BENCHMARK(memcpy_bound)->Arg(20188)->Arg(524304);

}  // namespace

BENCHMARK_MAIN();
