// Transport codecs without obfuscation: exact bytes of small frames (computed by hand from
// https://core.telegram.org/mtproto/mtproto-transports; CRCs with zlib.crc32), quick acks both
// ways, transport errors, size limits, and one test per rejection rule. Also MTProxy secrets.
#include <gtest/gtest.h>

#include <deque>

#include "support/fixed_entropy.hpp"
#include "support/support.hpp"
#include "telepp/base/base64.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/transport/codec.hpp"

namespace telepp::mtproto::transport {
namespace {

using test::FixedEntropy;
using test::hex;

const Time kNow = from_unix_seconds(1'750'000'000);

// Hands out scripted bytes first, then a deterministic stream.
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

Codec client_codec(Protocol p, Entropy& e, std::size_t max_frame = kDefaultMaxFrameSize) {
  ClientOptions o;
  o.protocol = p;
  o.max_frame_size = max_frame;
  auto c = Codec::client(o, e, kNow);
  EXPECT_TRUE(c.ok());
  return std::move(c).value();
}

Codec server_codec(Entropy& e, std::size_t max_frame = kDefaultMaxFrameSize) {
  ServerOptions o;
  o.max_frame_size = max_frame;
  return Codec::server(o, e, kNow);
}

Bytes packed(Codec& c, ByteView payload, bool quick_ack = false) {
  Buffer b(c.headroom(), payload.size());
  b.append(payload);
  c.pack(b, quick_ack);
  return b.to_bytes();
}

Bytes bytes_of(std::size_t n, Byte seed = 1) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<Byte>(seed + i * 13);
  return b;
}

// An unencrypted MTProto packet (auth_key_id 0, msg_id, length, body).
Bytes plain_packet(std::size_t body) {
  Bytes b(20 + body, 0);
  store_le64(b.data() + 8, 0x5f00000000000004ull);
  store_le32(b.data() + 16, static_cast<std::uint32_t>(body));
  for (std::size_t i = 0; i < body; ++i) b[20 + i] = static_cast<Byte>(i * 7 + 1);
  return b;
}

// Feeds everything, then unpacks once.
Result<Unpacked> unpack_after(Codec& c, ByteView bytes) {
  EXPECT_EQ(c.feed(bytes), bytes.size());
  return c.unpack();
}

Bytes frame_bytes(const Result<Unpacked>& r) {
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (!r.ok()) return {};
  const Frame* f = std::get_if<Frame>(&*r);
  EXPECT_NE(f, nullptr) << "not a frame, alternative " << r->index();
  if (!f) return {};
  return Bytes(f->payload.begin(), f->payload.end());
}

bool needs_more(const Result<Unpacked>& r) { return r.ok() && std::holds_alternative<NeedMoreBytes>(*r); }

TEST(TransportCodec, AbridgedClientExactBytes) {
  FixedEntropy e;
  auto c = client_codec(Protocol::abridged, e);
  EXPECT_EQ(packed(c, hex("01020304 05060708")), hex("ef 02 0102030405060708"));  // marker once
  EXPECT_EQ(packed(c, hex("aabbccdd")), hex("01 aabbccdd"));
  EXPECT_EQ(packed(c, hex("aabbccdd"), true), hex("81 aabbccdd"));  // quick ack: top bit
  // 126 words still fit one byte; 127 words take 0x7f and 3 little-endian length bytes.
  auto p126 = bytes_of(126 * 4);
  auto out126 = packed(c, p126);
  ASSERT_EQ(out126.size(), 1 + p126.size());
  EXPECT_EQ(out126[0], 0x7e);
  auto p127 = bytes_of(127 * 4);
  auto out127 = packed(c, p127);
  ASSERT_EQ(out127.size(), 4 + p127.size());
  EXPECT_EQ(Bytes(out127.begin(), out127.begin() + 4), hex("7f 7f0000"));
  EXPECT_TRUE(std::equal(p127.begin(), p127.end(), out127.begin() + 4));
  auto big = bytes_of(0x10203 * 4);
  auto out_big = packed(c, big, true);
  EXPECT_EQ(Bytes(out_big.begin(), out_big.begin() + 4), hex("ff 030201"));  // quick ack in the long form
}

TEST(TransportCodec, AbridgedServerReadsAndWrites) {
  FixedEntropy e;
  auto s = server_codec(e);
  auto r = unpack_after(s, hex("ef 02 0102030405060708 81 aabbccdd 7f 7f0000") );
  EXPECT_EQ(frame_bytes(r), hex("0102030405060708"));
  EXPECT_TRUE(s.ready());
  EXPECT_EQ(s.protocol(), Protocol::abridged);
  EXPECT_FALSE(s.obfuscated());
  auto r2 = s.unpack();
  ASSERT_TRUE(r2.ok());
  ASSERT_TRUE(std::holds_alternative<Frame>(*r2));
  EXPECT_TRUE(std::get<Frame>(*r2).quick_ack_requested);
  EXPECT_TRUE(needs_more(s.unpack()));  // the 0x7f header promises 508 bytes
  // The server writes no marker, and never sets the quick-ack bit.
  EXPECT_EQ(packed(s, hex("aabbccdd"), true), hex("01 aabbccdd"));
}

TEST(TransportCodec, IntermediateExactBytes) {
  FixedEntropy e;
  auto c = client_codec(Protocol::intermediate, e);
  EXPECT_EQ(packed(c, hex("aabbccdd")), hex("eeeeeeee 04000000 aabbccdd"));
  EXPECT_EQ(packed(c, hex("aabbccdd 11223344"), true), hex("08000080 aabbccdd 11223344"));
  auto s = server_codec(e);
  EXPECT_EQ(frame_bytes(unpack_after(s, hex("eeeeeeee 04000000 aabbccdd"))), hex("aabbccdd"));
  auto r = unpack_after(s, hex("08000080 aabbccdd 11223344"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::get<Frame>(*r).quick_ack_requested);
  EXPECT_EQ(s.protocol(), Protocol::intermediate);
  EXPECT_EQ(packed(s, hex("aabbccdd")), hex("04000000 aabbccdd"));
}

TEST(TransportCodec, PaddedIntermediateExactBytes) {
  // Entropy: 0x13 → 0x13 % 16 = 3 padding bytes, then the padding itself.
  ScriptedEntropy e(hex("13 aabbcc"));
  auto c = client_codec(Protocol::padded_intermediate, e);
  auto packet = plain_packet(4);  // 24 bytes
  Bytes expected = hex("dddddddd 1b000000");
  expected.insert(expected.end(), packet.begin(), packet.end());
  expected.insert(expected.end(), {0xaa, 0xbb, 0xcc});
  EXPECT_EQ(packed(c, packet), expected);

  // The receiver recovers the packet from MTProto's own lengths.
  FixedEntropy se;
  auto s = server_codec(se);
  EXPECT_EQ(frame_bytes(unpack_after(s, expected)), packet);
  EXPECT_EQ(s.protocol(), Protocol::padded_intermediate);
}

TEST(TransportCodec, FullExactBytesAndSequenceNumbers) {
  FixedEntropy e;
  auto c = client_codec(Protocol::full, e);
  EXPECT_EQ(packed(c, hex("aabbccdd")), hex("10000000 00000000 aabbccdd 28f53d03"));  // no marker
  EXPECT_EQ(packed(c, hex("01020304050607080910111213141516")),
            hex("1c000000 01000000 01020304050607080910111213141516 64753ba1"));
  auto s = server_codec(e);
  EXPECT_EQ(frame_bytes(unpack_after(s, hex("10000000 00000000 aabbccdd 28f53d03"))), hex("aabbccdd"));
  EXPECT_EQ(s.protocol(), Protocol::full);
  EXPECT_EQ(frame_bytes(unpack_after(s, hex("1c000000 01000000 01020304050607080910111213141516 64753ba1"))),
            hex("01020304050607080910111213141516"));
  // The server numbers its own frames from 0.
  EXPECT_EQ(packed(s, hex("aabbccdd")), hex("10000000 00000000 aabbccdd 28f53d03"));
}

TEST(TransportCodec, FullRejectsBadCrcAndSequence) {
  FixedEntropy e;
  {
    auto c = client_codec(Protocol::full, e);
    auto r = unpack_after(c, hex("10000000 00000000 aabbccdd 28f53d04"));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_frame)) << r.error().to_string();
  }
  {
    auto s = server_codec(e);
    EXPECT_EQ(frame_bytes(unpack_after(s, hex("10000000 00000000 aabbccdd 28f53d03"))), hex("aabbccdd"));
    // The same frame again carries seq_no 0 where 1 is due.
    auto r = unpack_after(s, hex("10000000 00000000 aabbccdd 28f53d03"));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_frame));
    EXPECT_NE(r.error().detail.find("seq_no"), std::string::npos);
  }
  {
    // A server whose first frame has a bad CRC does not take the connection as full.
    auto s = server_codec(e);
    auto r = unpack_after(s, hex("10000000 00000000 aabbccdd 28f53d04"));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_transport_header));
    EXPECT_EQ(s.rejection(), Rejection::unknown_header);
  }
}

TEST(TransportCodec, ServerQuickAckRepliesExactBytes) {
  FixedEntropy e;
  Buffer out;
  {
    auto s = server_codec(e);
    ASSERT_TRUE(needs_more(unpack_after(s, hex("ef"))));
    ASSERT_TRUE(s.pack_quick_ack(out, 0x12345678));
    EXPECT_EQ(out.to_bytes(), hex("92345678"));  // abridged: big-endian, top bit set
  }
  {
    auto s = server_codec(e);
    ASSERT_TRUE(needs_more(unpack_after(s, hex("eeeeeeee"))));
    ASSERT_TRUE(s.pack_quick_ack(out, 0x92345678));
    EXPECT_EQ(out.to_bytes(), hex("78563492"));  // a bare little-endian word
  }
  {
    auto s = server_codec(e);
    ASSERT_TRUE(needs_more(unpack_after(s, hex("dddddddd"))));
    ASSERT_TRUE(s.pack_quick_ack(out, 0x12345678));
    EXPECT_EQ(out.to_bytes(), hex("78563492"));  // never padded
  }
  {
    auto s = server_codec(e);
    ASSERT_TRUE(unpack_after(s, hex("10000000 00000000 aabbccdd 28f53d03")).ok());
    EXPECT_FALSE(s.pack_quick_ack(out, 0x12345678));  // the full transport has none
    EXPECT_TRUE(out.empty());
  }
}

TEST(TransportCodec, ClientReadsQuickAcks) {
  FixedEntropy e;
  for (auto p : {Protocol::abridged, Protocol::intermediate, Protocol::padded_intermediate}) {
    SCOPED_TRACE(std::string(to_string(p)));
    auto c = client_codec(p, e);
    Bytes wire = p == Protocol::abridged ? hex("92345678 01 01020304") : hex("78563492 04000000 01020304");
    ASSERT_EQ(c.feed(wire), wire.size());
    auto r = c.unpack();
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_TRUE(std::holds_alternative<QuickAck>(*r));
    EXPECT_EQ(std::get<QuickAck>(*r).token, 0x92345678u);
    EXPECT_EQ(frame_bytes(c.unpack()), hex("01020304"));
  }
}

TEST(TransportCodec, TransportErrorsSurfaceDistinctly) {
  for (auto p : {Protocol::abridged, Protocol::intermediate, Protocol::padded_intermediate, Protocol::full}) {
    SCOPED_TRACE(std::string(to_string(p)));
    for (std::int32_t code : {kErrorAuthKeyNotFound, kErrorFlood, kErrorInvalidDc}) {
      FixedEntropy ce(static_cast<std::uint64_t>(-code)), se(7);
      auto c = client_codec(p, ce);
      auto s = server_codec(se);
      EXPECT_EQ(frame_bytes(unpack_after(s, packed(c, plain_packet(8)))), plain_packet(8));
      Buffer out;
      s.pack_transport_error(out, code);
      // The same error twice, then a normal packet: all three come out, in order.
      Bytes wire = out.to_bytes();
      s.pack_transport_error(out, code);
      Bytes second = out.to_bytes();
      wire.insert(wire.end(), second.begin(), second.end());
      Bytes normal = packed(s, plain_packet(4));
      wire.insert(wire.end(), normal.begin(), normal.end());
      ASSERT_EQ(c.feed(wire), wire.size());
      for (int i = 0; i < 2; ++i) {
        auto r = c.unpack();
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        ASSERT_TRUE(std::holds_alternative<TransportError>(*r)) << "alternative " << r->index();
        EXPECT_EQ(std::get<TransportError>(*r).code, code);
      }
      EXPECT_EQ(frame_bytes(c.unpack()), plain_packet(4));
      auto err = to_error(TransportError{code});
      EXPECT_TRUE(is(err, MtprotoErrc::transport_error));
      EXPECT_NE(err.detail.find(std::to_string(code)), std::string::npos);
    }
  }
  FixedEntropy e;
  {
    // Exact bytes: intermediate and abridged -404.
    auto s = server_codec(e);
    ASSERT_TRUE(needs_more(unpack_after(s, hex("eeeeeeee"))));
    Buffer out;
    s.pack_transport_error(out, -404);
    EXPECT_EQ(out.to_bytes(), hex("04000000 6cfeffff"));
    auto a = server_codec(e);
    ASSERT_TRUE(needs_more(unpack_after(a, hex("ef"))));
    a.pack_transport_error(out, -404);
    EXPECT_EQ(out.to_bytes(), hex("01 6cfeffff"));
  }
  {
    // A positive 4-byte payload is not an error; a 4-byte payload from a client is just a frame.
    auto c = client_codec(Protocol::intermediate, e);
    EXPECT_EQ(frame_bytes(unpack_after(c, hex("04000000 94010000"))), hex("94010000"));
    auto s = server_codec(e);
    EXPECT_EQ(frame_bytes(unpack_after(s, hex("eeeeeeee 04000000 6cfeffff"))), hex("6cfeffff"));
  }
}

TEST(TransportCodec, OversizeLengthIsRejectedBeforeBuffering) {
  constexpr std::size_t kMax = 1024;
  FixedEntropy e;
  struct Case {
    Protocol protocol;
    Bytes header;  // claims 2 MiB
  };
  const Case cases[] = {
      {Protocol::abridged, hex("7f 000008")},
      {Protocol::intermediate, hex("00002000")},
      {Protocol::padded_intermediate, hex("00002000")},
      {Protocol::full, hex("0c002000")},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(std::string(to_string(k.protocol)));
    auto c = client_codec(k.protocol, e, kMax);
    auto r = unpack_after(c, k.header);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::frame_too_large)) << r.error().to_string();
    // The receive buffer is bounded by the limit, whatever the caller asks for.
    EXPECT_LE(c.prepare(std::size_t{1} << 30).size(), kMax + 64 * 1024);
  }
  // The limit is inclusive, and the server applies it too.
  auto s = server_codec(e, 8);
  EXPECT_EQ(frame_bytes(unpack_after(s, hex("eeeeeeee 08000000 0102030405060708"))), hex("0102030405060708"));
  auto r = unpack_after(s, hex("0c000000"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), MtprotoErrc::frame_too_large));
}

TEST(TransportCodec, MalformedLengthsAreBadFrames) {
  FixedEntropy e;
  const std::pair<Protocol, Bytes> cases[] = {
      {Protocol::abridged, hex("00")},                      // zero words
      {Protocol::abridged, hex("7f 000000")},               // zero words, long form
      {Protocol::intermediate, hex("00000000")},            // empty
      {Protocol::intermediate, hex("05000000 0102030405")}, // not a multiple of 4
      {Protocol::padded_intermediate, hex("03000000 010203")},
      {Protocol::full, hex("0c000000 00000000 00000000")},  // no payload
      {Protocol::full, hex("0d000000")},                    // not a multiple of 4
  };
  for (const auto& [p, bytes] : cases) {
    SCOPED_TRACE(std::string(to_string(p)) + " " + to_hex(bytes));
    auto c = client_codec(p, e);
    auto r = unpack_after(c, bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_frame)) << r.error().to_string();
  }
}

TEST(TransportCodec, ErrorsAreFinal) {
  FixedEntropy e;
  auto c = client_codec(Protocol::intermediate, e);
  auto r = unpack_after(c, hex("00000000"));
  ASSERT_FALSE(r.ok());
  // Even a valid frame afterwards does not revive the codec.
  auto again = unpack_after(c, hex("04000000 aabbccdd"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, r.error().code);
  EXPECT_EQ(again.error().detail, r.error().detail);
}

TEST(TransportCodec, PaddedPayloadSizeUsesMtprotoLengths) {
  // Encrypted: 24 + 16k, whatever follows.
  Bytes enc(24 + 32 + 13, 0x11);
  EXPECT_EQ(padded_payload_size(enc), 56u);
  EXPECT_EQ(padded_payload_size(ByteView(enc).first(56)), 56u);
  // Unencrypted: 20 + message_data_length.
  Bytes plain = plain_packet(12);
  plain.insert(plain.end(), {1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(padded_payload_size(plain), 32u);
  // A length beyond the frame: the frame, 4-aligned.
  store_le32(plain.data() + 16, 1000);
  EXPECT_EQ(padded_payload_size(plain), 36u);
  // Short frames (transport errors with padding): 4-aligned.
  EXPECT_EQ(padded_payload_size(hex("6cfeffff 0102")), 4u);
  EXPECT_EQ(padded_payload_size(hex("6cfeffff 01020304 0506")), 8u);
}

TEST(TransportCodec, PackFramesInPlaceWithinHeadroom) {
  FixedEntropy e;
  for (auto p : {Protocol::abridged, Protocol::intermediate, Protocol::full}) {
    SCOPED_TRACE(std::string(to_string(p)));
    auto c = client_codec(p, e);
    for (int i = 0; i < 3; ++i) {
      const std::size_t room = c.headroom();
      Buffer b(room, 64);
      b.append(bytes_of(32));
      const Byte* start = b.data();
      c.pack(b);
      // Everything was prepended into the headroom: no copy to a new block.
      EXPECT_EQ(b.data() + (b.size() - 32 - (p == Protocol::full ? 4 : 0)), start);
      EXPECT_LE(static_cast<std::size_t>(start - b.data()), room);
    }
  }
}

TEST(TransportCodec, ServerDetectsPlainProtocolsAndRefusesHttp) {
  FixedEntropy e;
  const std::pair<Bytes, Protocol> plain[] = {
      {hex("ef 01 aabbccdd"), Protocol::abridged},
      {hex("eeeeeeee 04000000 aabbccdd"), Protocol::intermediate},
      {hex("dddddddd 04000000 aabbccdd"), Protocol::padded_intermediate},
      {hex("10000000 00000000 aabbccdd 28f53d03"), Protocol::full},
  };
  for (const auto& [wire, protocol] : plain) {
    SCOPED_TRACE(to_hex(wire));
    auto s = server_codec(e);
    EXPECT_EQ(frame_bytes(unpack_after(s, wire)), hex("aabbccdd"));
    EXPECT_EQ(s.protocol(), protocol);
    EXPECT_FALSE(s.obfuscated());
  }
  for (std::string_view http : {"GET / HTTP/1.1\r\n", "POST /api HTTP/1.1\r\n", "HEAD / HTTP/1.0\r\n", "OPTIONS * HTTP/1.1\r\n"}) {
    auto s = server_codec(e);
    auto r = unpack_after(s, as_bytes(http));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_transport_header));
    EXPECT_EQ(s.rejection(), Rejection::http);
  }
  {
    // seq_no 0 with an impossible full-transport length.
    auto s = server_codec(e);
    auto r = unpack_after(s, hex("05000000 00000000"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(s.rejection(), Rejection::unknown_header);
  }
}

TEST(TransportSecret, ParsesEveryForm) {
  auto plain = ProxySecret::from_string("00112233445566778899aabbccddeeff");
  ASSERT_TRUE(plain.ok()) << plain.error().to_string();
  EXPECT_EQ(plain->kind, ProxySecret::Kind::plain);
  EXPECT_EQ(Bytes(plain->key.begin(), plain->key.end()), hex("00112233445566778899aabbccddeeff"));
  EXPECT_FALSE(plain->forces_padding());

  auto dd = ProxySecret::from_string("DD00112233445566778899AABBCCDDEEFF");
  ASSERT_TRUE(dd.ok());
  EXPECT_EQ(dd->kind, ProxySecret::Kind::padded);
  EXPECT_EQ(dd->key, plain->key);
  EXPECT_TRUE(dd->forces_padding());

  auto ee = ProxySecret::from_string("ee00112233445566778899aabbccddeeff" + to_hex(as_bytes("example.com")));
  ASSERT_TRUE(ee.ok());
  EXPECT_EQ(ee->kind, ProxySecret::Kind::fake_tls);
  EXPECT_EQ(ee->domain, "example.com");
  EXPECT_EQ(ee->key, plain->key);
  EXPECT_EQ(ProxySecret::parse(ee->to_bytes()).value(), *ee);
  EXPECT_EQ(ee->to_string(), "ee00112233445566778899aabbccddeeff" + to_hex(as_bytes("example.com")));

  // base64url, as some links carry ee secrets (with and without padding).
  auto raw = ee->to_bytes();
  std::string b64 = to_base64(raw);
  for (auto& ch : b64) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  auto from_b64 = ProxySecret::from_string(b64);
  ASSERT_TRUE(from_b64.ok()) << from_b64.error().to_string();
  EXPECT_EQ(*from_b64, *ee);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  EXPECT_EQ(ProxySecret::from_string(b64).value(), *ee);

  // A 17-byte secret with another prefix is read as padded, as the spec asks.
  EXPECT_EQ(ProxySecret::parse(hex("aa00112233445566778899aabbccddeeff")).value().kind, ProxySecret::Kind::padded);

  const Bytes bad[] = {
      hex("0011"),                                     // too short
      hex("dd00112233445566778899aabbccddeeff00"),     // 18 bytes without the ee prefix
      hex("ee00112233445566778899aabbccddeeff"),       // ee without a domain
      hex("ee00112233445566778899aabbccddeeff 200a"),  // a domain with a space and a newline
  };
  for (std::size_t i = 0; i < std::size(bad); ++i) {
    auto r = ProxySecret::parse(bad[i]);
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_secret));
  }
  Bytes long_domain = hex("ee00112233445566778899aabbccddeeff");
  long_domain.resize(long_domain.size() + ProxySecret::kMaxDomainSize, 'a');
  EXPECT_TRUE(ProxySecret::parse(long_domain).ok());
  long_domain.push_back('a');
  EXPECT_FALSE(ProxySecret::parse(long_domain).ok());
  EXPECT_FALSE(ProxySecret::from_string("not a secret!").ok());
}

}  // namespace
}  // namespace telepp::mtproto::transport
