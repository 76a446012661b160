#pragma once
// Helpers for net tests: the embedded test server, coroutine bodies run to completion on a
// test-owned io_context, and the typed queries the tests send.

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "telepp/api.hpp"
#include "telepp/net/connection.hpp"
#include "telepp/server/server.hpp"

namespace telepp::net::test {

namespace api = telepp::api;

/// A fatal check inside a coroutine (ASSERT_* would `return`, which a coroutine cannot).
#define CO_ASSERT(cond)                           \
  do {                                            \
    if (!(cond)) {                                \
      ADD_FAILURE() << "failed: " #cond;          \
      co_return;                                  \
    }                                             \
  } while (0)

/// Runs `body` on a fresh io_context until it finishes; a test failure if it takes over `limit`
/// (the connection's coroutines keep the context busy, so it stops when the body ends).
inline void run(std::function<asio::awaitable<void>()> body, std::chrono::seconds limit = std::chrono::seconds(20)) {
  asio::io_context io;
  bool finished = false;
  asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
    finished = true;
    if (e) ADD_FAILURE() << "the test body threw";
    io.stop();
  });
  io.run_for(limit);
  EXPECT_TRUE(finished) << "the test body did not finish within " << limit.count() << " s";
}

/// The embedded server on loopback (DC i on any free ports), optionally an MTProxy too.
inline std::unique_ptr<server::Server> start_server(int dcs = 1, std::string proxy_secret = "") {
  server::ServerConfig config;
  config.port = 0;
  config.dcs = dcs;
  config.proxy_secret = std::move(proxy_secret);
  auto s = server::Server::start(std::move(config));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
  return s.ok() ? std::move(*s) : nullptr;
}

inline ConnectOptions options_for(const server::Server& s, mtproto::transport::ClientOptions transport = {}, int dc = 1) {
  ConnectOptions o;
  o.host = s.host();
  o.port = s.port(dc);
  o.dc_id = dc;
  o.transport = std::move(transport);
  o.server_keys_pem = s.public_key_pem();
  return o;
}

template <class T>
Bytes boxed(const T& value) {
  auto b = tl::to_bytes(value);
  EXPECT_TRUE(b.ok());
  return b.ok() ? std::move(*b) : Bytes{};
}

/// `query` inside invokeWithLayer(initConnection(...)), as every client's first query.
template <class Q>
Bytes init_wrapped(Q query) {
  return boxed(api::invokeWithLayer{
      .layer = api::kLayer,
      .query = api::initConnection{.api_id = 1, .device_model = "net test", .system_version = "Linux",
                                   .app_version = "1.0", .system_lang_code = "en", .lang_pack = "", .lang_code = "en",
                                   .query = std::move(query)}});
}

/// The typed answer of `bytes` (a query of type Q), or a test failure and nullopt (rpc_error,
/// connection error, bytes that do not decode).
template <class Q>
asio::awaitable<std::optional<typename Q::Result>> call_bytes(Connection& c, Bytes bytes) {
  auto r = co_await c.invoke(std::move(bytes));
  if (!r) {
    ADD_FAILURE() << r.error().to_string();
    co_return std::nullopt;
  }
  if (r->rpc_error) {
    ADD_FAILURE() << "rpc_error " << r->rpc_error->code << " " << r->rpc_error->message();
    co_return std::nullopt;
  }
  auto v = tl::deserialize<typename Q::Result>(r->answer);
  if (!v) {
    ADD_FAILURE() << v.error().to_string();
    co_return std::nullopt;
  }
  co_return std::move(*v);
}

template <class Q>
asio::awaitable<std::optional<typename Q::Result>> call(Connection& c, const Q& query) {
  co_return co_await call_bytes<Q>(c, boxed(query));
}

/// auth.importBotAuthorization for `token`, initConnection-wrapped (a bot's first query).
inline Bytes bot_login_bytes(const std::string& token) {
  return init_wrapped(api::auth::importBotAuthorization{.api_id = 1, .api_hash = "x", .bot_auth_token = token});
}

/// Logs in as the bot of `token`: the user, or nullopt with a test failure.
/// NOTE: GCC 12 miscompiles std::string temporaries (and aggregates holding them) that live
/// across a co_await, so coroutines here take named values and build queries in plain functions.
inline asio::awaitable<std::optional<api::user>> login_bot(Connection& c, const std::string& token) {
  auto auth = co_await call_bytes<api::auth::importBotAuthorization>(c, bot_login_bytes(token));
  if (!auth) co_return std::nullopt;
  co_return auth->as<api::auth::authorization>().user.as<api::user>();
}

}  // namespace telepp::net::test
