// The test server's robustness over real TCP: the drop, delay and flood-wait knobs (at start and
// at run time), resent and replayed requests answered from the stored result instead of being
// executed twice, and stale or malformed msg_ids answered with bad_msg_notification.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "telepp/api.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/container.hpp"
#include "telepp/mtproto/encrypted_message.hpp"
#include "telepp/server/server.hpp"
#include "query_support.hpp"
#include "test_client.hpp"

namespace telepp::server {
namespace {

namespace api = telepp::api;
using test::TestClient;
using test::boxed;
using test::init_wrapped;
using Clock = std::chrono::steady_clock;

/// One message the server sent, taken out of its packet (and out of a container).
struct Received {
  std::int64_t msg_id = 0;
  Bytes body;
};

/// Decrypts a server packet with the client's key and flattens a container. Empty on failure.
std::vector<Received> open_packet(const mtproto::AuthKey& key, Bytes packet) {
  auto message = mtproto::decrypt_message(key, mtproto::Direction::server_to_client, MutableByteView(packet));
  if (!message) return {};
  std::vector<Received> out;
  if (!mtproto::is_container(message->body)) {
    out.push_back({message->header.msg_id, Bytes(message->body.begin(), message->body.end())});
    return out;
  }
  auto inner = mtproto::parse_container(message->body);
  if (!inner) return {};
  for (const auto& m : *inner) out.push_back({m.msg_id, Bytes(m.body.begin(), m.body.end())});
  return out;
}

/// The content of an rpc_result answering `req_msg_id` (a result or a boxed rpc_error), if `m` is one.
std::optional<Bytes> rpc_result_for(const Received& m, std::int64_t req_msg_id) {
  if (m.body.size() < 12 || load_le32(m.body.data()) != mtp::rpc_result::kId) return std::nullopt;
  if (static_cast<std::int64_t>(load_le64(m.body.data() + 4)) != req_msg_id) return std::nullopt;
  return Bytes(m.body.begin() + 12, m.body.end());
}

/// The error_code of a bad_msg_notification about `bad_msg_id`, if `m` is one.
std::optional<int> bad_msg_code_for(const Received& m, std::int64_t bad_msg_id) {
  if (m.body.size() != 20 || load_le32(m.body.data()) != mtp::bad_msg_notification::kId) return std::nullopt;
  if (static_cast<std::int64_t>(load_le64(m.body.data() + 4)) != bad_msg_id) return std::nullopt;
  return static_cast<int>(load_le32(m.body.data() + 16));
}

bool is_rpc_error(ByteView content) { return content.size() >= 4 && load_le32(content.data()) == mtp::rpc_error::kId; }

/// A msg_id as a client makes them (a multiple of 4) for `seconds_from_now`, unique per call.
std::int64_t client_msg_id(int seconds_from_now) {
  static std::uint32_t counter = 0;
  auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  counter += 4;
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(unix_now + seconds_from_now) << 32) | counter);
}

Knobs knob_drop_after(int messages) {
  Knobs k;
  k.drop_after = messages;
  return k;
}

Knobs knob_delay_ms(int ms) {
  Knobs k;
  k.delay_ms = ms;
  return k;
}

class RobustnessTest : public ::testing::Test {
 protected:
  void start(Knobs knobs = {}) {
    ServerConfig config;
    config.dcs = 1;
    config.knobs = std::move(knobs);
    auto s = Server::start(config);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    server = std::move(*s);
  }
  std::unique_ptr<TestClient> client() {
    auto c = std::make_unique<TestClient>(server->port(1), server->public_key_pem());
    EXPECT_TRUE(c->connect());
    EXPECT_TRUE(c->handshake());
    return c;
  }
  /// A client whose key has said initConnection.
  std::unique_ptr<TestClient> initialised_client() {
    auto c = client();
    EXPECT_TRUE(c->query(init_wrapped(api::help::getConfig{})).result.has_value());
    return c;
  }

  /// Sends whatever the client session has queued.
  static void send_queued(TestClient& c) {
    while (auto packet = c.session().take_outgoing(test::wall_now(), 0)) c.send_frame(packet->view());
  }
  /// Sends a message the client session knows nothing of (our own msg_id and seq_no).
  static void send_sealed(TestClient& c, std::int64_t msg_id, std::int32_t seq_no, ByteView body) {
    Buffer packet(mtproto::kEncryptedHeaderSize, body.size());
    packet.append(body);
    mtproto::MessageHeader header{.salt = c.session().salt(), .session_id = c.session().session_id(), .msg_id = msg_id, .seq_no = seq_no};
    (void)mtproto::encrypt_message(c.key(), mtproto::Direction::client_to_server, header, packet, entropy());
    c.send_frame(packet.view());
  }
  /// Reads packets until one holds a message `match` accepts (or the connection ends).
  template <class Match>
  static auto wait_for(TestClient& c, Match match) -> decltype(match(Received{})) {
    for (int i = 0; i < 20; ++i) {
      auto r = c.next();
      if (!r.result) break;
      for (const auto& m : open_packet(c.key(), std::move(*r.result))) {
        if (auto found = match(m)) return found;
      }
    }
    return std::nullopt;
  }
  /// Sends queued requests and feeds answers to the session until `id` is answered.
  static test::QueryResult pump_until_answered(TestClient& c, mtproto::RequestId id) {
    test::QueryResult out;
    for (int i = 0; i < 20 && !out.result && !out.error; ++i) {
      send_queued(c);
      auto r = c.next();
      if (!r.result) return r;
      auto events = c.session().on_packet(MutableByteView(*r.result), test::wall_now());
      if (!events) break;
      for (auto& e : *events) {
        if (auto* ok = std::get_if<mtproto::RpcResultEvent>(&e); ok && ok->request == id) out.result = std::move(ok->result);
        if (auto* bad = std::get_if<mtproto::RpcErrorEvent>(&e); bad && bad->request == id) out.error = bad->error;
      }
    }
    return out;
  }
  static Entropy& entropy() {
    static test::FixedEntropy e{99};
    return e;
  }

  std::unique_ptr<Server> server;
};

// --- drop-after -------------------------------------------------------------------------------

TEST_F(RobustnessTest, DropAfterClosesTheConnectionAndTheResentRequestIsAnswered) {
  // The handshake is 3 messages: the 4th, the first query, ends the connection unread.
  start(knob_drop_after(3));
  auto c = client();
  auto id = c->session().enqueue(init_wrapped(api::help::getNearestDc{}));
  send_queued(*c);
  EXPECT_TRUE(c->next().closed);
  // On a new connection the session sends the request again, and it is answered.
  ASSERT_TRUE(c->connect());
  auto r = pump_until_answered(*c, id);
  ASSERT_TRUE(r.result.has_value()) << (r.error ? r.error->message() : "no answer");
  EXPECT_EQ(tl::deserialize<api::NearestDc>(*r.result)->as<api::nearestDc>().this_dc, 1);
}

TEST_F(RobustnessTest, DropAfterSetAtRunTimeCountsMessagesPerConnection) {
  start();
  auto c = initialised_client();
  server->set_knobs(knob_drop_after(2));
  // A new connection: two queries pass, the third closes it.
  ASSERT_TRUE(c->connect());
  EXPECT_TRUE(c->query(boxed(api::help::getNearestDc{})).result.has_value());
  EXPECT_TRUE(c->query(boxed(api::help::getNearestDc{})).result.has_value());
  EXPECT_TRUE(c->query(boxed(api::help::getNearestDc{})).closed);
  server->set_knobs({});
  ASSERT_TRUE(c->connect());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(c->query(boxed(api::help::getNearestDc{})).result.has_value()) << i;
}

// --- delay ------------------------------------------------------------------------------------

TEST_F(RobustnessTest, DelayKnobHoldsEachAnswerBack) {
  start(knob_delay_ms(50));
  auto c = client();
  auto started = Clock::now();
  ASSERT_TRUE(c->query(init_wrapped(api::help::getNearestDc{})).result.has_value());
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(50));
  // Set at run time too.
  server->set_knobs(knob_delay_ms(80));
  started = Clock::now();
  ASSERT_TRUE(c->query(boxed(api::help::getNearestDc{})).result.has_value());
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(80));
}

// --- flood wait -------------------------------------------------------------------------------

TEST_F(RobustnessTest, FloodWaitFromTheConfigHitsOnlyItsMethodAndCanBeLifted) {
  start(Knobs{.flood_wait = {{"help.getNearestDc", 3}}});
  auto c = initialised_client();  // help.getConfig is not affected
  auto r = c->query(boxed(api::help::getNearestDc{}));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, 420);
  EXPECT_EQ(r.error->message(), "FLOOD_WAIT_3");
  server->set_knobs({});
  EXPECT_TRUE(c->query(boxed(api::help::getNearestDc{})).result.has_value());
  server->set_knobs(Knobs{.flood_wait = {{"help.getConfig", 9}}});
  auto config = c->query(boxed(api::help::getConfig{}));
  ASSERT_TRUE(config.error.has_value());
  EXPECT_EQ(config.error->argument, 9);
  EXPECT_TRUE(c->query(boxed(api::help::getNearestDc{})).result.has_value());
}

// --- resends and replays ----------------------------------------------------------------------

// NOTE: "not executed twice" is observed through the protocol: after the first execution a
// flood-wait knob is set for the method, so a second execution would answer FLOOD_WAIT_7.

TEST_F(RobustnessTest, ARequestResentAfterAReconnectIsAnsweredFromTheStoredResult) {
  start();
  auto c = initialised_client();
  auto id = c->session().enqueue(boxed(api::help::getNearestDc{}));
  send_queued(*c);
  // The answer arrives, but the client loses the connection before it reads it.
  std::int64_t req_msg_id = 0;
  auto first = wait_for(*c, [&](const Received& m) -> std::optional<Bytes> {
    if (m.body.size() < 12 || load_le32(m.body.data()) != mtp::rpc_result::kId) return std::nullopt;
    req_msg_id = static_cast<std::int64_t>(load_le64(m.body.data() + 4));
    return Bytes(m.body.begin() + 12, m.body.end());
  });
  ASSERT_TRUE(first.has_value());
  ASSERT_FALSE(is_rpc_error(*first));
  server->set_knobs(Knobs{.flood_wait = {{"help.getNearestDc", 7}}});

  ASSERT_TRUE(c->connect());  // the session resends the request with the same msg_id
  auto again = pump_until_answered(*c, id);
  ASSERT_TRUE(again.result.has_value()) << (again.error ? again.error->message() : "no answer");
  EXPECT_EQ(*again.result, *first);
  // Nothing else answers that msg_id (a second execution would): a round trip flushes it out.
  c->session().enqueue(boxed(api::help::getConfig{}));
  send_queued(*c);
  bool second_execution = false;
  auto next_answer = wait_for(*c, [&](const Received& m) -> std::optional<Bytes> {
    if (m.body.size() < 12 || load_le32(m.body.data()) != mtp::rpc_result::kId) return std::nullopt;
    Bytes content(m.body.begin() + 12, m.body.end());
    if (static_cast<std::int64_t>(load_le64(m.body.data() + 4)) != req_msg_id) return content;
    second_execution = second_execution || content != *first;
    return std::nullopt;
  });
  EXPECT_TRUE(next_answer.has_value());
  EXPECT_FALSE(second_execution);
}

TEST_F(RobustnessTest, AReplayedRequestOnAnotherConnectionIsAnsweredFromTheStoredResult) {
  start();
  auto c = initialised_client();
  auto msg_id = client_msg_id(0);
  auto query = boxed(api::help::getNearestDc{});
  send_sealed(*c, msg_id, 1, query);
  auto first = wait_for(*c, [&](const Received& m) { return rpc_result_for(m, msg_id); });
  ASSERT_TRUE(first.has_value());
  ASSERT_FALSE(is_rpc_error(*first));
  server->set_knobs(Knobs{.flood_wait = {{"help.getNearestDc", 7}}});

  ASSERT_TRUE(c->connect());
  send_sealed(*c, msg_id, 1, query);
  auto second = wait_for(*c, [&](const Received& m) { return rpc_result_for(m, msg_id); });
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, *first);
  // A fresh msg_id is a new request: it runs, and meets the knob.
  auto fresh = client_msg_id(0);
  send_sealed(*c, fresh, 3, query);
  auto third = wait_for(*c, [&](const Received& m) { return rpc_result_for(m, fresh); });
  ASSERT_TRUE(third.has_value());
  EXPECT_TRUE(is_rpc_error(*third));
}

// --- msg_ids the server refuses ---------------------------------------------------------------

TEST_F(RobustnessTest, StaleFutureAndMalformedMsgIdsGetBadMsgNotificationAndTheConnectionLives) {
  start();
  auto c = initialised_client();
  auto ping = boxed(mtp::ping{.ping_id = 5});
  struct Case {
    std::int64_t msg_id;
    int code;
  };
  const Case cases[] = {
      {client_msg_id(-400), 16},     // more than 300 s in the past
      {client_msg_id(+60), 17},      // more than 30 s in the future
      {client_msg_id(0) | 1, 18},    // a client msg_id must be divisible by 4
  };
  for (const auto& k : cases) {
    send_sealed(*c, k.msg_id, 1, ping);
    auto code = wait_for(*c, [&](const Received& m) { return bad_msg_code_for(m, k.msg_id); });
    ASSERT_TRUE(code.has_value()) << k.code;
    EXPECT_EQ(*code, k.code);
  }
  // The same connection and session still work.
  EXPECT_TRUE(c->query(boxed(api::help::getNearestDc{})).result.has_value());
}

// --- one connection cannot hurt another -------------------------------------------------------

TEST_F(RobustnessTest, TruncatedFramesAndAbruptClosesLeaveOtherConnectionsServed) {
  start();
  auto good = initialised_client();
  // A frame that announces more bytes than it sends, then a close; a handshake left half-done.
  {
    TestClient bad(server->port(1), server->public_key_pem());
    ASSERT_TRUE(bad.connect());
    const Byte truncated[] = {0x00, 0x01, 0x00, 0x00, 0x01, 0x02};
    bad.send_raw(truncated);
  }
  {
    TestClient half(server->port(1), server->public_key_pem());
    ASSERT_TRUE(half.connect());
    mtproto::handshake::ClientHandshakeConfig config;
    auto key = crypto::RsaPublicKey::from_pem(server->public_key_pem());
    ASSERT_TRUE(key.ok());
    config.trust(*key);
    mtproto::handshake::ClientHandshake hs(config);
    auto first = hs.start(test::wall_now(), entropy());
    ASSERT_TRUE(first.ok());
    half.send_frame(*first);
  }
  EXPECT_TRUE(good->query(boxed(api::help::getNearestDc{})).result.has_value());
  // The good client's key still works on a new connection, alongside a new client.
  ASSERT_TRUE(good->connect());
  EXPECT_TRUE(good->query(boxed(api::help::getNearestDc{})).result.has_value());
  EXPECT_TRUE(initialised_client()->query(boxed(api::help::getNearestDc{})).result.has_value());
}

}  // namespace
}  // namespace telepp::server
