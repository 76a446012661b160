// ClientSession against a scripted server: requests, answers, acks, containers, gzip, service
// messages, salt and time fixes, resends, and one test per rejection rule.
#include <gtest/gtest.h>

#include "session_test_support.hpp"
#include "telepp/mtproto/client_session.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/gzip.hpp"

#include <zlib.h>

namespace telepp::mtproto {
namespace {

using namespace std::chrono_literals;
using test::boxed;
using test::Opened;
using test::rpc_result;

struct ClientSessionTest : ::testing::Test {
  test::ScriptedPeer server;
  test::FixedEntropy entropy{5};
  Time now = test::test_now();
  ClientSession session{server.key, server.session_id, server.salt, entropy};

  std::vector<Opened> send(MessageHeader* header = nullptr) {
    auto packet = session.take_outgoing(now, 16);
    EXPECT_TRUE(packet.has_value());
    if (!packet) return {};
    EXPECT_EQ(packet->headroom(), 16u);
    return server.open(*packet, header);
  }
  std::vector<SessionEvent> receive(Bytes packet) {
    auto events = session.on_packet(MutableByteView(packet), now);
    EXPECT_TRUE(events.ok()) << (events.ok() ? "" : events.error().to_string());
    return events.ok() ? *events : std::vector<SessionEvent>{};
  }
  Bytes query(std::int64_t ping_id = 1) { return boxed(mtp::ping{.ping_id = ping_id}); }
  Bytes config_query() { return Bytes{0x6b, 0x18, 0xf9, 0xc4}; }  // help.getConfig
};

TEST_F(ClientSessionTest, SeveralRequestsGoInOneContainerWithClientMsgIdsAndSeqNos) {
  auto a = session.enqueue(config_query());
  auto b = session.enqueue(config_query());
  EXPECT_NE(a, b);
  MessageHeader outer;
  auto sent = send(&outer);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(outer.salt, server.salt);
  EXPECT_EQ(outer.session_id, server.session_id);
  EXPECT_EQ(outer.seq_no % 2, 0);  // containers are not content-related
  EXPECT_GT(outer.msg_id, sent[1].msg_id);
  for (const auto& m : sent) EXPECT_EQ(m.msg_id % 4, 0);
  EXPECT_LT(sent[0].msg_id, sent[1].msg_id);
  EXPECT_EQ(sent[0].seq_no, 1);
  EXPECT_EQ(sent[1].seq_no, 3);
  EXPECT_FALSE(session.take_outgoing(now).has_value());
  EXPECT_EQ(msg_id_seconds(sent[0].msg_id), unix_seconds(now));
}

TEST_F(ClientSessionTest, ARpcResultAnswersItsRequestAndIsAcknowledgedLater) {
  auto id = session.enqueue(config_query());
  auto sent = send();
  Bytes result = {1, 2, 3, 4, 5, 6, 7, 8};
  auto events = receive(server.packet(rpc_result(sent[0].msg_id, result), now));
  ASSERT_EQ(events.size(), 1u);
  auto& r = std::get<RpcResultEvent>(events[0]);
  EXPECT_EQ(r.request, id);
  EXPECT_EQ(r.result, result);
  EXPECT_FALSE(session.is_pending(id));
  // The ack waits for company, then goes alone at its deadline.
  EXPECT_FALSE(session.has_outgoing(now));
  ASSERT_TRUE(session.next_deadline().has_value());
  now = *session.next_deadline();
  auto acks = send();
  ASSERT_EQ(acks.size(), 1u);
  auto ack = tl::deserialize<mtp::msgs_ack>(acks[0].body);
  ASSERT_TRUE(ack.ok());
  ASSERT_EQ(ack->msg_ids.size(), 1u);
  EXPECT_EQ(acks[0].seq_no % 2, 0);
}

TEST_F(ClientSessionTest, AcksRideAlongWithTheNextRequest) {
  session.enqueue(config_query());
  auto sent = send();
  receive(server.packet(rpc_result(sent[0].msg_id, Bytes(4, 0)), now));
  session.enqueue(config_query());
  auto next = send();
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[1].id(), mtp::msgs_ack::kId);
}

TEST_F(ClientSessionTest, RpcErrorsAreParsed) {
  auto id = session.enqueue(config_query());
  auto sent = send();
  auto events = receive(server.packet(rpc_result(sent[0].msg_id, boxed(mtp::rpc_error{.error_code = 420, .error_message = "FLOOD_WAIT_31"})), now));
  ASSERT_EQ(events.size(), 1u);
  auto& e = std::get<RpcErrorEvent>(events[0]);
  EXPECT_EQ(e.request, id);
  EXPECT_EQ(e.error.code, 420);
  EXPECT_EQ(e.error.name, "FLOOD_WAIT");
  EXPECT_EQ(e.error.argument, 31);
}

TEST_F(ClientSessionTest, GzippedResultsAreInflatedWhetherGzipOrZlib) {
  Bytes big(5000, 0x41);
  for (bool zlib : {false, true}) {
    auto id = session.enqueue(config_query());
    auto sent = send();
    Bytes packed;
    if (zlib) {
      // zlib-wrapped deflate, as some clients send: 78 9c header, stored blocks are enough here.
      z_stream z{};
      deflateInit(&z, 6);
      packed.resize(deflateBound(&z, big.size()));
      z.next_in = big.data();
      z.avail_in = static_cast<uInt>(big.size());
      z.next_out = packed.data();
      z.avail_out = static_cast<uInt>(packed.size());
      deflate(&z, Z_FINISH);
      packed.resize(z.total_out);
      deflateEnd(&z);
    } else {
      packed = gzip_compress(big);
    }
    auto gz = boxed(mtp::gzip_packed{.packed_data = std::string(packed.begin(), packed.end())});
    auto events = receive(server.packet(rpc_result(sent[0].msg_id, gz), now));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<RpcResultEvent>(events[0]).request, id);
    EXPECT_EQ(std::get<RpcResultEvent>(events[0]).result, big);
  }
}

TEST_F(ClientSessionTest, LargeCompressibleRequestsAreSentGzipPacked) {
  Bytes q = config_query();
  q.resize(4000, 0);
  session.enqueue(q);
  auto sent = send();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].id(), kGzipPackedId);
  auto packed = tl::deserialize<mtp::gzip_packed>(sent[0].body);
  ASSERT_TRUE(packed.ok());
  EXPECT_EQ(*gzip_decompress(as_bytes(packed->packed_data)), q);
}

TEST_F(ClientSessionTest, BadServerSaltAdoptsTheSaltAndResendsWithANewMsgId) {
  auto id = session.enqueue(config_query());
  auto sent = send();
  receive(server.packet(boxed(mtp::bad_server_salt{.bad_msg_id = sent[0].msg_id, .bad_msg_seqno = sent[0].seq_no,
                                                   .error_code = 48, .new_server_salt = 777}), now, false));
  EXPECT_EQ(session.salt(), 777u);
  MessageHeader outer;
  auto again = send(&outer);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(outer.salt, 777u);
  EXPECT_NE(again[0].msg_id, sent[0].msg_id);
  auto events = receive(server.packet(rpc_result(again[0].msg_id, Bytes(4, 9)), now));
  EXPECT_EQ(std::get<RpcResultEvent>(events.at(0)).request, id);
}

TEST_F(ClientSessionTest, BadServerSaltForAContainerResendsEverythingInIt) {
  session.enqueue(config_query());
  session.enqueue(config_query());
  MessageHeader outer;
  auto sent = send(&outer);
  receive(server.packet(boxed(mtp::bad_server_salt{.bad_msg_id = outer.msg_id, .bad_msg_seqno = outer.seq_no,
                                                   .error_code = 48, .new_server_salt = 5}), now, false));
  EXPECT_EQ(send().size(), 2u);
}

TEST_F(ClientSessionTest, TimeTooLowCorrectsTheClockFromTheServersMsgId) {
  session.enqueue(config_query());
  auto sent = send();
  // The server's clock is 1000 s ahead.
  test::ScriptedPeer ahead = server;
  auto notice = ahead.packet(boxed(mtp::bad_msg_notification{.bad_msg_id = sent[0].msg_id, .bad_msg_seqno = 1, .error_code = 16}),
                             now + 1000s, false);
  receive(notice);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(session.time_offset()).count(), 1000);
  auto again = send();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(msg_id_seconds(again[0].msg_id), unix_seconds(now) + 1000);
}

TEST_F(ClientSessionTest, AnInvalidContainerNoticeFailsItsRequests) {
  auto id = session.enqueue(config_query());
  auto sent = send();
  auto events = receive(server.packet(boxed(mtp::bad_msg_notification{.bad_msg_id = sent[0].msg_id, .bad_msg_seqno = 1, .error_code = 64}), now, false));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<RequestFailedEvent>(events[0]).request, id);
  EXPECT_FALSE(session.is_pending(id));
}

TEST_F(ClientSessionTest, NewSessionCreatedAdoptsTheSaltAndResendsOlderRequests) {
  auto id = session.enqueue(config_query());
  auto sent = send();
  auto events = receive(server.packet(boxed(mtp::new_session_created{.first_msg_id = sent[0].msg_id + 4, .unique_id = 9, .server_salt = 31}), now, false));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<NewSessionEvent>(events[0]).unique_id, 9u);
  EXPECT_EQ(session.salt(), 31u);
  auto again = send();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].msg_id, sent[0].msg_id);
  EXPECT_TRUE(session.is_pending(id));
}

TEST_F(ClientSessionTest, AfterAConnectionLossUnansweredRequestsAreResentWithTheSameMsgId) {
  auto a = session.enqueue(config_query());
  auto b = session.enqueue(config_query());
  auto sent = send();
  receive(server.packet(rpc_result(sent[0].msg_id, Bytes(4, 1)), now));
  receive(server.packet(boxed(mtp::msgs_ack{.msg_ids = {sent[1].msg_id}}), now, false));
  session.on_connection_lost();
  auto again = send();
  // b was acknowledged but not answered: sent again, same msg_id; a is done. The ack rides along.
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].msg_id, sent[1].msg_id);
  EXPECT_EQ(again[0].seq_no, sent[1].seq_no);
  EXPECT_FALSE(session.is_pending(a));
  EXPECT_TRUE(session.is_pending(b));
}

TEST_F(ClientSessionTest, PingIsAnsweredByPongWithoutRpcResult) {
  auto id = session.enqueue(query(42));
  auto sent = send();
  auto events = receive(server.packet(boxed(mtp::pong{.msg_id = sent[0].msg_id, .ping_id = 42}), now, false));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<RpcResultEvent>(events[0]).request, id);
}

TEST_F(ClientSessionTest, FutureSaltsAnswerTheirRequestAndAreUsedWhenValid) {
  auto id = session.enqueue(boxed(mtp::get_future_salts{.num = 2}));
  auto sent = send();
  auto t = unix_seconds(now);
  auto events = receive(server.packet(boxed(mtp::future_salts{.req_msg_id = sent[0].msg_id, .now = static_cast<std::int32_t>(t),
      .salts = {mtp::future_salt{.valid_since = static_cast<std::int32_t>(t - 10), .valid_until = static_cast<std::int32_t>(t + 3600), .salt = 100},
                mtp::future_salt{.valid_since = static_cast<std::int32_t>(t + 3600), .valid_until = static_cast<std::int32_t>(t + 7200), .salt = 200}}}), now, false));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<RpcResultEvent>(events[0]).request, id);
  session.enqueue(config_query());
  MessageHeader outer;
  send(&outer);
  EXPECT_EQ(outer.salt, 100u);
  now += 3700s;
  session.enqueue(config_query());
  send(&outer);
  EXPECT_EQ(outer.salt, 200u);
}

TEST_F(ClientSessionTest, UpdatesAndContainersFromTheServerAreDelivered) {
  auto id = session.enqueue(config_query());
  auto sent = send();
  Bytes update = {0x01, 0x02, 0x03, 0x04};  // any object not answering a request
  auto events = receive(server.container_packet({update, rpc_result(sent[0].msg_id, Bytes(4, 7))}, now));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<UpdateEvent>(events[0]).body, update);
  EXPECT_EQ(std::get<RpcResultEvent>(events[1]).request, id);
}

TEST_F(ClientSessionTest, MsgsStateReqIsAnswered) {
  auto req = server.packet(boxed(mtp::msgs_state_req{.msg_ids = {12345678}}), now);
  receive(req);
  auto out = send();
  bool found = false;
  for (const auto& m : out) {
    if (m.id() != mtp::msgs_state_info::kId) continue;
    auto info = tl::deserialize<mtp::msgs_state_info>(m.body);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->info, std::string(1, '\x01'));
    found = true;
  }
  EXPECT_TRUE(found);
}

// --- rejection rules: each leaves the session unchanged ---

struct Rejection : ClientSessionTest {
  void expect_rejected(Bytes packet, MtprotoErrc code) {
    auto before = session.pending_count();
    auto events = session.on_packet(MutableByteView(packet), now);
    ASSERT_FALSE(events.ok());
    EXPECT_TRUE(is(events.error(), code)) << events.error().to_string();
    EXPECT_EQ(session.pending_count(), before);
    EXPECT_FALSE(session.has_outgoing(now + 10s));  // nothing to acknowledge
  }
};

TEST_F(Rejection, WrongSessionId) {
  session.enqueue(config_query());
  send();
  server.session_id ^= 1;
  expect_rejected(server.packet(Bytes{1, 2, 3, 4}, now), MtprotoErrc::bad_session);
}

TEST_F(Rejection, MsgIdWithClientParity) {
  server.ids = MessageIdGenerator(MsgIdKind::client);
  expect_rejected(server.packet(Bytes{1, 2, 3, 4}, now), MtprotoErrc::bad_msg_id);
}

TEST_F(Rejection, MsgIdOutsideTheTimeWindow) {
  expect_rejected(server.packet(Bytes{1, 2, 3, 4}, now - 400s), MtprotoErrc::bad_msg_id);
  expect_rejected(server.packet(Bytes{1, 2, 3, 4}, now + 60s), MtprotoErrc::bad_msg_id);
}

TEST_F(Rejection, DuplicateMsgId) {
  auto packet = server.packet(Bytes{1, 2, 3, 4}, now);
  auto copy = packet;
  receive(packet);
  now += 2s;  // let the ack go
  session.take_outgoing(now);
  expect_rejected(copy, MtprotoErrc::duplicate_msg_id);
}

TEST_F(Rejection, TamperedPacket) {
  auto packet = server.packet(Bytes{1, 2, 3, 4}, now);
  packet[40] ^= 1;
  expect_rejected(packet, MtprotoErrc::msg_key_mismatch);
}

TEST_F(Rejection, ABadContainer) {
  Bytes c(8);
  store_le32(c.data(), kMsgContainerId);
  store_le32(c.data() + 4, 5000);
  expect_rejected(server.packet(c, now, false), MtprotoErrc::bad_container);
}

}  // namespace
}  // namespace telepp::mtproto
