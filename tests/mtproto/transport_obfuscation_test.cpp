// obfuscated2 and fake-TLS: the init against the spec's pseudocode
// (https://core.telegram.org/mtproto/mtproto-transports#transport-obfuscation) recomputed here
// with the crypto primitives, the forbidden-prefix rule, the TLS hello and answer, and every
// rejection the server makes (wrong secret, bad HMAC, stale time, wrong domain, replay).
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

#include "support/fixed_entropy.hpp"
#include "support/support.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/crypto/aes_ctr.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/crypto/hmac.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/transport/codec.hpp"

namespace telepp::mtproto::transport {
namespace {

using test::FixedEntropy;
using test::hex;

const Time kNow = from_unix_seconds(1'750'000'000);
const char kDomain[] = "www.example.com";

class ScriptedEntropy final : public Entropy {
 public:
  explicit ScriptedEntropy(Bytes script) : script_(script.begin(), script.end()) {}
  void fill(MutableByteView out) override {
    for (auto& b : out) {
      if (!script_.empty()) {
        b = script_.front();
        script_.pop_front();
      } else {
        rest_.fill({&b, 1});
      }
    }
  }

 private:
  std::deque<Byte> script_;
  FixedEntropy rest_{99};
};

ProxySecret secret(ProxySecret::Kind kind, Byte fill = 0x99, std::string domain = kDomain) {
  ProxySecret s;
  s.kind = kind;
  s.key.fill(fill);
  if (kind == ProxySecret::Kind::fake_tls) s.domain = std::move(domain);
  return s;
}

// An encrypted-looking MTProto packet: auth_key_id, msg_key, whole blocks.
Bytes packet(std::size_t blocks, Byte seed = 1) {
  Bytes b(24 + 16 * blocks);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<Byte>(seed + i * 31);
  b[0] |= 1;  // a nonzero auth_key_id
  return b;
}

struct Event {
  enum Kind { frame, quick_ack, error, reply } kind;
  Bytes bytes;
  std::int64_t value = 0;
  bool operator==(const Event&) const = default;
};

// Unpacks until more bytes are needed.
Result<std::vector<Event>> drain(Codec& c) {
  std::vector<Event> out;
  for (;;) {
    auto r = c.unpack();
    if (!r.ok()) return Failure{r.take_error()};
    if (std::holds_alternative<NeedMoreBytes>(*r)) return out;
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

Result<std::vector<Event>> deliver(Codec& c, ByteView bytes) {
  std::vector<Event> all;
  while (!bytes.empty()) {
    const std::size_t taken = c.feed(bytes);
    EXPECT_GT(taken, 0u) << "receive buffer full";
    if (taken == 0) return all;
    bytes = bytes.subspan(taken);
    auto events = drain(c);
    if (!events.ok()) return events;
    all.insert(all.end(), events->begin(), events->end());
  }
  if (all.empty()) return drain(c);
  return all;
}

Bytes packed(Codec& c, ByteView payload, bool quick_ack = false) {
  Buffer b(c.headroom(), payload.size());
  b.append(payload);
  c.pack(b, quick_ack);
  return b.to_bytes();
}

// A client and a server codec wired back to back; TLS answers are passed on automatically.
struct Link {
  FixedEntropy client_entropy{11};
  FixedEntropy server_entropy{22};
  std::optional<Codec> client;
  std::optional<Codec> server;

  Link(const ClientOptions& co, const ServerOptions& so, Time client_now = kNow, Time server_now = kNow) {
    auto c = Codec::client(co, client_entropy, client_now);
    EXPECT_TRUE(c.ok()) << c.error().to_string();
    client.emplace(std::move(c).value());
    server.emplace(Codec::server(so, server_entropy, server_now));
  }
  Result<std::vector<Event>> to_server(ByteView payload, bool quick_ack = false) {
    auto events = deliver(*server, packed(*client, payload, quick_ack));
    if (!events.ok()) return events;
    std::vector<Event> frames;
    for (auto& e : *events) {
      if (e.kind == Event::reply) {
        auto back = deliver(*client, e.bytes);
        if (!back.ok()) return back;
        EXPECT_TRUE(back->empty());
      } else {
        frames.push_back(std::move(e));
      }
    }
    return frames;
  }
  Result<std::vector<Event>> to_client(ByteView payload) { return deliver(*client, packed(*server, payload)); }
};

std::vector<Event> frames_of(std::initializer_list<Bytes> payloads, bool quick_ack = false) {
  std::vector<Event> v;
  for (const auto& p : payloads) v.push_back({Event::frame, p, quick_ack});
  return v;
}

// --- obfuscated2 ---

TEST(TransportObfuscation, InitRedrawsForbiddenPrefixes) {
  const Bytes forbidden_starts[] = {
      hex("ef000000 01000000"), hex("47455420 01000000") /* GET  */, hex("48454144 01000000") /* HEAD */,
      hex("504f5354 01000000") /* POST */, hex("4f505449 01000000") /* OPTI */, hex("16030102 01000000"),
      hex("dddddddd 01000000"), hex("eeeeeeee 01000000"), hex("01020304 00000000") /* full, seq 0 */,
  };
  Bytes script;
  for (const auto& start : forbidden_starts) {
    EXPECT_TRUE(is_forbidden_init_prefix(start)) << to_hex(start);
    Bytes draw(kObfuscationInitSize, 0x5a);
    std::copy(start.begin(), start.end(), draw.begin());
    script.insert(script.end(), draw.begin(), draw.end());
  }
  Bytes good(kObfuscationInitSize);
  for (std::size_t i = 0; i < good.size(); ++i) good[i] = static_cast<Byte>(0x40 + i);
  script.insert(script.end(), good.begin(), good.end());
  ScriptedEntropy e(script);
  auto init = make_obfuscation_init(Protocol::padded_intermediate, -4, e);
  // Every forbidden draw was dropped; the first allowed one is used, tag and DC id written in.
  EXPECT_TRUE(std::equal(init.begin(), init.begin() + 56, good.begin()));
  EXPECT_EQ(Bytes(init.begin() + 56, init.begin() + 62), hex("dddddddd fcff"));
  EXPECT_EQ(Bytes(init.begin() + 62, init.end()), Bytes(good.begin() + 62, good.end()));

  // Near misses are allowed.
  EXPECT_FALSE(is_forbidden_init_prefix(hex("47455421 01000000")));
  EXPECT_FALSE(is_forbidden_init_prefix(hex("16030103 01000000")));
  EXPECT_FALSE(is_forbidden_init_prefix(hex("01020304 00000001")));
  EXPECT_FALSE(is_forbidden_init_prefix(hex("eeeeeeef 01000000")));

  FixedEntropy fe;
  for (int i = 0; i < 5000; ++i) {
    auto x = make_obfuscation_init(Protocol::abridged, 0, fe);
    ASSERT_FALSE(is_forbidden_init_prefix(x));
    ASSERT_EQ(load_le32(x.data() + 56), 0xefefefefu);
  }
}

TEST(TransportObfuscation, KeysFollowTheSpec) {
  ObfuscationInit init;
  for (std::size_t i = 0; i < init.size(); ++i) init[i] = static_cast<Byte>(i);
  auto fwd = obfuscation_keys_client_to_server(init, {});
  auto bwd = obfuscation_keys_server_to_client(init, {});
  for (std::size_t i = 0; i < 32; ++i) {
    EXPECT_EQ(fwd.key.bytes[i], 8 + i);
    EXPECT_EQ(bwd.key.bytes[i], 63 - 8 - i);  // reversed init, bytes 8..40
  }
  for (std::size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(fwd.iv.bytes[i], 40 + i);
    EXPECT_EQ(bwd.iv.bytes[i], 63 - 40 - i);
  }
  const Bytes key = hex("99999999999999999999999999999999");
  auto fwd_s = obfuscation_keys_client_to_server(init, key);
  EXPECT_EQ(fwd_s.key.view().size(), 32u);
  EXPECT_EQ(fwd_s.key, crypto::sha256({fwd.key.view(), ByteView(key)}));
  EXPECT_EQ(fwd_s.iv, fwd.iv);  // the secret changes keys only
  EXPECT_EQ(obfuscation_keys_server_to_client(init, key).key, crypto::sha256({bwd.key.view(), ByteView(key)}));
}

TEST(TransportObfuscation, ClientInitMatchesTheSpecPseudocode) {
  // The spec's example: padded intermediate to media DC 4 through an MTProxy with a dd secret.
  auto dd = ProxySecret::from_string("dd99999999999999999999999999999999").value();
  ClientOptions o;
  o.protocol = Protocol::abridged;  // overridden: dd forces padded intermediate
  o.secret = dd;
  o.dc_id = -4;
  FixedEntropy e(5);
  auto c = Codec::client(o, e, kNow).value();
  EXPECT_EQ(c.protocol(), Protocol::padded_intermediate);
  Buffer pre;
  ASSERT_TRUE(c.pack_preamble(pre));
  ASSERT_EQ(pre.size(), 64u);
  Buffer again;
  EXPECT_FALSE(c.pack_preamble(again));  // written once only
  EXPECT_TRUE(again.empty());

  // Recompute: the same entropy gives the same random draws.
  FixedEntropy twin(5);
  ObfuscationInit init;
  do {
    twin.fill(init);
  } while (is_forbidden_init_prefix(init));
  std::copy_n(hex("dddddddd fcff").begin(), 6, init.begin() + 56);
  ObfuscationInit rev;
  std::reverse_copy(init.begin(), init.end(), rev.begin());
  const Bytes s = hex("99999999999999999999999999999999");
  Int256 enc_key, dec_key;
  Int128 enc_iv, dec_iv;
  std::copy_n(init.begin() + 8, 32, enc_key.bytes.begin());
  std::copy_n(init.begin() + 40, 16, enc_iv.bytes.begin());
  std::copy_n(rev.begin() + 8, 32, dec_key.bytes.begin());
  std::copy_n(rev.begin() + 40, 16, dec_iv.bytes.begin());
  enc_key = crypto::sha256({enc_key.view(), ByteView(s)});
  dec_key = crypto::sha256({dec_key.view(), ByteView(s)});
  crypto::AesCtr enc(enc_key, enc_iv);
  ObfuscationInit encrypted = init;
  enc.apply(encrypted);
  Bytes expected(init.begin(), init.begin() + 56);
  expected.insert(expected.end(), encrypted.begin() + 56, encrypted.end());
  EXPECT_EQ(pre.to_bytes(), expected);

  // The first frame continues the same keystream at offset 64.
  auto p = packet(2);
  Bytes wire = packed(c, p);
  enc.apply(MutableByteView(wire));
  EXPECT_EQ(load_le32(wire.data()), wire.size() - 4);  // total length incl. padding
  EXPECT_TRUE(std::equal(p.begin(), p.end(), wire.begin() + 4));

  // And the client decrypts with the reversed init's keys.
  crypto::AesCtr server_enc(dec_key, dec_iv);
  Bytes reply = hex("04000000 01020304");
  server_enc.apply(MutableByteView(reply));
  ASSERT_EQ(c.feed(reply), reply.size());
  auto r = c.unpack();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_TRUE(std::holds_alternative<Frame>(*r));
  EXPECT_EQ(Bytes(std::get<Frame>(*r).payload.begin(), std::get<Frame>(*r).payload.end()), hex("01020304"));
}

TEST(TransportObfuscation, ServerLearnsProtocolAndDcFromTheInit) {
  for (auto p : {Protocol::abridged, Protocol::intermediate, Protocol::padded_intermediate}) {
    for (bool with_secret : {false, true}) {
      SCOPED_TRACE(std::string(to_string(p)) + (with_secret ? " with secret" : ""));
      ClientOptions co;
      co.protocol = p;
      co.obfuscated = true;
      co.dc_id = 10002;  // test DC 2
      ServerOptions so;
      if (with_secret) co.secret = so.secret = secret(ProxySecret::Kind::plain);
      Link link(co, so);
      auto got = link.to_server(packet(1), true);
      ASSERT_TRUE(got.ok()) << got.error().to_string();
      EXPECT_EQ(*got, frames_of({packet(1)}, true));
      EXPECT_TRUE(link.server->obfuscated());
      EXPECT_FALSE(link.server->fake_tls());
      EXPECT_EQ(link.server->protocol(), p);
      EXPECT_EQ(link.server->dc_id(), 10002);
      auto back = link.to_client(packet(3));
      ASSERT_TRUE(back.ok()) << back.error().to_string();
      EXPECT_EQ(*back, frames_of({packet(3)}));
      Buffer ack;
      ASSERT_TRUE(link.server->pack_quick_ack(ack, 0x01020304));
      auto acked = deliver(*link.client, ack.to_bytes());
      ASSERT_TRUE(acked.ok());
      EXPECT_EQ(*acked, (std::vector<Event>{{Event::quick_ack, {}, 0x81020304}}));
    }
  }
}

TEST(TransportObfuscation, ServerRefusesWrongOrMissingSecrets) {
  struct Case {
    const char* name;
    std::optional<ProxySecret> client, server;
    Protocol protocol;
    Rejection expected;
    MtprotoErrc code;
  };
  const Case cases[] = {
      {"wrong key", secret(ProxySecret::Kind::plain, 0x01), secret(ProxySecret::Kind::plain, 0x02),
       Protocol::intermediate, Rejection::bad_protocol_tag, MtprotoErrc::bad_transport_header},
      {"client without secret", std::nullopt, secret(ProxySecret::Kind::plain), Protocol::intermediate,
       Rejection::bad_protocol_tag, MtprotoErrc::bad_transport_header},
      {"server without secret", secret(ProxySecret::Kind::plain), std::nullopt, Protocol::intermediate,
       Rejection::bad_protocol_tag, MtprotoErrc::bad_transport_header},
      {"dd server, not padded", secret(ProxySecret::Kind::plain), secret(ProxySecret::Kind::padded),
       Protocol::intermediate, Rejection::protocol_not_allowed, MtprotoErrc::bad_secret},
      {"ee server, plain obfuscated2", secret(ProxySecret::Kind::padded), secret(ProxySecret::Kind::fake_tls),
       Protocol::padded_intermediate, Rejection::not_tls, MtprotoErrc::bad_transport_header},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    ClientOptions co;
    co.protocol = k.protocol;
    co.obfuscated = true;
    co.secret = k.client;
    ServerOptions so;
    so.secret = k.server;
    Link link(co, so);
    auto r = link.to_server(packet(1));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), k.code)) << r.error().to_string();
    EXPECT_EQ(link.server->rejection(), k.expected);
    EXPECT_FALSE(link.server->ready());
  }
}

TEST(TransportObfuscation, ReplayedInitIsRefused) {
  ReplayCache cache(16);
  ClientOptions co;
  co.secret = secret(ProxySecret::Kind::padded);
  ServerOptions so;
  so.secret = co.secret;
  so.replay_cache = &cache;
  FixedEntropy ce(3), se(4);
  auto client = Codec::client(co, ce, kNow).value();
  Bytes first = packed(client, packet(1));
  auto s1 = Codec::server(so, se, kNow);
  auto ok = deliver(s1, first);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  auto s2 = Codec::server(so, se, kNow);
  auto replayed = deliver(s2, first);
  ASSERT_FALSE(replayed.ok());
  EXPECT_TRUE(is(replayed.error(), MtprotoErrc::bad_secret));
  EXPECT_EQ(s2.rejection(), Rejection::replayed);
}

TEST(TransportObfuscation, FullTransportCannotBeObfuscated) {
  ClientOptions co;
  co.protocol = Protocol::full;
  co.obfuscated = true;
  FixedEntropy e;
  auto c = Codec::client(co, e, kNow);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(is(c.error(), MtprotoErrc::bad_transport_header));
  EXPECT_FALSE(protocol_tag(Protocol::full).has_value());
  for (auto p : {Protocol::abridged, Protocol::intermediate, Protocol::padded_intermediate}) {
    EXPECT_EQ(protocol_from_tag(*protocol_tag(p)), p);
  }
  EXPECT_FALSE(protocol_from_tag(0x12345678).has_value());
}

// --- fake-TLS ---

TEST(TransportFakeTls, ClientHelloIsWellFormedTls) {
  const Bytes key = hex("00112233445566778899aabbccddeeff");
  FixedEntropy e;
  for (int i = 0; i < 50; ++i) {
    const std::uint32_t now = 1'750'000'000u + static_cast<std::uint32_t>(i);
    Bytes hello = make_client_hello(kDomain, key, now, e);
    ASSERT_EQ(hello.size(), kClientHelloSize);
    // What deployed proxies match: a 512-byte handshake record holding a 508-byte ClientHello.
    EXPECT_EQ(Bytes(hello.begin(), hello.begin() + 11), hex("16030102 00 01 0001fc 0303"));
    auto parsed = parse_client_hello(hello);
    ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
    EXPECT_EQ(parsed->domain, kDomain);
    EXPECT_EQ(parsed->session_id.size(), 32u);
    EXPECT_TRUE(std::equal(parsed->random.bytes.begin(), parsed->random.bytes.end(), hello.begin() + kTlsRandomOffset));
    auto ts = client_hello_timestamp(hello, key);
    ASSERT_TRUE(ts.ok()) << ts.error().to_string();
    EXPECT_EQ(*ts, now);
    auto wrong = client_hello_timestamp(hello, hex("00112233445566778899aabbccddeef0"));
    ASSERT_FALSE(wrong.ok());
    EXPECT_TRUE(is(wrong.error(), MtprotoErrc::bad_secret));
  }
  // The longest allowed domain still fits the same size.
  std::string long_domain(ProxySecret::kMaxDomainSize, 'a');
  Bytes hello = make_client_hello(long_domain, key, 1, e);
  EXPECT_EQ(hello.size(), kClientHelloSize);
  EXPECT_EQ(parse_client_hello(hello).value().domain, long_domain);
}

TEST(TransportFakeTls, ParseRefusesMalformedHellos) {
  const Bytes key = hex("00112233445566778899aabbccddeeff");
  FixedEntropy e;
  const Bytes hello = make_client_hello(kDomain, key, 1, e);
  auto refused = [](ByteView b) {
    auto r = parse_client_hello(b);
    return !r.ok() && is(r.error(), MtprotoErrc::bad_transport_header);
  };
  // Every truncation breaks a length.
  for (std::size_t n = 0; n < hello.size(); ++n) EXPECT_TRUE(refused(ByteView(hello).first(n))) << n;
  // Changing any length field by one breaks the nesting (offsets: record, handshake, session id).
  for (std::size_t at : {4u, 8u, 43u}) {
    Bytes b = hello;
    b[at] ^= 1;
    EXPECT_TRUE(refused(b)) << at;
  }
  Bytes wrong_type = hello;
  wrong_type[5] = 0x02;  // ServerHello
  EXPECT_TRUE(refused(wrong_type));
  Bytes long_sid = hello;
  long_sid[43] = 33;
  EXPECT_TRUE(refused(long_sid));
  // Random bytes after a valid header never crash the parser.
  FixedEntropy noise(8);
  for (int i = 0; i < 2000; ++i) {
    Bytes b = hello;
    Byte pos[2];
    noise.fill(pos);
    b[9 + (pos[0] | pos[1] << 8) % (b.size() - 9)] ^= static_cast<Byte>(1 + pos[0] % 255);
    (void)parse_client_hello(b);
  }
}

TEST(TransportFakeTls, ServerAnswerIsSignedForThisHello) {
  const Bytes key = hex("00112233445566778899aabbccddeeff");
  FixedEntropy e;
  Int256 client_random;
  e.fill(client_random.bytes);
  const Bytes sid = hex("0102030405060708091011121314151617181920212223242526272829303132");
  Bytes answer = make_server_hello(client_random, sid, key, 1500, e);
  auto size = server_hello_size(answer);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, answer.size());
  EXPECT_EQ(Bytes(answer.begin(), answer.begin() + 3), hex("160303"));
  EXPECT_TRUE(verify_server_hello(answer, client_random, key).ok());
  for (std::size_t n = 0; n < answer.size(); ++n) {
    auto partial = server_hello_size(ByteView(answer).first(n));
    ASSERT_TRUE(partial.ok()) << n;
    EXPECT_EQ(*partial, 0u) << n;
  }
  Int256 other = client_random;
  other.bytes[0] ^= 1;
  EXPECT_TRUE(is(verify_server_hello(answer, other, key).error(), MtprotoErrc::bad_secret));
  EXPECT_FALSE(verify_server_hello(answer, client_random, hex("00112233445566778899aabbccddeef0")).ok());
  Bytes tampered = answer;
  tampered[answer.size() - 1] ^= 1;
  EXPECT_FALSE(verify_server_hello(tampered, client_random, key).ok());
  EXPECT_FALSE(server_hello_size(hex("170303")).ok());
  EXPECT_FALSE(server_hello_size(hex("1603030000")).ok());  // too short for a ServerHello
}

ClientOptions tls_client(ProxySecret s = secret(ProxySecret::Kind::fake_tls)) {
  ClientOptions co;
  co.secret = std::move(s);
  return co;
}

ServerOptions tls_server(ReplayCache* cache = nullptr) {
  ServerOptions so;
  so.secret = secret(ProxySecret::Kind::fake_tls);
  so.replay_cache = cache;
  return so;
}

TEST(TransportFakeTls, RoundTripWaitingForTheAnswer) {
  Link link(tls_client(), tls_server());
  ASSERT_EQ(link.client->protocol(), Protocol::padded_intermediate);
  EXPECT_TRUE(link.client->fake_tls());
  Buffer hello;
  ASSERT_TRUE(link.client->pack_preamble(hello));
  ASSERT_EQ(hello.size(), kClientHelloSize);
  // The server answers the hello at once; the client checks the answer.
  auto events = deliver(*link.server, hello.to_bytes());
  ASSERT_TRUE(events.ok()) << events.error().to_string();
  ASSERT_EQ(events->size(), 1u);
  ASSERT_EQ((*events)[0].kind, Event::reply);
  EXPECT_TRUE(link.server->fake_tls());
  EXPECT_FALSE(link.server->ready());  // the obfuscation init is still to come
  auto client_side = deliver(*link.client, (*events)[0].bytes);
  ASSERT_TRUE(client_side.ok()) << client_side.error().to_string();
  EXPECT_TRUE(client_side->empty());

  // ChangeCipherSpec, then application data holding the init and the frame.
  Bytes first = packed(*link.client, packet(1), true);
  EXPECT_EQ(Bytes(first.begin(), first.begin() + 9), hex("140303000101 170303"));
  auto got = deliver(*link.server, first);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, frames_of({packet(1)}, true));
  EXPECT_TRUE(link.server->ready());
  EXPECT_EQ(link.server->protocol(), Protocol::padded_intermediate);

  auto back = link.to_client(packet(2));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, frames_of({packet(2)}));
  Buffer err;
  link.server->pack_transport_error(err, kErrorAuthKeyNotFound);
  EXPECT_EQ(err.data()[0], 0x17);
  auto e = deliver(*link.client, err.to_bytes());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (std::vector<Event>{{Event::error, {}, kErrorAuthKeyNotFound}}));
}

TEST(TransportFakeTls, PipelinedClientAndLargeFramesSplitIntoRecords) {
  Link link(tls_client(), tls_server());
  // Without pack_preamble: hello, ChangeCipherSpec and the first record in one write.
  auto first = link.to_server(packet(1));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(*first, frames_of({packet(1)}));
  const Bytes big = packet(4000);  // 64 KiB
  Bytes wire = packed(*link.client, big);
  // Walk the records: all application data, none above the default size.
  std::size_t at = 0, records = 0;
  while (at < wire.size()) {
    ASSERT_GE(wire.size() - at, 5u);
    EXPECT_EQ(Bytes(wire.begin() + at, wire.begin() + at + 3), hex("170303"));
    const std::size_t len = (std::size_t{wire[at + 3]} << 8) | wire[at + 4];
    EXPECT_LE(len, kDefaultTlsRecordPayload);
    EXPECT_GT(len, 0u);
    at += 5 + len;
    ++records;
  }
  EXPECT_EQ(at, wire.size());
  EXPECT_GT(records, big.size() / kDefaultTlsRecordPayload);
  auto got = deliver(*link.server, wire);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, frames_of({big}));
  auto back = link.to_client(big);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, frames_of({big}));
}

TEST(TransportFakeTls, ServerRefusesBadHelloes) {
  using std::chrono::minutes;
  struct Case {
    const char* name;
    ClientOptions client;
    Time client_now;
    Rejection expected;
    MtprotoErrc code;
  };
  const Case cases[] = {
      {"wrong key", tls_client(secret(ProxySecret::Kind::fake_tls, 0x42)), kNow, Rejection::bad_hmac,
       MtprotoErrc::bad_secret},
      {"wrong domain", tls_client(secret(ProxySecret::Kind::fake_tls, 0x99, "other.example")), kNow,
       Rejection::wrong_domain, MtprotoErrc::bad_secret},
      {"client 11 minutes behind", tls_client(), kNow - minutes(11), Rejection::stale_timestamp,
       MtprotoErrc::bad_secret},
      {"client 11 minutes ahead", tls_client(), kNow + minutes(11), Rejection::stale_timestamp,
       MtprotoErrc::bad_secret},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    Link link(k.client, tls_server(), k.client_now, kNow);
    auto r = link.to_server(packet(1));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), k.code)) << r.error().to_string();
    EXPECT_EQ(link.server->rejection(), k.expected);
  }
  for (auto skew : {minutes(-9), minutes(9)}) {
    Link link(tls_client(), tls_server(), kNow + skew, kNow);
    EXPECT_TRUE(link.to_server(packet(1)).ok());
  }
  {
    ReplayCache cache;
    FixedEntropy ce, s1e(1), s2e(2);
    auto client = Codec::client(tls_client(), ce, kNow).value();
    Buffer hello;
    ASSERT_TRUE(client.pack_preamble(hello));
    auto s1 = Codec::server(tls_server(&cache), s1e, kNow);
    EXPECT_TRUE(deliver(s1, hello.to_bytes()).ok());
    auto s2 = Codec::server(tls_server(&cache), s2e, kNow);
    auto r = deliver(s2, hello.to_bytes());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(s2.rejection(), Rejection::replayed);
  }
  {
    // A handshake record that is no ClientHello.
    FixedEntropy se;
    auto s = Codec::server(tls_server(), se, kNow);
    Bytes junk = hex("16030100 40");
    junk.resize(junk.size() + 0x40, 0x00);
    auto r = deliver(s, junk);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_transport_header));
    EXPECT_EQ(s.rejection(), Rejection::bad_tls_hello);
  }
}

TEST(TransportFakeTls, ClientRefusesForgedAnswers) {
  FixedEntropy se;
  auto make_client = [] {
    static FixedEntropy ce(77);
    auto c = Codec::client(tls_client(), ce, kNow).value();
    Buffer hello;
    EXPECT_TRUE(c.pack_preamble(hello));
    return std::make_pair(std::move(c), hello.to_bytes());
  };
  {
    // Signed with another key.
    auto [c, hello] = make_client();
    auto parsed = parse_client_hello(hello).value();
    Bytes answer = make_server_hello(parsed.random, parsed.session_id, hex("0102030405060708090a0b0c0d0e0f10"), 100, se);
    auto r = deliver(c, answer);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_secret)) << r.error().to_string();
  }
  {
    // The right server's answer with one byte changed.
    auto [c, hello] = make_client();
    FixedEntropy e2;
    auto server = Codec::server(tls_server(), e2, kNow);
    auto events = deliver(server, hello);
    ASSERT_TRUE(events.ok());
    Bytes answer = (*events)[0].bytes;
    answer[answer.size() - 7] ^= 0x20;
    auto r = deliver(c, answer);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_secret));
  }
  {
    // Not TLS at all.
    auto [c, hello] = make_client();
    auto r = deliver(c, hex("48545450 2f312e31"));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_transport_header));
  }
}

}  // namespace
}  // namespace telepp::mtproto::transport
