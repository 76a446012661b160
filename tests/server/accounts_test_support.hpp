#pragma once
// Shared by the account tests: a two-DC server, clients on it, typed answers, phone sign-up.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "telepp/api.hpp"
#include "telepp/server/server.hpp"
#include "test_client.hpp"

namespace telepp::server::accounts_test {

namespace api = telepp::api;
using test::QueryResult;
using test::TestClient;

template <class T>
Bytes boxed(const T& v) {
  auto b = tl::to_bytes(v);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

template <class Q>
Bytes init_wrapped(Q query, std::string device_model = "test pc") {
  return boxed(api::invokeWithLayer{
      .layer = api::kLayer,
      .query = api::initConnection{.api_id = 1, .device_model = std::move(device_model), .system_version = "Linux",
                                   .app_version = "1.0", .system_lang_code = "en", .lang_pack = "", .lang_code = "en",
                                   .query = std::move(query)}});
}

inline std::string describe(const QueryResult& r) {
  if (r.error) return "rpc_error " + std::to_string(r.error->code) + " " + r.error->message();
  if (r.transport_error) return "transport error " + std::to_string(*r.transport_error);
  return r.result ? "result" : "nothing";
}

/// The answer as `T` (a boxed type); a failed expectation (and a default T) otherwise.
template <class T>
T answer(const QueryResult& r) {
  EXPECT_TRUE(r.result.has_value()) << describe(r);
  if (!r.result) return T{};
  auto v = tl::deserialize<T>(*r.result);
  EXPECT_TRUE(v.ok()) << v.error().to_string();
  return v.ok() ? std::move(*v) : T{};
}

/// Expects rpc_error `code` `name`.
inline void expect_error(const QueryResult& r, int code, const std::string& name) {
  ASSERT_TRUE(r.error.has_value()) << "expected " << name << ", got " << describe(r);
  EXPECT_EQ(r.error->code, code);
  EXPECT_EQ(r.error->message(), name);
}

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
