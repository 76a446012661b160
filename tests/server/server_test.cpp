// The test server over real loopback TCP, driven by a client made of the mtproto state machines:
// connection semantics (initConnection and its errors), layers, bot login, migration, knobs,
// every transport, and hostile bytes.
#include <gtest/gtest.h>

#include "telepp/api.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/server/server.hpp"
#include "telepp/tl/value.hpp"
#include "query_support.hpp"
#include "test_client.hpp"

namespace telepp::server {
namespace {

namespace api = telepp::api;
using test::TestClient;
using test::boxed;
using test::init_wrapped;
using test::init_wrapped_at;

constexpr const char* kBotToken = "4242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.dcs = 2;
    auto s = Server::start(config);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    server = std::move(*s);
  }
  std::unique_ptr<TestClient> client(int dc = 1, mtproto::transport::ClientOptions options = {}) {
    auto c = std::make_unique<TestClient>(server->port(dc), server->public_key_pem(), options);
    EXPECT_TRUE(c->connect());
    EXPECT_TRUE(c->handshake());
    return c;
  }
  std::unique_ptr<Server> server;
};

TEST_F(ServerTest, AnyQueryBeforeInitConnectionIsConnectionNotInited) {
  auto c = client();
  auto r = c->query(boxed(api::help::getConfig{}));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, 400);
  EXPECT_EQ(r.error->message(), "CONNECTION_NOT_INITED");
}

TEST_F(ServerTest, InitConnectionThenConfigListsEveryDcAndLaterQueriesNeedNoWrapper) {
  auto c = client();
  auto r = c->query(init_wrapped(api::help::getConfig{}));
  ASSERT_TRUE(r.result.has_value()) << (r.error ? r.error->message() : "");
  auto config = tl::deserialize<api::Config>(*r.result);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  const auto& cfg = config->as<api::config>();
  EXPECT_EQ(cfg.this_dc, 1);
  ASSERT_EQ(cfg.dc_options.size(), 2u);
  EXPECT_EQ(cfg.dc_options[1].as<api::dcOption>().port, server->port(2));
  EXPECT_EQ(cfg.dc_options[0].as<api::dcOption>().ip_address, "127.0.0.1");

  auto nearest = c->query(boxed(api::help::getNearestDc{}));
  ASSERT_TRUE(nearest.result.has_value());
  EXPECT_EQ(tl::deserialize<api::NearestDc>(*nearest.result)->as<api::nearestDc>().this_dc, 1);
  // A new TCP connection on the same key needs no new wrapper either.
  ASSERT_TRUE(c->connect());
  EXPECT_TRUE(c->query(boxed(api::help::getNearestDc{})).result.has_value());
}

TEST_F(ServerTest, InitConnectionErrorsAreTelegrams) {
  auto c = client();
  auto expect_error = [&](Bytes q, const char* name) {
    auto r = c->query(std::move(q));
    ASSERT_TRUE(r.error.has_value()) << name;
    EXPECT_EQ(r.error->message(), name);
  };
  expect_error(init_wrapped_at(api::help::getConfig{}, 999), "CONNECTION_LAYER_INVALID");
  expect_error(init_wrapped_at(api::help::getConfig{}, api::kLayer, ""), "CONNECTION_DEVICE_MODEL_EMPTY");
  auto bad_pack = tl::to_bytes(api::invokeWithLayer{
      .layer = api::kLayer,
      .query = api::initConnection{.api_id = 1, .device_model = "pc", .system_version = "x", .app_version = "1",
                                   .system_lang_code = "en", .lang_pack = "nokia", .lang_code = "en",
                                   .query = api::help::getConfig{}}});
  expect_error(*bad_pack, "CONNECTION_LANG_PACK_INVALID");
  auto bad_api = tl::to_bytes(api::invokeWithLayer{
      .layer = api::kLayer,
      .query = api::initConnection{.api_id = 0, .device_model = "pc", .system_version = "x", .app_version = "1",
                                   .system_lang_code = "en", .lang_pack = "", .lang_code = "en",
                                   .query = api::help::getConfig{}}});
  expect_error(*bad_api, "CONNECTION_API_ID_INVALID");
  // Each empty field has its own error (device_model is above).
  auto with_empty = [](std::string system_version, std::string app_version, std::string system_lang_code) {
    auto b = tl::to_bytes(api::invokeWithLayer{
        .layer = api::kLayer,
        .query = api::initConnection{.api_id = 1, .device_model = "pc", .system_version = std::move(system_version),
                                     .app_version = std::move(app_version), .system_lang_code = std::move(system_lang_code),
                                     .lang_pack = "", .lang_code = "en", .query = api::help::getConfig{}}});
    return b.ok() ? *b : Bytes{};
  };
  expect_error(with_empty("", "1", "en"), "CONNECTION_SYSTEM_EMPTY");
  expect_error(with_empty("x", "", "en"), "CONNECTION_APP_VERSION_EMPTY");
  expect_error(with_empty("x", "1", ""), "CONNECTION_SYSTEM_LANG_CODE_EMPTY");
  Bytes garbage = init_wrapped(api::help::getConfig{});
  store_le32(garbage.data() + garbage.size() - 4, 0xdeadbeef);  // an unknown inner constructor
  expect_error(garbage, "INPUT_FETCH_FAIL");
}

TEST_F(ServerTest, UnsupportedMethodsSaySo) {
  auto c = client();
  auto r = c->query(init_wrapped(api::help::getAppConfig{.hash = 0}));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, 400);
  EXPECT_EQ(r.error->message(), "METHOD_NOT_SUPPORTED_BY_TEST_SERVER: help.getAppConfig");
}

TEST_F(ServerTest, BotLoginThenGetUsersSelf) {
  auto c = client();
  auto login = c->query(init_wrapped(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = kBotToken}));
  ASSERT_TRUE(login.result.has_value()) << (login.error ? login.error->message() : "");
  auto auth = tl::deserialize<api::auth::Authorization>(*login.result);
  ASSERT_TRUE(auth.ok());
  const auto& user = auth->as<api::auth::authorization>().user.as<api::user>();
  EXPECT_EQ(user.id, 4242);
  EXPECT_TRUE(user.bot);
  EXPECT_TRUE(user.self);

  auto users = c->query(boxed(api::users::getUsers{.id = {api::inputUserSelf{}}}));
  ASSERT_TRUE(users.result.has_value());
  auto list = tl::deserialize<std::vector<api::User>>(*users.result);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).as<api::user>().id, 4242);
}

TEST_F(ServerTest, BadBotTokensAndLoginsOnAnotherDc) {
  auto c = client();
  auto bad = c->query(init_wrapped(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = "42:short"}));
  ASSERT_TRUE(bad.error.has_value());
  EXPECT_EQ(bad.error->message(), "ACCESS_TOKEN_INVALID");
  ASSERT_TRUE(c->query(init_wrapped(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = kBotToken})).result);
  // The bot lives on DC 1: DC 2 sends it home.
  auto c2 = client(2);
  auto moved = c2->query(init_wrapped(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = kBotToken}));
  ASSERT_TRUE(moved.error.has_value());
  EXPECT_EQ(moved.error->code, 303);
  EXPECT_EQ(moved.error->message(), "USER_MIGRATE_1");
}

TEST_F(ServerTest, GetUsersNeedsALogin) {
  auto c = client();
  auto r = c->query(init_wrapped(api::users::getUsers{.id = {api::inputUserSelf{}}}));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->message(), "AUTH_KEY_UNREGISTERED");
}

TEST_F(ServerTest, OlderLayersAreServedAtTheirOwnLayer) {
  const auto& l198 = *schemas::api(198);
  auto c = client();
  auto json = std::string(R"({"_":"invokeWithLayer","layer":198,"query":{"_":"initConnection","api_id":1,"device_model":"gramjs",)") +
              R"("system_version":"x","app_version":"1","system_lang_code":"en","lang_pack":"","lang_code":"en",)" +
              R"("query":{"_":"auth.importBotAuthorization","flags":0,"api_id":1,"api_hash":"h","bot_auth_token":")" +
              kBotToken + R"("}}})";
  auto value = tl::value_from_json(l198, json);
  ASSERT_TRUE(value.ok()) << value.error().to_string();
  auto login = c->query(*tl::encode_value(*value));
  ASSERT_TRUE(login.result.has_value()) << (login.error ? login.error->message() : "");
  // The answer is layer 198's: its `user` constructor ID.
  auto answer = tl::decode_value(l198, *login.result);
  ASSERT_TRUE(answer.ok()) << answer.error().to_string();
  EXPECT_EQ(answer->field("user")->as_object().combinator->id, l198.find("user")->id);
  EXPECT_NE(l198.find("user")->id, api::user::kId);
  // A vector result (users.getUsers) comes down to layer 198 too.
  auto get_users = tl::value_from_json(l198, R"({"_":"users.getUsers","id":[{"_":"inputUserSelf"}]})");
  ASSERT_TRUE(get_users.ok());
  auto users = c->query(*tl::encode_value(*get_users));
  ASSERT_TRUE(users.result.has_value()) << (users.error ? users.error->message() : "");
  auto list = tl::decode_value_as(l198, l198.find("users.getUsers")->result, *users.result);
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  ASSERT_EQ(list->as_vector().size(), 1u);
  EXPECT_EQ(list->as_vector()[0].as_object().combinator->id, l198.find("user")->id);
}

TEST_F(ServerTest, FloodWaitKnob) {
  server->set_knobs(Knobs{.flood_wait = {{"help.getNearestDc", 7}}});
  auto c = client();
  auto r = c->query(init_wrapped(api::help::getNearestDc{}));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, 420);
  EXPECT_EQ(r.error->name, "FLOOD_WAIT");
  EXPECT_EQ(r.error->argument, 7);
}

TEST_F(ServerTest, EveryTransportWorksOverTcp) {
  namespace tr = mtproto::transport;
  std::vector<tr::ClientOptions> options = {
      {.protocol = tr::Protocol::abridged}, {.protocol = tr::Protocol::intermediate},
      {.protocol = tr::Protocol::padded_intermediate}, {.protocol = tr::Protocol::full},
      {.protocol = tr::Protocol::abridged, .obfuscated = true}, {.protocol = tr::Protocol::intermediate, .obfuscated = true},
      {.protocol = tr::Protocol::padded_intermediate, .obfuscated = true, .dc_id = 1}};
  for (const auto& o : options) {
    auto c = client(1, o);
    auto r = c->query(init_wrapped(api::help::getNearestDc{}));
    EXPECT_TRUE(r.result.has_value()) << "protocol " << static_cast<int>(o.protocol) << " obfuscated " << o.obfuscated;
  }
}

TEST_F(ServerTest, AnUnknownAuthKeyGetsTransportError404) {
  TestClient c(server->port(1), server->public_key_pem());
  ASSERT_TRUE(c.connect());
  Bytes packet(24 + 64, 0x5a);  // shaped like an encrypted message under a key the server never made
  store_le64(packet.data(), 0x0123456789abcdefull);
  c.send_frame(packet);
  auto r = c.next();
  ASSERT_TRUE(r.transport_error.has_value());
  EXPECT_EQ(*r.transport_error, -404);
}

TEST_F(ServerTest, GarbageClosesOnlyThatConnection) {
  auto good = client();
  ASSERT_TRUE(good->query(init_wrapped(api::help::getNearestDc{})).result);
  for (int i = 0; i < 5; ++i) {
    TestClient bad(server->port(1), server->public_key_pem());
    ASSERT_TRUE(bad.connect());
    Bytes junk(300);
    for (std::size_t k = 0; k < junk.size(); ++k) junk[k] = static_cast<Byte>(k * 37 + i);
    bad.send_raw(junk);
    EXPECT_TRUE(bad.closed_by_peer()) << i;
  }
  EXPECT_TRUE(good->query(boxed(api::help::getNearestDc{})).result.has_value());
}

}  // namespace
}  // namespace telepp::server
