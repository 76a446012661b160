// `telepp demo`, live: the embedded server, then the client side over real TCP: handshake, the
// seed call, bot logins on two DCs, getUsers, a message from one bot to the other (and the push
// the other receives), and the chat's history.
//
// NOTE: GCC 12 miscompiles std::string temporaries (and aggregates holding them) that live across
// a co_await, so the coroutines here pass named values and build queries in plain functions.
#include "demo_live.hpp"

#include <iostream>
#include <sstream>

#include <asio/co_spawn.hpp>  // (after a standard header: see src/telepp/net/README.md)
#include <asio/io_context.hpp>

#include "telepp/api.hpp"
#include "telepp/net/connection.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/server/server.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::cli {
namespace {

namespace api = telepp::api;

const std::string kAliceToken = "7001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
const std::string kBobToken = "7002:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2";
const std::string kGreeting = "hello from telepp demo";

// --- queries (plain functions: see the NOTE above) ---

template <class T>
Result<Bytes> boxed(const T& value) {
  return tl::to_bytes(value);
}

// `query` inside invokeWithLayer(initConnection(...)): the first query on every connection.
template <class Q>
Result<Bytes> init_wrapped(Q query) {
  return boxed(api::invokeWithLayer{
      .layer = api::kLayer,
      .query = api::initConnection{.api_id = 12345, .device_model = "telepp demo", .system_version = "Debian 12",
                                   .app_version = "0.1.0", .system_lang_code = "en", .lang_pack = "",
                                   .lang_code = "en", .query = std::move(query)}});
}

Result<Bytes> bot_login(const std::string& token) {
  return init_wrapped(api::auth::importBotAuthorization{.api_id = 12345, .api_hash = "demo", .bot_auth_token = token});
}
Result<Bytes> get_self() { return boxed(api::users::getUsers{.id = {api::inputUserSelf{}}}); }
api::InputPeer peer_of(const api::user& u) { return api::inputPeerUser{.user_id = u.id, .access_hash = u.access_hash.value_or(0)}; }
Result<Bytes> send_text(const api::user& to, const std::string& text) {
  return boxed(api::messages::sendMessage{.peer = peer_of(to), .message = text, .random_id = 0x7e1e99});
}
Result<Bytes> history_with(const api::user& u) { return boxed(api::messages::getHistory{.peer = peer_of(u), .limit = 10}); }

// --- printing ---

// The one-line JSON of a boxed TL object (the dynamic form).
std::string json_of(ByteView boxed_bytes) {
  auto value = tl::decode_value(*schemas::api(), boxed_bytes);
  return value ? tl::value_to_json(*value) : "(" + value.error().to_string() + ")";
}
template <class T>
std::string json_of_typed(const T& typed) {
  auto bytes = tl::to_bytes(typed);
  return bytes ? json_of(*bytes) : "(" + bytes.error().to_string() + ")";
}

void print_step(const char* label, const std::string& line) { std::cout << label << " -> " << line << "\n"; }

// --- one call, typed ---

// The typed answer of `query` (already serialized), an rpc_error as an Error of domain rpc.
template <class Q>
asio::awaitable<Result<typename Q::Result>> ask(net::Connection& c, Result<Bytes> query) {
  if (!query) co_return fail(query.take_error());
  auto answer = co_await c.invoke(std::move(*query));
  if (!answer) co_return fail(answer.take_error());
  if (answer->rpc_error) {
    Error e(ErrorDomain::rpc, answer->rpc_error->code, answer->rpc_error->message());
    e.rpc = answer->rpc_error;
    co_return fail(std::move(e));
  }
  co_return tl::deserialize<typename Q::Result>(answer->answer);
}

// --- the steps ---

struct Demo {
  const server::Server& server;
  bool ok = true;

  // Prints the step's line, or its failure; false on failure.
  template <class T, class Describe>
  bool report(const char* label, const Result<T>& r, Describe describe) {
    if (!r) {
      print_step(label, "FAILED: " + r.error().to_string());
      ok = false;
      return false;
    }
    print_step(label, describe(*r));
    return true;
  }

  net::ConnectOptions options(int dc, mtproto::transport::ClientOptions transport) const {
    net::ConnectOptions o;
    o.host = server.host();
    o.port = server.port(dc);
    o.dc_id = dc;
    o.transport = std::move(transport);
    o.server_keys_pem = server.public_key_pem();
    return o;
  }

  asio::awaitable<std::optional<net::Connection>> connect(int dc, const mtproto::transport::ClientOptions& transport,
                                                          const std::string& transport_name);
  asio::awaitable<bool> seed_call(net::Connection& c);
  asio::awaitable<std::optional<api::user>> login(net::Connection& c, int dc, const std::string& token);
  asio::awaitable<bool> get_users(net::Connection& c);
  asio::awaitable<bool> message(net::Connection& from, net::Connection& to, const api::user& to_user);
  asio::awaitable<bool> history(net::Connection& c, const api::user& with);
  asio::awaitable<void> run();
};

asio::awaitable<std::optional<net::Connection>> Demo::connect(int dc, const mtproto::transport::ClientOptions& transport,
                                                              const std::string& transport_name) {
  auto c = co_await net::Connection::connect(options(dc, transport));
  bool good = report("connect", c, [&](const net::Connection& conn) {
    std::ostringstream line;
    line << "DC " << dc << " at " << server.host() << ":" << server.port(dc) << " over " << transport_name
         << ": handshake done, auth key id " << std::hex << conn.saved_key().key.id();
    return line.str();
  });
  if (!good) co_return std::nullopt;
  co_return std::move(*c);
}

asio::awaitable<bool> Demo::seed_call(net::Connection& c) {
  auto config = co_await ask<api::help::getConfig>(c, init_wrapped(api::help::getConfig{}));
  co_return report("config ", config, [](const api::Config& boxed_config) {
    const auto& cfg = boxed_config.as<api::config>();
    std::ostringstream line;
    line << "invokeWithLayer(" << api::kLayer << ", initConnection(help.getConfig)): this_dc " << cfg.this_dc << ", "
         << cfg.dc_options.size() << " dc_options:";
    for (const auto& option : cfg.dc_options) {
      const auto& o = option.as<api::dcOption>();
      line << " " << o.id << "=" << o.ip_address << ":" << o.port;
    }
    return line.str();
  });
}

asio::awaitable<std::optional<api::user>> Demo::login(net::Connection& c, int dc, const std::string& token) {
  auto auth = co_await ask<api::auth::importBotAuthorization>(c, bot_login(token));
  std::optional<api::user> user;
  report("login  ", auth, [&](const api::auth::Authorization& a) {
    user = a.as<api::auth::authorization>().user.as<api::user>();
    return "auth.importBotAuthorization on DC " + std::to_string(dc) + ": bot " + std::to_string(user->id) + " @" +
           user->username.value_or("?") + " (" + user->first_name.value_or("") + ")";
  });
  co_return user;
}

asio::awaitable<bool> Demo::get_users(net::Connection& c) {
  auto users = co_await ask<api::users::getUsers>(c, get_self());
  co_return report("users  ", users, [](const std::vector<api::User>& list) {
    std::string line = "users.getUsers([inputUserSelf]) = " + std::to_string(list.size()) + " user:";
    for (const auto& u : list) line += " " + json_of_typed(u);
    return line;
  });
}

asio::awaitable<bool> Demo::message(net::Connection& from, net::Connection& to, const api::user& to_user) {
  auto sent = co_await ask<api::messages::sendMessage>(from, send_text(to_user, kGreeting));
  bool good = report("send   ", sent, [&](const api::Updates& u) {
    return "messages.sendMessage to " + std::to_string(to_user.id) + ": " + json_of_typed(u);
  });
  if (!good) co_return false;
  auto push = co_await to.next_update(std::chrono::milliseconds(5000));
  co_return report("push   ", push, [](const Bytes& body) { return "the recipient's connection got " + json_of(body); });
}

asio::awaitable<bool> Demo::history(net::Connection& c, const api::user& with) {
  auto messages = co_await ask<api::messages::getHistory>(c, history_with(with));
  co_return report("history", messages, [&](const api::messages::Messages& m) {
    const auto* list = &m.as<api::messages::messages>().messages;  // the server's answer for short chats
    if (const auto* slice = m.get_if<api::messages::messagesSlice>()) list = &slice->messages;
    std::string line = "messages.getHistory with " + std::to_string(with.id) + ": " + std::to_string(list->size()) +
                       " message(s)";
    if (!list->empty()) line += ", newest " + json_of_typed(list->front());
    return line;
  });
}

asio::awaitable<void> Demo::run() {
  namespace tr = mtproto::transport;
  const int bob_dc = server.dcs() >= 2 ? 2 : 1;
  const tr::ClientOptions obfuscated{.protocol = tr::Protocol::padded_intermediate, .obfuscated = true};
  const tr::ClientOptions plain{.protocol = tr::Protocol::intermediate};
  const std::string obfuscated_name = "obfuscated2 padded intermediate", plain_name = "intermediate";
  auto alice = co_await connect(1, obfuscated, obfuscated_name);
  if (!alice || !co_await seed_call(*alice)) co_return;
  auto alice_user = co_await login(*alice, 1, kAliceToken);
  if (!alice_user || !co_await get_users(*alice)) co_return;
  auto bob = co_await connect(bob_dc, plain, plain_name);
  if (!bob) co_return;
  auto bob_user = co_await login(*bob, bob_dc, kBobToken);
  if (!bob_user || !co_await message(*alice, *bob, *bob_user)) co_return;
  co_await history(*alice, *bob_user);
}

}  // namespace

bool run_live_demo(int dcs) {
  server::ServerConfig config;
  config.port = 0;  // any free ports
  config.dcs = dcs;
  auto server = server::Server::start(std::move(config));
  if (!server) {
    print_step("server ", "FAILED: " + server.error().to_string());
    return false;
  }
  print_step("server ", "embedded test server, " + std::to_string(dcs) + " DC(s) from " + (*server)->host() + ":" +
                            std::to_string((*server)->port(1)) + ", RSA key fingerprint " + (*server)->fingerprint_hex());
  asio::io_context io;
  Demo demo{.server = **server};
  bool finished = false;
  // The connections' coroutines keep the context busy, so it stops when the steps end.
  asio::co_spawn(io, demo.run(), [&](std::exception_ptr) {
    finished = true;
    io.stop();
  });
  io.run_for(std::chrono::seconds(60));
  if (!finished) print_step("demo   ", "FAILED: the steps did not finish within 60 s");
  return finished && demo.ok;
}

}  // namespace telepp::cli
