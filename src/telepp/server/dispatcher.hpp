#pragma once
/// \file From one query's bytes to its answer: the connection semantics Telegram enforces
/// (invokeWithLayer/initConnection, CONNECTION_* errors, INPUT_FETCH_FAIL), serving each client
/// at its own layer (queries converted up to the latest layer, answers back down), test knobs,
/// and routing to the handlers.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "telepp/api.hpp"
#include "telepp/base/error.hpp"
#include "telepp/base/time.hpp"
#include "telepp/server/auth_keys.hpp"
#include "telepp/server/server_config.hpp"
#include "telepp/server/state.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::server {

/// An answer: a boxed result in the client's layer, or an rpc_error.
struct Answer {
  Bytes result;
  std::optional<RpcErrorInfo> error;

  static Answer fail(int code, std::string message) { return Answer{{}, RpcErrorInfo{code, std::move(message), {}}}; }
};

/// What the running server offers handlers beyond the query's own DC and key. Implemented by the
/// server's event loop; handlers call it on that thread.
class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  /// The auth keys of DC `dc` (1-based); nullptr when there is no such DC.
  virtual AuthKeys* dc_keys(int dc) = 0;
  /// Pushes `updates` (a boxed `Updates` at the latest layer) to every online session of account
  /// `user_id` on any DC (converted to each session's layer), except `except` (the calling
  /// session, which gets the answer instead). Sessions that only sent invokeWithoutUpdates-wrapped
  /// queries get nothing; offline ones catch up with updates.getDifference.
  virtual void push_updates(std::int64_t user_id, ByteView updates, const mtproto::ServerSession* except) {
    (void)user_id, (void)updates, (void)except;
  }
};

/// What a handler sees of the world.
struct Call {
  int dc = 1;
  int dcs = 1;
  std::uint16_t base_port = 0;
  std::string host;
  AuthRecord& auth;          ///< the key carrying the query
  AuthRecord* permanent;     ///< the key holding the authorisation (nullptr: unbound temp key)
  State& state;
  const ServerConfig& config;
  Time now;
  int layer = 0;             ///< the client's layer
  AuthKeys* keys = nullptr;  ///< this DC's keys
  mtproto::ServerSession* session = nullptr;  ///< the session the query came in
  ServerHooks* hooks = nullptr;               ///< the running server (nullptr when driven without one)
  bool without_updates = false;               ///< the query came wrapped in invokeWithoutUpdates
  std::int64_t msg_id = 0;                    ///< the query's msg_id (auth.bindTempAuthKey checks it)
  Entropy* entropy = nullptr;                 ///< randomness for handlers (nullptr: see handler_entropy())
};

/// A handler's result: the boxed result at the latest layer, or an error.
struct Reply {
  Bytes result;  ///< boxed, layer 228
  std::optional<RpcErrorInfo> error;

  template <class T>
  static Reply of(const T& value) {
    auto bytes = tl::to_bytes(value);
    if (!bytes) return fail(500, "INTERNAL_SERVER_ERROR");
    return Reply{std::move(*bytes), {}};
  }
  static Reply fail(int code, std::string message) { return Reply{{}, RpcErrorInfo{code, std::move(message), {}}}; }
};

using Handler = std::function<Reply(Call&, const api::AnyFunction&)>;

/// Maps queries to handlers. One per server; single-threaded.
class Dispatcher {
 public:
  Dispatcher();
  /// Answers one query (its boxed bytes as the client sent them).
  Answer handle(Call& call, ByteView body, std::string* log_json = nullptr);
  /// The handler for function `id` (a layer-228 constructor ID).
  void add(std::uint32_t id, Handler handler) { handlers_[id] = std::move(handler); }

 private:
  Answer run(Call& call, const tl::Value& query, const tl::Schema& schema, std::string* log_json);
  Answer convert_answer(const Reply& reply, const tl::Combinator& function, const tl::Schema& client_schema);

  std::map<std::uint32_t, Handler> handlers_;
};

/// Registers the handlers of each namespace (handlers_*.cpp).
void add_help_handlers(Dispatcher& d);
void add_auth_handlers(Dispatcher& d);
void add_users_handlers(Dispatcher& d);
void add_messages_handlers(Dispatcher& d);
void add_updates_handlers(Dispatcher& d);
void add_upload_handlers(Dispatcher& d);
void add_send_media_handlers(Dispatcher& d);
void add_account_handlers(Dispatcher& d);
void add_contacts_handlers(Dispatcher& d);

/// The `user` a handler returns for `u` as seen by the account `viewer` (self flag etc.).
api::User user_object(const UserRecord& u, std::optional<std::int64_t> viewer);

}  // namespace telepp::server
