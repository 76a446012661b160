// Unencrypted messages: framing, and one test per rejection rule.
#include <gtest/gtest.h>

#include "support/support.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/plain_message.hpp"

namespace telepp::mtproto {
namespace {

constexpr std::int64_t kClientId = (std::int64_t{1705754876} << 32) | 0x000df764;  // divisible by 4
constexpr std::int64_t kServerId = (std::int64_t{1705754876} << 32) | 0xbe6fc401;  // 1 mod 4

Bytes body_of(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<Byte>(i + 1);
  return b;
}

void expect_refused(const Bytes& packet, Direction d, MtprotoErrc code) {
  auto r = unpack_plain_message(packet, d);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), code)) << r.error().to_string();
}

TEST(PlainMessage, PacksTheDocsLayout) {
  // The req_pq_multi of core.telegram.org/mtproto/samples-auth_key.
  const Bytes body = test::hex("f18e7ebe15a084b3b9ca2a17f03925f44b78fe68");
  const Bytes expected = test::hex(
      "0000000000000000 64f70d00fcc0ab65 14000000 f18e7ebe15a084b3b9ca2a17f03925f44b78fe68");
  EXPECT_EQ(pack_plain_message(kClientId, body), expected);
}

TEST(PlainMessage, PacksInPlaceIntoHeadroom) {
  const Bytes body = body_of(24);
  Buffer packet(kPlainHeaderSize, body.size());
  packet.append(body);
  const Byte* body_at = packet.data();
  pack_plain_message(kServerId, packet);
  EXPECT_EQ(packet.data() + kPlainHeaderSize, body_at);  // no copy
  EXPECT_EQ(packet.to_bytes(), pack_plain_message(kServerId, body));
}

TEST(PlainMessage, RoundTripsBothDirections) {
  for (std::size_t n : {0u, 4u, 20u, 1024u}) {
    const Bytes body = body_of(n);
    const Bytes from_client = pack_plain_message(kClientId, body);
    auto c = unpack_plain_message(from_client, Direction::client_to_server);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    EXPECT_EQ(c->msg_id, kClientId);
    EXPECT_EQ(Bytes(c->body.begin(), c->body.end()), body);
    const Bytes from_server = pack_plain_message(kServerId, body);
    auto s = unpack_plain_message(from_server, Direction::server_to_client);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(s->msg_id, kServerId);
    EXPECT_EQ(s->body.size(), n);
  }
  // Server pushes (3 mod 4) are odd too.
  EXPECT_TRUE(unpack_plain_message(pack_plain_message(kServerId | 3, body_of(4)), Direction::server_to_client).ok());
}

TEST(PlainMessage, BodyIsAViewIntoThePacket) {
  const Bytes packet = pack_plain_message(kClientId, body_of(8));
  auto m = unpack_plain_message(packet, Direction::client_to_server);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->body.data(), packet.data() + kPlainHeaderSize);
}

TEST(PlainMessage, ShorterThanTheHeaderIsRefused) {
  const Bytes packet = pack_plain_message(kClientId, {});
  for (std::size_t n = 0; n < kPlainHeaderSize; ++n) {
    expect_refused(Bytes(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(n)),
                   Direction::client_to_server, MtprotoErrc::bad_length);
  }
}

TEST(PlainMessage, NonZeroAuthKeyIdIsRefused) {
  for (std::size_t at = 0; at < 8; ++at) {
    Bytes packet = pack_plain_message(kClientId, body_of(4));
    packet[at] = 0x01;
    expect_refused(packet, Direction::client_to_server, MtprotoErrc::unknown_auth_key);
  }
}

TEST(PlainMessage, MsgIdParityMustMatchTheSender) {
  for (std::int64_t low : {1, 2, 3}) {
    expect_refused(pack_plain_message(kClientId | low, body_of(4)), Direction::client_to_server,
                   MtprotoErrc::bad_msg_id);
  }
  for (std::int64_t id : {kClientId, kClientId | 2}) {
    expect_refused(pack_plain_message(id, body_of(4)), Direction::server_to_client, MtprotoErrc::bad_msg_id);
  }
}

TEST(PlainMessage, NonPositiveMsgIdIsRefused) {
  expect_refused(pack_plain_message(0, body_of(4)), Direction::client_to_server, MtprotoErrc::bad_msg_id);
  expect_refused(pack_plain_message(std::int64_t{-4}, body_of(4)), Direction::client_to_server,
                 MtprotoErrc::bad_msg_id);
  expect_refused(pack_plain_message(std::int64_t{-3}, body_of(4)), Direction::server_to_client,
                 MtprotoErrc::bad_msg_id);
}

TEST(PlainMessage, LengthMustFitTheBytesPresent) {
  Bytes packet = pack_plain_message(kClientId, body_of(16));
  store_le32(packet.data() + 16, 20);  // 4 more than present
  expect_refused(packet, Direction::client_to_server, MtprotoErrc::bad_length);
  store_le32(packet.data() + 16, 0x7ffffffc);
  expect_refused(packet, Direction::client_to_server, MtprotoErrc::bad_length);
  store_le32(packet.data() + 16, 0xfffffff0);  // negative
  expect_refused(packet, Direction::client_to_server, MtprotoErrc::bad_length);
  // Every truncation of a valid message.
  const Bytes whole = pack_plain_message(kClientId, body_of(40));
  for (std::size_t n = kPlainHeaderSize; n < whole.size(); ++n) {
    expect_refused(Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n)), Direction::client_to_server,
                   MtprotoErrc::bad_length);
  }
}

TEST(PlainMessage, LengthMustBeAWholeNumberOfWords) {
  Bytes packet = pack_plain_message(kClientId, body_of(16));
  store_le32(packet.data() + 16, 15);
  expect_refused(packet, Direction::client_to_server, MtprotoErrc::bad_length);
}

TEST(PlainMessage, TransportPaddingIsToleratedButNotMore) {
  Bytes packet = pack_plain_message(kClientId, body_of(8));
  for (std::size_t extra = 1; extra <= kPlainMaxTrailing; ++extra) {
    packet.push_back(0xee);
    auto m = unpack_plain_message(packet, Direction::client_to_server);
    ASSERT_TRUE(m.ok()) << extra;
    EXPECT_EQ(m->body.size(), 8u);
  }
  packet.push_back(0xee);
  expect_refused(packet, Direction::client_to_server, MtprotoErrc::bad_length);
}

}  // namespace
}  // namespace telepp::mtproto
