// net::Connection against the embedded test server over loopback: the handshake and the seed
// call over every transport, rpc_errors, bot login, pushed updates, concurrent invokes, reusing
// a key, and the connection going away under pending invokes.
#include <gtest/gtest.h>

#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>

#include "net_test_support.hpp"
#include "telepp/net/errc.hpp"
#include "telepp/net/server_keys.hpp"
#include "telepp/net/signal.hpp"

namespace telepp::net::test {
namespace {

namespace tr = mtproto::transport;

const std::string kAliceToken = "7001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
const std::string kBobToken = "7002:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2";
const std::string kBadToken = "7001:short";
constexpr const char* kProxyKey = "00112233445566778899aabbccddeeff";

// One server for the tests that need no knobs of their own (its RSA key takes a while to make).
// It is a DC and an MTProxy (dd secret) at once.
server::Server& shared_server() {
  static auto server = start_server(1, std::string("dd") + kProxyKey);
  return *server;
}

tr::ProxySecret secret(const std::string& text) {
  auto s = tr::ProxySecret::from_string(text);
  EXPECT_TRUE(s.ok());
  return s.ok() ? *s : tr::ProxySecret{};
}

// The seed call on a new connection: the Config of this DC.
asio::awaitable<void> expect_config(const server::Server& s, tr::ClientOptions transport) {
  auto c = co_await Connection::connect(options_for(s, std::move(transport)));
  CO_ASSERT(c.ok());
  auto config = co_await call_bytes<api::help::getConfig>(*c, init_wrapped(api::help::getConfig{}));
  CO_ASSERT(config.has_value());
  const auto& cfg = config->as<api::config>();
  EXPECT_EQ(cfg.this_dc, 1);
  EXPECT_FALSE(cfg.dc_options.empty());
}

// NOTE: queries with braced lists are built outside coroutines: GCC 12 cannot keep an
// initializer_list's array in a coroutine frame ("array used as initializer").
api::users::getUsers get_self() { return api::users::getUsers{.id = {api::inputUserSelf{}}}; }

// A text message to `to`.
Bytes send_text(const api::user& to, const std::string& text) {
  return boxed(api::messages::sendMessage{
      .peer = api::inputPeerUser{.user_id = to.id, .access_hash = to.access_hash.value_or(0)},
      .message = text,
      .random_id = 42});
}

struct TransportCase {
  const char* name;
  tr::ClientOptions options;
};

// (names in test output; gtest would otherwise print the struct's bytes, padding included)
void PrintTo(const TransportCase& c, std::ostream* os) { *os << c.name; }

class NetTransports : public ::testing::TestWithParam<TransportCase> {};

TEST_P(NetTransports, HandshakeAndSeedCall) {
  auto* s = &shared_server();
  run([&]() -> asio::awaitable<void> { co_await expect_config(*s, GetParam().options); });
}

INSTANTIATE_TEST_SUITE_P(
    All, NetTransports,
    ::testing::Values(TransportCase{"abridged", {.protocol = tr::Protocol::abridged}},
                      TransportCase{"intermediate", {.protocol = tr::Protocol::intermediate}},
                      TransportCase{"padded", {.protocol = tr::Protocol::padded_intermediate}},
                      TransportCase{"full", {.protocol = tr::Protocol::full}},
                      TransportCase{"obfuscated_abridged", {.protocol = tr::Protocol::abridged, .obfuscated = true}},
                      TransportCase{"obfuscated_padded",
                                    {.protocol = tr::Protocol::padded_intermediate, .obfuscated = true}},
                      TransportCase{"mtproxy_dd", {.secret = secret(std::string("dd") + kProxyKey)}}),
    [](const ::testing::TestParamInfo<TransportCase>& p) { return std::string(p.param.name); });

TEST(NetConnection, FakeTlsSecret) {
  std::string domain_hex;
  for (char ch : std::string("example.com")) {
    static const char* hex = "0123456789abcdef";
    domain_hex += hex[static_cast<unsigned char>(ch) >> 4];
    domain_hex += hex[static_cast<unsigned char>(ch) & 15];
  }
  const std::string ee = std::string("ee") + kProxyKey + domain_hex;
  auto s = start_server(1, ee);
  ASSERT_TRUE(s);
  // (a named value: GCC 12 miscopies aggregate temporaries holding strings into coroutine frames)
  const tr::ClientOptions fake_tls{.secret = secret(ee)};
  run([&]() -> asio::awaitable<void> { co_await expect_config(*s, fake_tls); });
}

TEST(NetConnection, RpcErrorSurfacesAsAnAnswer) {
  auto* s = &shared_server();
  run([&]() -> asio::awaitable<void> {
    auto c = co_await Connection::connect(options_for(*s));
    CO_ASSERT(c.ok());
    // Without initConnection first, the server refuses.
    auto r = co_await c->invoke(boxed(api::help::getConfig{}));
    CO_ASSERT(r.ok());
    CO_ASSERT(r->rpc_error.has_value());
    EXPECT_EQ(r->rpc_error->code, 400);
    EXPECT_EQ(r->rpc_error->name, "CONNECTION_NOT_INITED");
    EXPECT_TRUE(r->answer.empty());
    // The connection stays usable.
    auto config = co_await call_bytes<api::help::getConfig>(*c, init_wrapped(api::help::getConfig{}));
    EXPECT_TRUE(config.has_value());
  });
}

TEST(NetConnection, BotLoginAndGetUsers) {
  auto* s = &shared_server();
  run([&]() -> asio::awaitable<void> {
    auto c = co_await Connection::connect(options_for(*s));
    CO_ASSERT(c.ok());
    auto me = co_await login_bot(*c, kAliceToken);
    CO_ASSERT(me.has_value());
    EXPECT_EQ(me->id, 7001);
    EXPECT_TRUE(me->bot);
    auto users = co_await call(*c, get_self());
    CO_ASSERT(users.has_value());
    CO_ASSERT(users->size() == 1);
    EXPECT_EQ((*users)[0].as<api::user>().id, 7001);
    EXPECT_TRUE((*users)[0].as<api::user>().self);
    // A bad token is an rpc_error, not a connection failure.
    auto bad = co_await c->invoke(bot_login_bytes(kBadToken));
    CO_ASSERT(bad.ok());
    CO_ASSERT(bad->rpc_error.has_value());
    EXPECT_EQ(bad->rpc_error->name, "ACCESS_TOKEN_INVALID");
  });
}

TEST(NetConnection, PushedUpdateArrives) {
  auto* s = &shared_server();
  run([&]() -> asio::awaitable<void> {
    auto alice = co_await Connection::connect(options_for(*s));
    auto bob = co_await Connection::connect(options_for(*s));
    CO_ASSERT(alice.ok() && bob.ok());
    auto alice_user = co_await login_bot(*alice, kAliceToken);
    auto bob_user = co_await login_bot(*bob, kBobToken);
    CO_ASSERT(alice_user && bob_user);
    const std::string text = "hello bob";
    auto sent = co_await call_bytes<api::messages::sendMessage>(*alice, send_text(*bob_user, text));
    CO_ASSERT(sent.has_value());
    auto push = co_await bob->next_update(std::chrono::milliseconds(5000));
    CO_ASSERT(push.ok());
    auto updates = tl::deserialize<api::Updates>(*push);
    CO_ASSERT(updates.ok());
    const auto* short_message = updates->get_if<api::updateShortMessage>();
    CO_ASSERT(short_message != nullptr);
    EXPECT_EQ(short_message->message, text);
    EXPECT_EQ(short_message->user_id, alice_user->id);
    EXPECT_FALSE(short_message->out);
    // Nothing else is queued; waiting again times out.
    auto none = co_await bob->next_update(std::chrono::milliseconds(50));
    CO_ASSERT(!none.ok());
    EXPECT_TRUE(is(none.error(), NetErrc::timeout));
  });
}

TEST(NetConnection, ConcurrentInvokesOnOneConnection) {
  auto* s = &shared_server();
  run([&]() -> asio::awaitable<void> {
    auto c = co_await Connection::connect(options_for(*s));
    CO_ASSERT(c.ok());
    auto me = co_await login_bot(*c, kAliceToken);
    CO_ASSERT(me.has_value());
    constexpr int kCount = 20;
    int answered = 0;
    auto executor = co_await asio::this_coro::executor;
    Signal all_done(executor);
    for (int i = 0; i < kCount; ++i) {
      // Different queries, so a mixed-up answer would show: getConfig and getUsers alternate.
      asio::co_spawn(executor, [&, i]() -> asio::awaitable<void> {
        if (i % 2 == 0) {
          auto cfg = co_await call(*c, api::help::getConfig{});
          EXPECT_TRUE(cfg && cfg->template is<api::config>());
        } else {
          auto users = co_await call(*c, get_self());
          EXPECT_TRUE(users && users->size() == 1);
        }
        if (++answered == kCount) all_done.notify();
      }, asio::detached);
    }
    while (answered < kCount) co_await all_done.wait();
    EXPECT_EQ(answered, kCount);
  });
}

TEST(NetConnection, SavedKeyIsReused) {
  auto* s = &shared_server();
  run([&]() -> asio::awaitable<void> {
    std::optional<SavedKey> saved;
    {
      auto first = co_await Connection::connect(options_for(*s));
      CO_ASSERT(first.ok());
      CO_ASSERT(co_await login_bot(*first, kAliceToken));
      saved = first->saved_key();
    }
    auto keys_before = s->auth_key_count();
    auto options = options_for(*s);
    options.server_keys_pem.clear();  // not needed with a key
    options.key = saved;
    auto second = co_await Connection::connect(options);
    CO_ASSERT(second.ok());
    // Still logged in: the authorization belongs to the key, not the connection.
    auto users = co_await call_bytes<api::users::getUsers>(*second, init_wrapped(get_self()));
    CO_ASSERT(users && users->size() == 1);
    EXPECT_EQ((*users)[0].as<api::user>().id, 7001);
    EXPECT_EQ(s->auth_key_count(), keys_before);
  });
}

// A stale salt and a clock that is off: the server answers bad_server_salt and
// bad_msg_notification (16/17), the session corrects itself and resends, the invoke succeeds.
TEST(NetConnection, SessionRecoversFromBadSaltAndClock) {
  auto* s = &shared_server();
  run([&]() -> asio::awaitable<void> {
    std::optional<SavedKey> saved;
    {
      auto first = co_await Connection::connect(options_for(*s));
      CO_ASSERT(first.ok());
      CO_ASSERT(co_await call_bytes<api::help::getConfig>(*first, init_wrapped(api::help::getConfig{})));
      saved = first->saved_key();
    }
    auto options = options_for(*s);
    options.key = saved;
    options.key->salt ^= 0x5a5a5a5a5a5a5a5aull;
    options.key->time_offset = std::chrono::hours(2);
    auto second = co_await Connection::connect(options);
    CO_ASSERT(second.ok());
    auto config = co_await call_bytes<api::help::getConfig>(*second, init_wrapped(api::help::getConfig{}));
    EXPECT_TRUE(config.has_value());
    EXPECT_NE(second->saved_key().salt, options.key->salt);
    EXPECT_LT(std::chrono::abs(second->saved_key().time_offset), std::chrono::seconds(30));
  });
}

TEST(NetConnection, UnknownSavedKeyFailsInvokes) {
  auto* s = &shared_server();
  mtproto::AuthKey::Bytes256 raw{};
  for (std::size_t i = 0; i < raw.size(); ++i) raw.bytes[i] = static_cast<Byte>(i * 7 + 1);
  auto options = options_for(*s);
  options.key = SavedKey{.key = mtproto::AuthKey(raw), .salt = 1, .time_offset = {}};
  run([&]() -> asio::awaitable<void> {
    auto c = co_await Connection::connect(options);
    CO_ASSERT(c.ok());  // nothing is exchanged before the first query
    // The server answers transport error -404 and closes: the invoke fails instead of hanging.
    auto r = co_await c->invoke(init_wrapped(api::help::getConfig{}));
    CO_ASSERT(!r.ok());
    EXPECT_TRUE(is(r.error(), NetErrc::protocol)) << r.error().to_string();
    EXPECT_NE(r.error().detail.find("404"), std::string::npos) << r.error().detail;
    EXPECT_FALSE(c->is_open());
  });
}

TEST(NetConnection, ServerClosingFailsPendingInvokes) {
  auto s = start_server();
  ASSERT_TRUE(s);
  run([&]() -> asio::awaitable<void> {
    auto c = co_await Connection::connect(options_for(*s));
    CO_ASSERT(c.ok());
    // The server counts frames from when the knob is set: it answers one more, then closes.
    server::Knobs knobs;
    knobs.drop_after = 1;
    s->set_knobs(knobs);
    auto first = co_await call_bytes<api::help::getConfig>(*c, init_wrapped(api::help::getConfig{}));
    CO_ASSERT(first.has_value());
    auto executor = co_await asio::this_coro::executor;
    int failed = 0;
    Signal done(executor);
    for (int i = 0; i < 3; ++i) {
      asio::co_spawn(executor, [&]() -> asio::awaitable<void> {
        auto r = co_await c->invoke(init_wrapped(api::help::getConfig{}));
        EXPECT_FALSE(r.ok());
        if (!r.ok()) {
          EXPECT_TRUE(is(r.error(), NetErrc::closed)) << r.error().to_string();
        }
        ++failed;
        done.notify();
      }, asio::detached);
    }
    while (failed < 3) co_await done.wait();
    EXPECT_FALSE(c->is_open());
    // Later invokes fail at once.
    auto later = co_await c->invoke(boxed(api::help::getConfig{}));
    EXPECT_FALSE(later.ok());
  });
}

TEST(NetConnection, CallerCloseFailsPendingInvoke) {
  auto s = start_server();
  ASSERT_TRUE(s);
  server::Knobs knobs;
  knobs.delay_ms = 300;
  s->set_knobs(knobs);
  run([&]() -> asio::awaitable<void> {
    auto c = co_await Connection::connect(options_for(*s));
    CO_ASSERT(c.ok());
    auto executor = co_await asio::this_coro::executor;
    std::optional<Result<InvokeResult>> result;
    Signal done(executor);
    asio::co_spawn(executor, [&]() -> asio::awaitable<void> {
      result.emplace(co_await c->invoke(init_wrapped(api::help::getConfig{})));
      done.notify();
    }, asio::detached);
    asio::steady_timer pause(executor, std::chrono::milliseconds(50));
    co_await pause.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    c->close();
    while (!result) co_await done.wait();
    CO_ASSERT(!result->ok());
    EXPECT_TRUE(is(result->error(), NetErrc::closed));
  });
}

TEST(NetConnection, ConnectErrors) {
  auto* s = &shared_server();
  auto other = start_server();  // (before the run: making its RSA key takes a while)
  ASSERT_TRUE(other);
  run([&]() -> asio::awaitable<void> {
    auto no_keys = options_for(*s);
    no_keys.server_keys_pem.clear();
    auto r1 = co_await Connection::connect(no_keys);
    CO_ASSERT(!r1.ok());
    EXPECT_TRUE(is(r1.error(), NetErrc::bad_options));

    auto obfuscated_full = options_for(*s, {.protocol = tr::Protocol::full, .obfuscated = true});
    auto r2 = co_await Connection::connect(obfuscated_full);
    CO_ASSERT(!r2.ok());
    EXPECT_TRUE(is(r2.error(), NetErrc::bad_options));

    // A server key we do not trust: the handshake refuses to go on.
    auto wrong_key = options_for(*s);
    wrong_key.server_keys_pem = other->public_key_pem();
    auto r3 = co_await Connection::connect(wrong_key);
    CO_ASSERT(!r3.ok());
    EXPECT_TRUE(is(r3.error(), NetErrc::handshake)) << r3.error().to_string();

    // Nobody listens on the port any more.
    auto gone = options_for(*other);
    other->stop();
    auto r4 = co_await Connection::connect(gone);
    CO_ASSERT(!r4.ok());
    EXPECT_TRUE(is(r4.error(), NetErrc::connect_failed)) << r4.error().to_string();
  });
}

TEST(NetConnection, ConnectTimeout) {
  // A listener that accepts and never answers: the handshake waits, the watchdog ends it.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto port = silent.local_endpoint().port();
  auto* s = &shared_server();
  run([&]() -> asio::awaitable<void> {
    auto options = options_for(*s);
    options.port = port;
    options.connect_timeout = std::chrono::milliseconds(200);
    auto r = co_await Connection::connect(options);
    CO_ASSERT(!r.ok());
    EXPECT_TRUE(is(r.error(), NetErrc::timeout)) << r.error().to_string();
  });
}

TEST(NetServerKeys, ParsesPemBlocks) {
  auto* s = &shared_server();
  auto one = parse_server_keys(s->public_key_pem());
  ASSERT_TRUE(one.ok()) << one.error().to_string();
  EXPECT_EQ(one->size(), 1u);
  auto two = parse_server_keys(s->public_key_pem() + "\n" + s->public_key_pem());
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
  EXPECT_FALSE(parse_server_keys("no key here").ok());
  EXPECT_FALSE(parse_server_keys("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n").ok());
}

}  // namespace
}  // namespace telepp::net::test
