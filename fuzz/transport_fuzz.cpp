// Fuzzes the transport codecs: the input, cut into chunks chosen by the input itself, goes to a
// server codec of every kind (no secret: detection of every transport; plain, dd and ee secrets)
// and to a client codec of every transport; whatever happens, errors must be final and the
// receive buffer bounded. Then the input, read as packets, must survive a client → server →
// client round trip through every configuration under the same chunking.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "telepp/mtproto/transport/codec.hpp"

namespace {

using namespace telepp;
using namespace telepp::mtproto::transport;

constexpr std::size_t kMaxFrame = 1 << 16;
const Time kNow = from_unix_seconds(1'750'000'000);

// Deterministic entropy for reproducible runs.
class SplitMix final : public Entropy {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  void fill(MutableByteView out) override {
    for (auto& b : out) b = static_cast<Byte>(next() >> 24);
  }
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

[[noreturn]] void bug() { std::abort(); }

ProxySecret make_secret(ProxySecret::Kind kind) {
  ProxySecret s;
  s.kind = kind;
  s.key.fill(0x5a);
  if (kind == ProxySecret::Kind::fake_tls) s.domain = "fuzz.example";
  return s;
}

struct Config {
  ClientOptions client;
  ServerOptions server;
};

std::vector<Config> configs() {
  std::vector<Config> v;
  for (auto p : {Protocol::abridged, Protocol::intermediate, Protocol::padded_intermediate, Protocol::full}) {
    Config c;
    c.client.protocol = p;
    v.push_back(c);
    if (p == Protocol::full) continue;
    c.client.obfuscated = true;
    v.push_back(c);
    c.client.secret = c.server.secret = make_secret(ProxySecret::Kind::plain);
    v.push_back(c);
  }
  for (auto kind : {ProxySecret::Kind::padded, ProxySecret::Kind::fake_tls}) {
    Config c;
    c.client.secret = c.server.secret = make_secret(kind);
    c.client.tls_record_payload = 37;
    v.push_back(c);
  }
  for (auto& c : v) c.client.max_frame_size = c.server.max_frame_size = kMaxFrame;
  return v;
}

struct Collected {
  std::vector<Bytes> frames;
  std::vector<Bytes> replies;
  bool failed = false;
};

// Feeds `data` in chunks drawn from `chunks`, unpacking after each.
Collected run(Codec& c, telepp::ByteView data, SplitMix chunks) {
  Collected out;
  auto drain = [&] {
    for (;;) {
      auto r = c.unpack();
      if (!r.ok()) {
        auto again = c.unpack();  // errors are final
        if (again.ok() || again.error().code != r.error().code) bug();
        out.failed = true;
        return;
      }
      if (std::holds_alternative<NeedMoreBytes>(*r)) {
        if (std::get<NeedMoreBytes>(*r).at_least == 0) bug();
        return;
      }
      if (auto* f = std::get_if<Frame>(&*r)) {
        if (f->payload.size() > kMaxFrame) bug();
        out.frames.emplace_back(f->payload.begin(), f->payload.end());
      }
      if (auto* h = std::get_if<HandshakeReply>(&*r)) out.replies.push_back(h->bytes);
    }
  };
  while (!data.empty() && !out.failed) {
    const std::size_t want = 1 + chunks.next() % 700;
    auto room = c.prepare(want);
    if (room.empty()) bug();  // drained, so there must be room
    const std::size_t n = std::min(room.size(), data.size());
    std::memcpy(room.data(), data.data(), n);
    c.commit(n);
    data = data.subspan(n);
    if (c.buffered() > kMaxFrame + 64 * 1024) bug();
    drain();
  }
  if (!out.failed) drain();
  return out;
}

Bytes pack(Codec& c, telepp::ByteView payload) {
  Buffer b(c.headroom(), payload.size());
  b.append(payload);
  c.pack(b);
  return b.to_bytes();
}

// Packets from the input: a length byte, then that many 16-byte blocks behind a 24-byte header
// (the shape padded intermediate can recover), filled from the input.
std::vector<Bytes> packets_of(telepp::ByteView data) {
  std::vector<Bytes> out;
  while (!data.empty() && out.size() < 8) {
    const std::size_t blocks = data[0] % 40;
    data = data.subspan(1);
    Bytes p(24 + 16 * blocks, 0x11);
    const std::size_t n = std::min(p.size(), data.size());
    std::memcpy(p.data(), data.data(), n);
    data = data.subspan(n);
    p[0] |= 1;  // a nonzero auth_key_id
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const telepp::ByteView input(data, size);
  std::uint64_t seed = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(size, 8); ++i) seed = seed << 8 | data[i];
  static const std::vector<Config> all = configs();

  // Hostile bytes, to both roles of every configuration.
  for (const auto& cfg : all) {
    SplitMix ce(1), se(2);
    auto server = Codec::server(cfg.server, se, kNow);
    (void)run(server, input, SplitMix(seed));
    auto client = Codec::client(cfg.client, ce, kNow);
    if (!client.ok()) bug();
    (void)run(*client, input, SplitMix(seed + 1));
  }

  // Round trips of packets made from the input.
  const auto packets = packets_of(input);
  for (const auto& cfg : all) {
    SplitMix ce(3), se(4);
    auto client = Codec::client(cfg.client, ce, kNow);
    if (!client.ok()) bug();
    auto server = Codec::server(cfg.server, se, kNow);
    Bytes wire;
    for (const auto& p : packets) {
      Bytes w = pack(*client, p);
      wire.insert(wire.end(), w.begin(), w.end());
    }
    auto got = run(server, wire, SplitMix(seed + 2));
    if (got.failed || got.frames != packets) bug();
    if (packets.empty()) continue;
    Bytes back;
    for (const auto& r : got.replies) back.insert(back.end(), r.begin(), r.end());
    for (const auto& p : packets) {
      Bytes w = pack(server, p);
      back.insert(back.end(), w.begin(), w.end());
    }
    auto echoed = run(*client, back, SplitMix(seed + 3));
    if (echoed.failed || echoed.frames != packets) bug();
  }
  return 0;
}
