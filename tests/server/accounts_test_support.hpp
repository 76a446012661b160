#pragma once
// Shared by the account tests: a two-DC server, clients on it, typed answers, phone sign-up.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "telepp/api.hpp"
#include "telepp/server/server.hpp"
#include "query_support.hpp"
#include "test_client.hpp"

namespace telepp::server::accounts_test {

namespace api = telepp::api;
using test::QueryResult;
using test::TestClient;

using test::answer;
using test::boxed;
using test::describe;
using test::expect_error;
using test::init_wrapped;

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.dcs = 2;
    // NOTE: DC 2 listens on DC 1's ephemeral port + 1, which another process may hold: retry.
    auto s = Server::start(config);
    for (int tries = 1; !s.ok() && tries < 5; ++tries) s = Server::start(config);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    server = std::move(*s);
  }

  /// A connected client with a fresh permanent key on `dc` (no initConnection yet).
  std::unique_ptr<TestClient> client(int dc = 1) {
    auto c = std::make_unique<TestClient>(server->port(dc), server->public_key_pem());
    EXPECT_TRUE(c->connect());
    EXPECT_TRUE(c->handshake());
    return c;
  }

  /// sendCode (with initConnection around it) on `c`; the phone_code_hash.
  std::string send_code(TestClient& c, const std::string& phone) {
    auto sent = answer<api::auth::SentCode>(c.query(init_wrapped(api::auth::sendCode{
        .phone_number = phone, .api_id = 1, .api_hash = "hash", .settings = api::codeSettings{}})));
    const auto* code = sent.get_if<api::auth::sentCode>();
    EXPECT_NE(code, nullptr);
    return code ? code->phone_code_hash : std::string{};
  }

  /// Registers `phone` (99966XYYYY, code XXXXX) through `c` and returns the new account.
  api::user sign_up(TestClient& c, const std::string& phone, const std::string& first_name) {
    std::string hash = send_code(c, phone);
    std::string code(5, phone[5]);
    auto r = c.query(boxed(api::auth::signIn{.phone_number = phone, .phone_code_hash = hash, .phone_code = code}));
    EXPECT_TRUE(answer<api::auth::Authorization>(r).is<api::auth::authorizationSignUpRequired>());
    auto auth = answer<api::auth::Authorization>(c.query(boxed(api::auth::signUp{
        .phone_number = phone, .phone_code_hash = hash, .first_name = first_name, .last_name = ""})));
    const auto* a = auth.get_if<api::auth::authorization>();
    EXPECT_NE(a, nullptr);
    return a ? a->user.as<api::user>() : api::user{};
  }

  /// users.getUsers([inputUserSelf]) on `c`.
  QueryResult get_self(TestClient& c) { return c.query(boxed(api::users::getUsers{.id = {api::inputUserSelf{}}})); }

  std::unique_ptr<Server> server;
};

}  // namespace telepp::server::accounts_test
