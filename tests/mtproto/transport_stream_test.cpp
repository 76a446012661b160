// Every transport configuration as a byte stream: the same conversation cut at every position,
// fed one byte at a time or in random chunks, must give the same frames; detection waits at
// every prefix; random and mutated input never crashes and never grows the buffer past its bound.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fixed_entropy.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/transport/codec.hpp"

namespace telepp::mtproto::transport {
namespace {

using test::FixedEntropy;

const Time kNow = from_unix_seconds(1'750'000'000);
constexpr std::uint64_t kClientSeed = 11;
constexpr std::uint64_t kServerSeed = 22;

struct Event {
  enum Kind { frame, quick_ack, error, reply } kind;
  Bytes bytes;
  std::int64_t value = 0;
  bool operator==(const Event&) const = default;
};

void PrintTo(const Event& e, std::ostream* os) {
  *os << "{kind " << e.kind << ", " << e.bytes.size() << " bytes, value " << e.value << "}";
}

// Unpacks until more bytes are needed, appending to `out`.
Status drain(Codec& c, std::vector<Event>& out) {
  for (;;) {
    auto r = c.unpack();
    if (!r.ok()) return Failure{r.take_error()};
    if (std::holds_alternative<NeedMoreBytes>(*r)) {
      EXPECT_GE(std::get<NeedMoreBytes>(*r).at_least, 1u);
      return {};
    }
    if (auto* f = std::get_if<Frame>(&*r)) {
      out.push_back({Event::frame, Bytes(f->payload.begin(), f->payload.end()), f->quick_ack_requested});
    } else if (auto* a = std::get_if<QuickAck>(&*r)) {
      out.push_back({Event::quick_ack, {}, a->token});
    } else if (auto* t = std::get_if<TransportError>(&*r)) {
      out.push_back({Event::error, {}, t->code});
    } else if (auto* h = std::get_if<HandshakeReply>(&*r)) {
      out.push_back({Event::reply, h->bytes, 0});
    }
  }
}

// Feeds `bytes` in chunks of the given sizes (cycled), draining after each.
Result<std::vector<Event>> feed_chunked(Codec& c, ByteView bytes, const std::vector<std::size_t>& sizes) {
  std::vector<Event> events;
  std::size_t i = 0;
  while (!bytes.empty()) {
    ByteView chunk = bytes.first(std::min(bytes.size(), sizes[i++ % sizes.size()]));
    while (!chunk.empty()) {
      const std::size_t taken = c.feed(chunk);
      if (taken == 0) return mtproto_fail(MtprotoErrc::closed, "receive buffer full");
      chunk = chunk.subspan(taken);
      bytes = bytes.subspan(taken);
      TELEPP_TRY(drain(c, events));
    }
  }
  TELEPP_TRY(drain(c, events));
  return events;
}

Bytes packet(std::size_t blocks, Byte seed) {
  Bytes b(24 + 16 * blocks);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<Byte>(seed + i * 31);
  b[0] |= 1;
  return b;
}

Bytes plain_packet(std::size_t body) {
  Bytes b(20 + body, 0);
  store_le64(b.data() + 8, 0x5f00000000000004ull);
  store_le32(b.data() + 16, static_cast<std::uint32_t>(body));
  for (std::size_t i = 0; i < body; ++i) b[20 + i] = static_cast<Byte>(i + 3);
  return b;
}

ProxySecret make_secret(ProxySecret::Kind kind) {
  ProxySecret s;
  s.kind = kind;
  for (std::size_t i = 0; i < s.key.size(); ++i) s.key[i] = static_cast<Byte>(0x30 + i);
  if (kind == ProxySecret::Kind::fake_tls) s.domain = "cdn.example.org";
  return s;
}

struct Config {
  std::string name;
  ClientOptions client;
  ServerOptions server;
};

std::vector<Config> all_configs() {
  std::vector<Config> v;
  for (auto p : {Protocol::abridged, Protocol::intermediate, Protocol::padded_intermediate, Protocol::full}) {
    Config c{"plain " + std::string(to_string(p)), {}, {}};
    c.client.protocol = p;
    v.push_back(c);
  }
  for (auto p : {Protocol::abridged, Protocol::intermediate, Protocol::padded_intermediate}) {
    Config c{"obfuscated " + std::string(to_string(p)), {}, {}};
    c.client.protocol = p;
    c.client.obfuscated = true;
    c.client.dc_id = -2;
    v.push_back(c);
    c.name += " with a plain secret";
    c.client.secret = c.server.secret = make_secret(ProxySecret::Kind::plain);
    v.push_back(c);
  }
  Config dd{"dd secret", {}, {}};
  dd.client.secret = dd.server.secret = make_secret(ProxySecret::Kind::padded);
  v.push_back(dd);
  Config ee{"ee secret (fake-TLS)", {}, {}};
  ee.client.secret = ee.server.secret = make_secret(ProxySecret::Kind::fake_tls);
  ee.client.tls_record_payload = 100;  // many small records
  v.push_back(ee);
  // The same clients against a port that is a DC and an MTProxy at once (what `telepp serve
  // --proxy-secret` runs): DC clients must not notice the secret, proxy clients must get it.
  const std::size_t base = v.size();
  for (std::size_t i = 0; i < base; ++i) {
    if (v[i].server.secret) {
      Config both = v[i];
      both.name += ", port also a DC";
      both.server.also_without_secret = true;
      v.push_back(both);
      continue;
    }
    for (auto kind : {ProxySecret::Kind::padded, ProxySecret::Kind::fake_tls}) {
      Config both = v[i];
      both.name += kind == ProxySecret::Kind::padded ? ", port also a dd proxy" : ", port also an ee proxy";
      both.server.secret = make_secret(kind);
      both.server.also_without_secret = true;
      v.push_back(both);
    }
  }
  return v;
}

Bytes packed(Codec& c, ByteView payload, bool quick_ack = false) {
  Buffer b(c.headroom(), payload.size());
  b.append(payload);
  c.pack(b, quick_ack);
  return b.to_bytes();
}

void append(Bytes& to, ByteView b) { to.insert(to.end(), b.begin(), b.end()); }

// One conversation: what the client writes, what the server writes, and what each side reads.
struct Conversation {
  Bytes to_server, to_client;
  std::vector<Event> server_reads, client_reads;
};

Conversation converse(const Config& cfg, bool small = false) {
  FixedEntropy ce(kClientSeed), se(kServerSeed);
  auto client = Codec::client(cfg.client, ce, kNow).value();
  auto server = Codec::server(cfg.server, se, kNow);
  Conversation conv;
  const bool full = client.protocol() == Protocol::full;
  // Client → server: sizes around the abridged 0x7f boundary, quick-ack requests, a plain packet.
  std::vector<std::pair<Bytes, bool>> outgoing = {
      {packet(1, 1), false}, {packet(30, 2), !full}, {packet(31, 3), false}, {plain_packet(8), !full}};
  if (!small) outgoing.push_back({packet(300, 4), false});
  for (auto& [payload, ack] : outgoing) {
    append(conv.to_server, packed(client, payload, ack));
    conv.server_reads.push_back({Event::frame, payload, ack});
  }
  // The server reads it whole (reference); its TLS answer goes first on the way back.
  std::vector<Event> got;
  auto status = [&]() -> Status {
    ByteView rest = conv.to_server;
    while (!rest.empty()) {
      rest = rest.subspan(server.feed(rest));
      TELEPP_TRY(drain(server, got));
    }
    return Status{};
  }();
  EXPECT_TRUE(status.ok()) << cfg.name << ": " << status.error().to_string();
  if (!got.empty() && got.front().kind == Event::reply) {
    append(conv.to_client, got.front().bytes);
    conv.server_reads.insert(conv.server_reads.begin(), got.front());
  }
  EXPECT_EQ(got, conv.server_reads) << cfg.name;

  // Server → client: frames, a quick ack, transport errors.
  append(conv.to_client, packed(server, packet(2, 5)));
  conv.client_reads.push_back({Event::frame, packet(2, 5), 0});
  Buffer out;
  if (server.pack_quick_ack(out, 0x0badf00d)) {
    append(conv.to_client, out.to_bytes());
    conv.client_reads.push_back({Event::quick_ack, {}, 0x8badf00d});
  }
  append(conv.to_client, packed(server, packet(40, 6)));
  conv.client_reads.push_back({Event::frame, packet(40, 6), 0});
  for (std::int32_t code : {kErrorAuthKeyNotFound, kErrorFlood, kErrorInvalidDc}) {
    server.pack_transport_error(out, code);
    append(conv.to_client, out.to_bytes());
    conv.client_reads.push_back({Event::error, {}, code});
  }
  append(conv.to_client, packed(server, plain_packet(12)));
  conv.client_reads.push_back({Event::frame, plain_packet(12), 0});
  if (!small) {
    append(conv.to_client, packed(server, packet(1000, 7)));
    conv.client_reads.push_back({Event::frame, packet(1000, 7), 0});
  }
  return conv;
}

// A fresh codec in the same state as the conversation's (same options, same entropy).
struct Fresh {
  FixedEntropy ce{kClientSeed}, se{kServerSeed};
  Codec client;
  Codec server;
  explicit Fresh(const Config& cfg)
      : client(Codec::client(cfg.client, ce, kNow).value()), server(Codec::server(cfg.server, se, kNow)) {}
};

std::vector<std::size_t> random_sizes(std::uint64_t seed, std::size_t max) {
  FixedEntropy e(seed);
  std::vector<std::size_t> sizes(257);
  for (auto& s : sizes) {
    Byte b[2];
    e.fill(b);
    s = 1 + (b[0] | (b[1] << 8)) % max;
  }
  return sizes;
}

TEST(TransportStream, EveryConfigurationGivesTheSameFramesUnderAnySplit) {
  for (const auto& cfg : all_configs()) {
    SCOPED_TRACE(cfg.name);
    const Conversation conv = converse(cfg);
    std::vector<std::vector<std::size_t>> splits = {{conv.to_server.size() + conv.to_client.size()}, {1}, {2, 3}, {7}};
    for (std::uint64_t seed = 1; seed <= 6; ++seed) splits.push_back(random_sizes(seed, seed < 4 ? 64 : 5000));
    for (const auto& sizes : splits) {
      SCOPED_TRACE("first chunk " + std::to_string(sizes[0]));
      Fresh f(cfg);
      auto server_got = feed_chunked(f.server, conv.to_server, sizes);
      ASSERT_TRUE(server_got.ok()) << server_got.error().to_string();
      EXPECT_EQ(*server_got, conv.server_reads);
      // Quick acks ask for nothing of the frames' content, so checking the flag is enough here.
      auto client_got = feed_chunked(f.client, conv.to_client, sizes);
      ASSERT_TRUE(client_got.ok()) << client_got.error().to_string();
      EXPECT_EQ(*client_got, conv.client_reads);
      EXPECT_EQ(f.server.buffered(), 0u);
      EXPECT_EQ(f.client.buffered(), 0u);
    }
  }
}

TEST(TransportStream, NeedMoreBytesAtEveryCut) {
  for (const auto& cfg : all_configs()) {
    SCOPED_TRACE(cfg.name);
    const Conversation conv = converse(cfg, true);
    for (bool to_server : {true, false}) {
      const Bytes& wire = to_server ? conv.to_server : conv.to_client;
      const auto& expected = to_server ? conv.server_reads : conv.client_reads;
      for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        Fresh f(cfg);
        Codec& c = to_server ? f.server : f.client;
        auto head = feed_chunked(c, ByteView(wire).first(cut), {wire.size() + 1});
        ASSERT_TRUE(head.ok()) << "cut " << cut << ": " << head.error().to_string();
        ASSERT_LE(head->size(), expected.size());
        EXPECT_TRUE(std::equal(head->begin(), head->end(), expected.begin())) << "cut " << cut;
        auto tail = feed_chunked(c, ByteView(wire).subspan(cut), {wire.size() + 1});
        ASSERT_TRUE(tail.ok()) << "cut " << cut << ": " << tail.error().to_string();
        head->insert(head->end(), tail->begin(), tail->end());
        ASSERT_EQ(*head, expected) << "cut " << cut;
      }
    }
  }
}

TEST(TransportStream, DetectionWaitsAtEveryPrefix) {
  for (const auto& cfg : all_configs()) {
    SCOPED_TRACE(cfg.name);
    FixedEntropy ce(kClientSeed);
    auto client = Codec::client(cfg.client, ce, kNow).value();
    const Bytes first = packed(client, packet(1, 9));
    bool ready_seen = false;
    for (std::size_t n = 0; n < first.size(); ++n) {
      FixedEntropy se(kServerSeed);
      auto server = Codec::server(cfg.server, se, kNow);
      std::vector<Event> events;
      ASSERT_EQ(server.feed(ByteView(first).first(n)), n);
      auto st = drain(server, events);
      ASSERT_TRUE(st.ok()) << "prefix " << n << ": " << st.error().to_string();
      for (const auto& e : events) EXPECT_NE(e.kind, Event::frame) << "prefix " << n;
      EXPECT_EQ(server.rejection(), Rejection::none);
      if (server.ready()) ready_seen = true;
      // Once detected, it stays detected for longer prefixes (monotone), and no frame is early.
      if (ready_seen) {
        EXPECT_TRUE(server.ready()) << "prefix " << n;
      }
    }
    FixedEntropy se(kServerSeed);
    auto server = Codec::server(cfg.server, se, kNow);
    std::vector<Event> events;
    ASSERT_EQ(server.feed(first), first.size());
    ASSERT_TRUE(drain(server, events).ok());
    EXPECT_TRUE(server.ready());
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back(), (Event{Event::frame, packet(1, 9), 0}));
    EXPECT_EQ(server.protocol(), client.protocol());
    EXPECT_EQ(server.obfuscated(), client.obfuscated());
    EXPECT_EQ(server.fake_tls(), client.fake_tls());
  }
}

TEST(TransportStream, HostileInputNeverCrashes) {
  std::vector<Config> configs = all_configs();
  FixedEntropy noise(2024);
  for (int round = 0; round < 300; ++round) {
    Bytes junk(1 + round * 7 % 3000);
    noise.fill(junk);
    // Sometimes start like a real protocol so the deeper paths get random input too.
    static const Bytes starts[] = {{0xef}, {0xee, 0xee, 0xee, 0xee}, {0xdd, 0xdd, 0xdd, 0xdd}, {0x16, 0x03, 0x01, 0x02, 0x00}};
    const Bytes& start = starts[round % 5 == 4 ? 0 : round % 4];
    if (round % 5 != 4) std::copy_n(start.begin(), std::min(start.size(), junk.size()), junk.begin());
    for (const auto& cfg : configs) {
      for (bool server_side : {true, false}) {
        FixedEntropy ce(kClientSeed), se(kServerSeed);
        ServerOptions so = cfg.server;
        so.max_frame_size = 4096;
        ClientOptions co = cfg.client;
        co.max_frame_size = 4096;
        auto client = Codec::client(co, ce, kNow).value();
        auto server = Codec::server(so, se, kNow);
        Codec& c = server_side ? server : client;
        auto r = feed_chunked(c, junk, random_sizes(static_cast<std::uint64_t>(round), 300));
        if (!r.ok()) {
          // Errors are final and repeat.
          auto again = c.unpack();
          ASSERT_FALSE(again.ok());
          EXPECT_EQ(again.error().code, r.error().code);
        }
        EXPECT_LE(c.buffered(), std::size_t{4096} + 64 * 1024);
      }
    }
  }
}

TEST(TransportStream, MutatedConversationsNeverCrash) {
  for (const auto& cfg : all_configs()) {
    SCOPED_TRACE(cfg.name);
    const Conversation conv = converse(cfg, true);
    FixedEntropy noise(7);
    for (int i = 0; i < 200; ++i) {
      for (bool to_server : {true, false}) {
        Bytes wire = to_server ? conv.to_server : conv.to_client;
        Byte r[4];
        noise.fill(r);
        const std::size_t at = (r[0] | (r[1] << 8) | (std::size_t{r[2]} << 16)) % wire.size();
        wire[at] ^= static_cast<Byte>(1 + r[3] % 255);
        if (i % 3 == 0) wire.resize(at + 1);  // and sometimes cut it there
        Fresh f(cfg);
        (void)feed_chunked(to_server ? f.server : f.client, wire, random_sizes(static_cast<std::uint64_t>(i), 200));
      }
    }
  }
}

TEST(TransportStream, ReceiveBufferStaysBoundedUnderFloods) {
  constexpr std::size_t kMax = 1024;
  ClientOptions co;
  co.protocol = Protocol::intermediate;
  co.max_frame_size = kMax;
  FixedEntropy ce, se;
  auto client = Codec::client(co, ce, kNow).value();
  ServerOptions so;
  so.max_frame_size = kMax;
  auto server = Codec::server(so, se, kNow);
  // 4 MiB of frames offered in one go: the server takes what fits, is drained, takes more.
  Bytes flood;
  const Bytes p = packet(60, 1);  // 984 bytes
  while (flood.size() < (std::size_t{4} << 20)) append(flood, packed(client, p));
  ByteView rest = flood;
  std::size_t frames = 0;
  while (!rest.empty()) {
    const std::size_t taken = server.feed(rest);
    ASSERT_GT(taken, 0u);
    EXPECT_LE(server.buffered(), kMax + 64 * 1024);
    rest = rest.subspan(taken);
    std::vector<Event> events;
    ASSERT_TRUE(drain(server, events).ok());
    frames += events.size();
    for (const auto& e : events) ASSERT_EQ(e.bytes, p);
  }
  EXPECT_EQ(frames * (p.size() + 4) + 4, flood.size());
}

TEST(TransportStream, PackStaysInPlaceWithTheRoomItAsksFor) {
  for (const auto& cfg : all_configs()) {
    SCOPED_TRACE(cfg.name);
    FixedEntropy ce(kClientSeed);
    auto client = Codec::client(cfg.client, ce, kNow).value();
    for (std::size_t blocks : {1u, 300u, 1u}) {
      const Bytes p = packet(blocks, 3);
      Buffer b(client.headroom(), p.size() + client.tailroom(p.size()));
      b.append(p);
      const Byte* block = b.data() - b.headroom();
      client.pack(b);
      EXPECT_EQ(b.data() - b.headroom(), block) << "reallocated for " << p.size() << " bytes";
    }
  }
}

TEST(TransportStream, FramesFromOneFeedStayValidTogether) {
  ClientOptions co;
  co.secret = make_secret(ProxySecret::Kind::fake_tls);
  co.tls_record_payload = 50;
  FixedEntropy ce, se;
  auto client = Codec::client(co, ce, kNow).value();
  ServerOptions so;
  so.secret = co.secret;
  auto server = Codec::server(so, se, kNow);
  Bytes wire;
  for (Byte i = 1; i <= 5; ++i) append(wire, packed(client, packet(i, i)));
  ASSERT_EQ(server.feed(wire), wire.size());
  std::vector<MutableByteView> views;
  for (;;) {
    auto r = server.unpack();
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    if (std::holds_alternative<NeedMoreBytes>(*r)) break;
    if (auto* f = std::get_if<Frame>(&*r)) views.push_back(f->payload);
  }
  ASSERT_EQ(views.size(), 5u);
  for (Byte i = 1; i <= 5; ++i) {
    const Bytes expected = packet(i, i);
    EXPECT_TRUE(std::equal(views[i - 1].begin(), views[i - 1].end(), expected.begin(), expected.end())) << int(i);
  }
}

// An idle server connection frees its receive buffer between reads: the stream (framing,
// obfuscation, TLS records cut anywhere) must carry on as if nothing happened.
TEST(TransportStream, ReleasingTheIdleReceiveBufferChangesNoFrame) {
  auto feed_releasing = [](Codec& c, ByteView bytes, const std::vector<std::size_t>& sizes) -> Result<std::vector<Event>> {
    std::vector<Event> events;
    std::size_t i = 0;
    while (!bytes.empty()) {
      const std::size_t taken = c.feed(bytes.first(std::min(bytes.size(), sizes[i++ % sizes.size()])));
      if (taken == 0) return mtproto_fail(MtprotoErrc::closed, "receive buffer full");
      bytes = bytes.subspan(taken);
      TELEPP_TRY(drain(c, events));
      const bool idle = c.buffered() == 0;
      EXPECT_EQ(c.release_receive_buffer(), idle);
      if (idle) {
        EXPECT_EQ(c.receive_capacity(), 0u);
      }
    }
    return events;
  };
  for (const auto& cfg : all_configs()) {
    SCOPED_TRACE(cfg.name);
    const Conversation conv = converse(cfg);
    for (std::uint64_t seed : {1, 2, 5}) {
      Fresh f(cfg);
      const auto sizes = random_sizes(seed, seed < 4 ? 64 : 5000);
      auto server_got = feed_releasing(f.server, conv.to_server, sizes);
      ASSERT_TRUE(server_got.ok()) << server_got.error().to_string();
      EXPECT_EQ(*server_got, conv.server_reads);
      auto client_got = feed_releasing(f.client, conv.to_client, sizes);
      ASSERT_TRUE(client_got.ok()) << client_got.error().to_string();
      EXPECT_EQ(*client_got, conv.client_reads);
    }
  }
}

TEST(TransportStream, APortServingBothStillRefusesAWrongSecret) {
  ServerOptions server;
  server.secret = make_secret(ProxySecret::Kind::plain);
  server.also_without_secret = true;
  ClientOptions client;
  client.protocol = Protocol::intermediate;
  client.secret = make_secret(ProxySecret::Kind::plain);
  client.secret->key[0] ^= 1;
  FixedEntropy ce(kClientSeed), se(kServerSeed);
  auto c = Codec::client(client, ce, kNow).value();
  auto s = Codec::server(server, se, kNow);
  Bytes wire = packed(c, packet(10, 1));
  s.feed(wire);
  std::vector<Event> got;
  auto status = drain(s, got);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(s.rejection(), Rejection::bad_protocol_tag);
}

}  // namespace
}  // namespace telepp::mtproto::transport
