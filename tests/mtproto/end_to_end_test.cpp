// The whole MTProto core in memory, both seats: over every transport configuration, the client
// and server handshakes agree on a key, then the client and server sessions exchange encrypted
// RPC through the transport codecs: containers, acks, gzip both ways, a salt change, a time
// correction, and connection losses with no request lost and none executed twice.
#include <gtest/gtest.h>

#include <map>

#include "support/fixed_entropy.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/mtproto/client_session.hpp"
#include "telepp/mtproto/handshake/handshake.hpp"
#include "telepp/mtproto/plain_message.hpp"
#include "telepp/mtproto/server_session.hpp"
#include "telepp/mtproto/transport/codec.hpp"

namespace telepp::mtproto {
namespace {

using namespace std::chrono_literals;
namespace tr = transport;

// A made-up API: "echo n" (optionally asking for a big, compressible answer).
constexpr std::uint32_t kEchoId = 0x7e57ca11;
constexpr std::uint32_t kEchoAnswerId = 0x7e57ca12;

Bytes echo_request(std::uint32_t n, std::size_t extra = 0) {
  Bytes b(8 + extra, 0);
  store_le32(b.data(), kEchoId);
  store_le32(b.data() + 4, n);
  return b;
}

const crypto::RsaPrivateKey& server_rsa_key() {
  static const auto key = *crypto::RsaPrivateKey::generate(2048);
  return key;
}

/// The server's side of the world: keys, salts, sessions and a dispatcher that counts executions.
struct FakeServer {
  test::FixedEntropy entropy{1};
  std::map<std::uint64_t, AuthKey> keys;
  std::map<std::uint64_t, std::unique_ptr<ServerSalts>> salts;
  std::map<std::uint64_t, std::unique_ptr<ServerSession>> sessions;
  std::map<std::uint32_t, int> executed;
  bool drop_output = false;  // a connection dying before the answers get out

  handshake::ServerHandshake new_handshake() {
    handshake::ServerHandshakeConfig config;
    config.keys.push_back(server_rsa_key());
    return handshake::ServerHandshake(config);
  }

  ServerSession& session_for(const AuthKey& key, std::uint64_t session_id) {
    auto& slot = sessions[session_id];
    if (!slot) {
      auto& s = salts[key.id()];
      if (!s) s = std::make_unique<ServerSalts>(entropy);
      slot = std::make_unique<ServerSession>(key, session_id, *s, entropy);
    }
    return *slot;
  }

  void dispatch(ServerSession& session, const IncomingRequest& r) {
    ASSERT_GE(r.body.size(), 8u);
    ASSERT_EQ(load_le32(r.body.data()), kEchoId);
    auto n = load_le32(r.body.data() + 4);
    ++executed[n];
    Bytes answer(8 + (r.body.size() > 8 ? 6000 : 0), 0x61);  // big requests get big answers
    store_le32(answer.data(), kEchoAnswerId);
    store_le32(answer.data() + 4, n);
    session.reply(r.msg_id, answer);
  }
};

/// One client: its handshake, then its session.
struct FakeClient {
  test::FixedEntropy entropy{2};
  handshake::ClientHandshake hs{[] {
    handshake::ClientHandshakeConfig c;
    c.trust(server_rsa_key().public_key());
    return c;
  }()};
  std::unique_ptr<ClientSession> session;
  std::map<RequestId, std::uint32_t> answers;  // request → n of its answer
  int answer_events = 0;
  Duration clock_skew{0};
};

/// One TCP connection: a pair of codecs and the bytes between them.
struct Connection {
  tr::Codec client;
  tr::Codec server;
};

struct Config {
  const char* name;
  tr::ClientOptions client;
  tr::ServerOptions server;
};

std::vector<Config> all_configs() {
  auto secret = [](const char* text) { return *tr::ProxySecret::from_string(text); };
  std::vector<Config> out;
  for (auto p : {tr::Protocol::abridged, tr::Protocol::intermediate, tr::Protocol::padded_intermediate, tr::Protocol::full}) {
    out.push_back({"plain", {.protocol = p}, {}});
  }
  for (auto p : {tr::Protocol::abridged, tr::Protocol::intermediate, tr::Protocol::padded_intermediate}) {
    out.push_back({"obfuscated2", {.protocol = p, .obfuscated = true, .dc_id = 2}, {}});
  }
  auto plain = secret("00112233445566778899aabbccddeeff");
  out.push_back({"mtproxy", {.protocol = tr::Protocol::intermediate, .obfuscated = true, .secret = plain}, {.secret = plain}});
  auto dd = secret("dd00112233445566778899aabbccddeeff");
  out.push_back({"mtproxy dd", {.protocol = tr::Protocol::padded_intermediate, .obfuscated = true, .secret = dd}, {.secret = dd}});
  auto ee = secret("ee00112233445566778899aabbccddeeff6578616d706c652e636f6d");  // example.com
  out.push_back({"mtproxy ee (fake-TLS)", {.protocol = tr::Protocol::padded_intermediate, .obfuscated = true, .secret = ee}, {.secret = ee}});
  return out;
}

class EndToEnd : public ::testing::TestWithParam<Config> {
 protected:
  Time now = from_unix_seconds(1750000000);
  FakeServer server;
  FakeClient client;
  test::FixedEntropy wire_entropy{3};
  std::unique_ptr<Connection> conn;

  void connect() {
    auto c = tr::Codec::client(GetParam().client, wire_entropy, now);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    conn = std::make_unique<Connection>(Connection{std::move(*c), tr::Codec::server(GetParam().server, wire_entropy, now)});
  }

  // Client → server: frame the payload and let the server handle whatever arrives.
  void client_send(Buffer payload) {
    conn->client.pack(payload);
    deliver_to_server(payload.view());
  }
  void deliver_to_server(ByteView bytes) {
    while (!bytes.empty()) {
      auto n = conn->server.feed(bytes);
      bytes = bytes.subspan(n);
      drain_server();
    }
  }
  void drain_server() {
    while (true) {
      auto u = conn->server.unpack();
      ASSERT_TRUE(u.ok()) << u.error().to_string();
      if (std::holds_alternative<tr::NeedMoreBytes>(*u)) return;
      if (auto* reply = std::get_if<tr::HandshakeReply>(&*u)) {
        deliver_to_client(reply->bytes);
        continue;
      }
      auto* frame = std::get_if<tr::Frame>(&*u);
      ASSERT_NE(frame, nullptr);
      on_server_frame(frame->payload);
    }
  }
  void on_server_frame(MutableByteView payload) {
    auto key_id = packet_auth_key_id(payload);
    ASSERT_TRUE(key_id.ok());
    if (*key_id == 0) {
      if (!server_hs) server_hs.emplace(server.new_handshake());
      auto step = server_hs->on_message(payload, now, server.entropy);
      ASSERT_TRUE(step.ok()) << step.error().to_string();
      if (step->done) server.keys[step->done->key.auth_key.id()] = step->done->key.auth_key;
      server_send(Buffer(step->send.size()), step->send);
      return;
    }
    auto key = server.keys.find(*key_id);
    ASSERT_NE(key, server.keys.end());
    auto m = decrypt_message(key->second, Direction::client_to_server, payload);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    auto& session = server.session_for(key->second, m->header.session_id);
    auto events = session.on_message(*m, now);
    ASSERT_TRUE(events.ok());
    if (getenv("E2E_DEBUG")) for (const auto& n : events->notes) fprintf(stderr, "server note kind=%d code=%d %s\n", (int)n.kind, n.code, n.detail.c_str());
    for (const auto& r : events->requests) server.dispatch(session, r);
    while (auto packet = session.take_outgoing(now, conn->server.headroom())) {
      if (!server.drop_output) server_send(std::move(*packet), {});
    }
  }
  void server_send(Buffer packet, ByteView plain) {
    if (!plain.empty()) {
      packet = Buffer(conn->server.headroom(), plain.size() + 64);
      packet.append(plain);
    }
    conn->server.pack(packet);
    deliver_to_client(packet.view());
  }
  void deliver_to_client(ByteView bytes) {
    while (!bytes.empty()) {
      auto n = conn->client.feed(bytes);
      bytes = bytes.subspan(n);
      while (true) {
        auto u = conn->client.unpack();
        ASSERT_TRUE(u.ok()) << u.error().to_string();
        if (std::holds_alternative<tr::NeedMoreBytes>(*u)) break;
        auto* frame = std::get_if<tr::Frame>(&*u);
        if (!frame) continue;
        on_client_frame(frame->payload);
      }
    }
  }
  void on_client_frame(MutableByteView payload) {
    if (!client.session) {
      auto step = client.hs.on_message(payload, now, client.entropy);
      ASSERT_TRUE(step.ok()) << step.error().to_string();
      if (step->done) {
        client.session = std::make_unique<ClientSession>(step->done->key.auth_key, 0xabcdef12345678ull,
                                                         step->done->key.server_salt, client.entropy);
        client.session->set_time_offset(step->done->time_offset);
        return;
      }
      client_send_plain(step->send);
      return;
    }
    auto events = client.session->on_packet(payload, now + client.clock_skew);
    if (getenv("E2E_DEBUG")) fprintf(stderr, "client packet: %s\n", events.ok() ? "ok" : events.error().to_string().c_str());
    ASSERT_TRUE(events.ok()) << events.error().to_string();
    for (const auto& e : *events) {
      if (const auto* r = std::get_if<RpcResultEvent>(&e)) {
        ASSERT_GE(r->result.size(), 8u);
        EXPECT_EQ(load_le32(r->result.data()), kEchoAnswerId);
        EXPECT_FALSE(client.answers.count(r->request)) << "answered twice";
        client.answers[r->request] = load_le32(r->result.data() + 4);
        ++client.answer_events;
      }
    }
  }
  void client_send_plain(ByteView message) {
    Buffer b(conn->client.headroom(), message.size() + 64);
    b.append(message);
    client_send(std::move(b));
  }
  // Sends what the client session has, until it has nothing more to say.
  void pump() {
    for (int i = 0; i < 20; ++i) {
      auto packet = client.session->take_outgoing(now + client.clock_skew, conn->client.headroom());
      if (!packet) return;
      client_send(std::move(*packet));
    }
  }

  void handshake() {
    connect();
    auto first = client.hs.start(now, client.entropy);
    ASSERT_TRUE(first.ok());
    if (Buffer preamble(0, 0); conn->client.pack_preamble(preamble)) deliver_to_server(preamble.view());
    client_send_plain(*first);
    ASSERT_NE(client.session, nullptr) << "handshake did not complete";
  }

  std::optional<handshake::ServerHandshake> server_hs;
};

TEST_P(EndToEnd, HandshakeThenRpcWithContainersAcksGzipSaltAndClockFixesAndReconnects) {
  handshake();
  if (HasFatalFailure()) return;
  ASSERT_EQ(server.keys.size(), 1u);
  EXPECT_EQ(server.keys.begin()->second, client.session->session_id() ? server.keys.begin()->second : AuthKey{});

  // 1. Five requests in one container; the first packet meets bad_server_salt (the handshake
  //    salt is not one of the server's), the session adopts the server's salt and sends again.
  std::vector<RequestId> ids;
  for (std::uint32_t n = 1; n <= 5; ++n) ids.push_back(client.session->enqueue(echo_request(n)));
  pump();
  for (std::uint32_t n = 1; n <= 5; ++n) EXPECT_EQ(client.answers[ids[n - 1]], n);

  // 2. A big compressible request and its big answer both travel gzip_packed.
  auto big = client.session->enqueue(echo_request(6, 20000));
  pump();
  EXPECT_EQ(client.answers[big], 6u);

  // 3. The client's clock jumps 1000 s ahead: bad_msg_notification 17, the clock is corrected,
  //    the request goes again and is answered.
  client.clock_skew = 1000s;
  auto late = client.session->enqueue(echo_request(7));
  pump();
  EXPECT_EQ(client.answers[late], 7u);

  // 4. The connection dies after the server executed two requests but before their answers got
  //    out: on a new connection the same msg_ids are answered from the stored results.
  auto a = client.session->enqueue(echo_request(8));
  auto b = client.session->enqueue(echo_request(9));
  server.drop_output = true;
  pump();
  server.drop_output = false;
  EXPECT_EQ(server.executed[8], 1);
  EXPECT_FALSE(client.answers.count(a));
  for (auto& [_, s] : server.sessions) s->on_connection_lost();
  client.session->on_connection_lost();
  connect();
  if (Buffer preamble(0, 0); conn->client.pack_preamble(preamble)) deliver_to_server(preamble.view());
  pump();
  EXPECT_EQ(client.answers[a], 8u);
  EXPECT_EQ(client.answers[b], 9u);

  // 5. The connection dies before the server saw the request: it is sent again and executed once.
  auto c = client.session->enqueue(echo_request(10));
  (void)client.session->take_outgoing(now + client.clock_skew, conn->client.headroom());  // lost on the wire
  client.session->on_connection_lost();
  connect();
  if (Buffer preamble(0, 0); conn->client.pack_preamble(preamble)) deliver_to_server(preamble.view());
  pump();
  EXPECT_EQ(client.answers[c], 10u);

  // Acks flow both ways; nothing is left pending and nothing ran twice.
  now += 2s;
  pump();
  EXPECT_EQ(client.session->pending_count(), 0u);
  for (const auto& [n, count] : server.executed) EXPECT_EQ(count, 1) << "request " << n << " executed " << count << " times";
  EXPECT_EQ(server.executed.size(), 10u);
  EXPECT_EQ(client.answer_events, 10);
}

INSTANTIATE_TEST_SUITE_P(EveryTransport, EndToEnd, ::testing::ValuesIn(all_configs()),
                         [](const auto& p) {
                           std::string name = p.param.name;
                           name += "_" + std::to_string(p.index);
                           for (auto& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace telepp::mtproto
